/**
 * Orange's country sender numbers (`tel:+<calling code>0000`), keyed by ISO 3166-1 alpha-3 as the
 * admin API uses. Source: the API reference §2.2 (13 countries share one consistent source; Sierra
 * Leone is seen in one client only). Countries whose sender is unknown (Niger, Egypt, CAR) are left
 * out on purpose: set `senderAddress` explicitly for them.
 */
export const ORANGE_SMS_COUNTRIES = {
  BWA: { name: 'Botswana', callingCode: '267' },
  BFA: { name: 'Burkina Faso', callingCode: '226' },
  CMR: { name: 'Cameroon', callingCode: '237' },
  CIV: { name: "Côte d'Ivoire", callingCode: '225' },
  GIN: { name: 'Guinea', callingCode: '224' },
  GNB: { name: 'Guinea-Bissau', callingCode: '245' },
  COD: { name: 'DR Congo', callingCode: '243' },
  JOR: { name: 'Jordan', callingCode: '962' },
  LBR: { name: 'Liberia', callingCode: '231' },
  MLI: { name: 'Mali', callingCode: '223' },
  MDG: { name: 'Madagascar', callingCode: '261' },
  SEN: { name: 'Senegal', callingCode: '221' },
  TUN: { name: 'Tunisia', callingCode: '216' },
  SLE: { name: 'Sierra Leone', callingCode: '232' },
} as const satisfies Record<string, { name: string; callingCode: string }>;

export type OrangeSmsCountry = keyof typeof ORANGE_SMS_COUNTRIES;

export function isOrangeSmsCountry(value: string): value is OrangeSmsCountry {
  return Object.hasOwn(ORANGE_SMS_COUNTRIES, value);
}

/** `CIV` → `tel:+2250000`. */
export function countrySenderAddress(country: OrangeSmsCountry): string {
  return `tel:+${ORANGE_SMS_COUNTRIES[country].callingCode}0000`;
}

/** The alpha-3 country of an E.164 number (`+2250700000000` → `CIV`), when it is an Orange SMS country. */
export function countryOfNumber(e164: string): OrangeSmsCountry | undefined {
  const digits = e164.replace(/^(tel:)?\+/, '');
  for (const [country, { callingCode }] of Object.entries(ORANGE_SMS_COUNTRIES)) {
    if (digits.startsWith(callingCode)) return country as OrangeSmsCountry;
  }
  return undefined;
}
