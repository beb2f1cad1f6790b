/**
 * Orange's country sender numbers (`tel:+<calling code>0000`), keyed by ISO 3166-1 alpha-3 as the
 * admin API uses. Source: the API reference §2.2 (13 countries share one consistent source; Sierra
 * Leone is seen in one client only). Countries whose sender is unknown (Niger, Egypt, CAR) are left
 * out on purpose: set `senderAddress` explicitly for them.
 */
export const ORANGE_SMS_COUNTRIES = {
  BWA: { name: 'Botswana', callingCode: '267', alpha2: 'BW' },
  BFA: { name: 'Burkina Faso', callingCode: '226', alpha2: 'BF' },
  CMR: { name: 'Cameroon', callingCode: '237', alpha2: 'CM' },
  CIV: { name: "Côte d'Ivoire", callingCode: '225', alpha2: 'CI' },
  GIN: { name: 'Guinea', callingCode: '224', alpha2: 'GN' },
  GNB: { name: 'Guinea-Bissau', callingCode: '245', alpha2: 'GW' },
  COD: { name: 'DR Congo', callingCode: '243', alpha2: 'CD' },
  JOR: { name: 'Jordan', callingCode: '962', alpha2: 'JO' },
  LBR: { name: 'Liberia', callingCode: '231', alpha2: 'LR' },
  MLI: { name: 'Mali', callingCode: '223', alpha2: 'ML' },
  MDG: { name: 'Madagascar', callingCode: '261', alpha2: 'MG' },
  SEN: { name: 'Senegal', callingCode: '221', alpha2: 'SN' },
  TUN: { name: 'Tunisia', callingCode: '216', alpha2: 'TN' },
  SLE: { name: 'Sierra Leone', callingCode: '232', alpha2: 'SL' },
} as const satisfies Record<string, { name: string; callingCode: string; alpha2: string }>;

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

/**
 * The Orange SMS country a mistyped code most likely meant: the alpha-3 whose alpha-2 it is (`CI`),
 * or one edit away (a letter wrong, missing, extra or two swapped: `CVI`, `CI V`); undefined if none.
 */
export function suggestCountry(value: string): OrangeSmsCountry | undefined {
  const typed = value
    .trim()
    .toUpperCase()
    .replace(/[^A-Z]/g, '');
  if (typed === '') return undefined;
  let best: { country: OrangeSmsCountry; distance: number } | undefined;
  for (const [country, { alpha2, name }] of Object.entries(ORANGE_SMS_COUNTRIES)) {
    if (typed === alpha2 || typed === name.toUpperCase().replace(/[^A-Z]/g, '')) return country as OrangeSmsCountry;
    const distance = editDistance(typed, country);
    if (distance <= 1 || (distance === 2 && isTransposition(typed, country))) {
      if (!best || distance < best.distance) best = { country: country as OrangeSmsCountry, distance };
    }
  }
  return best?.country;
}

function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((char, index) => (char === b[index] ? [] : [index]));
  return diff.length === 2 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!];
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
