/**
 * The emulated Orange developer account: one prepaid contract per country (the initial bundle,
 * bought once) and usage counters per country and application. The admin endpoints render this
 * state in either response format, so both formats always carry the same numbers.
 */
import { randomUUID } from 'node:crypto';
import { policyReasons } from './orange-sms.emulator-errors.js';

export interface EmulatedCountry {
  alpha3: string;
  callingCode: string;
  name: string;
  currency: string;
}

/** Countries of the SMS Africa and Middle East offer (reference 2.2) with their calling codes. */
export const EMULATED_COUNTRIES: readonly EmulatedCountry[] = [
  { alpha3: 'CIV', callingCode: '225', name: "Côte d'Ivoire", currency: 'XOF' },
  { alpha3: 'CMR', callingCode: '237', name: 'Cameroon', currency: 'XAF' },
  { alpha3: 'SEN', callingCode: '221', name: 'Senegal', currency: 'XOF' },
  { alpha3: 'BFA', callingCode: '226', name: 'Burkina Faso', currency: 'XOF' },
  { alpha3: 'MLI', callingCode: '223', name: 'Mali', currency: 'XOF' },
  { alpha3: 'GIN', callingCode: '224', name: 'Guinea', currency: 'GNF' },
  { alpha3: 'COD', callingCode: '243', name: 'DR Congo', currency: 'CDF' },
  { alpha3: 'TUN', callingCode: '216', name: 'Tunisia', currency: 'TND' },
  { alpha3: 'BWA', callingCode: '267', name: 'Botswana', currency: 'BWP' },
  { alpha3: 'LBR', callingCode: '231', name: 'Liberia', currency: 'LRD' },
  { alpha3: 'MDG', callingCode: '261', name: 'Madagascar', currency: 'MGA' },
  { alpha3: 'JOR', callingCode: '962', name: 'Jordan', currency: 'JOD' },
  { alpha3: 'GNB', callingCode: '245', name: 'Guinea-Bissau', currency: 'XOF' },
  { alpha3: 'SLE', callingCode: '232', name: 'Sierra Leone', currency: 'SLE' },
];

const byAlpha3 = new Map(EMULATED_COUNTRIES.map((c) => [c.alpha3, c]));

/** Country of a `tel:+<digits>` address by its calling code (all known codes have 3 digits). */
export function countryOfAddress(address: string): EmulatedCountry | undefined {
  const digits = address.replace(/^tel:\+/, '');
  return EMULATED_COUNTRIES.find((c) => digits.startsWith(c.callingCode));
}

/** Bundle price per unit, from the observed "Bundle 1 - 100 SMS for 725 FCFA". */
const PRICE_PER_UNIT = 7.25;
const BUNDLE_DAYS = 30;

export interface EmulatedContract {
  id: string;
  country: EmulatedCountry;
  availableUnits: number;
  /** Units of the bundle bought (the only purchase). */
  requestedUnits: number;
  creationDate: Date;
  /** End of the UTC day, 30 days after creation, like the observed `23:59:59.000Z`. */
  expirationDate: Date;
  lastUpdateDate: Date;
  purchaseOrderId: string;
  bundleId: string;
  bundleDescription: string;
  price: number;
  /** MSISDN that paid the bundle (purchase order `payerId` / `inputs`). */
  payerMsisdn: string;
}

export interface EmulatedUsage {
  country: string;
  appId: string;
  /** Units consumed. */
  usage: number;
  /** Accepted send requests. */
  nbEnforcements: number;
}

export type ContractLookup = { contract: EmulatedContract } | { refusal: string };

export class EmulatedAccount {
  readonly developerId: string;
  /** Legacy formats identify the account by the developer's e-mail. */
  readonly partnerId = 'developer@emulator.example.com';
  readonly contracts: EmulatedContract[];
  /** Keyed by `${country}|${appId}`, in first-use order. */
  readonly usage = new Map<string, EmulatedUsage>();

  constructor(countries: readonly string[], initialUnits: number, at = new Date()) {
    // Orange's dates are whole seconds (`….000Z`), and the legacy format has no milliseconds at all.
    const now = new Date(Math.floor(at.getTime() / 1000) * 1000);
    this.developerId = randomUUID().replace(/-/g, '').slice(0, 24);
    this.contracts = countries.map((alpha3) => {
      const country = byAlpha3.get(alpha3) ?? { alpha3, callingCode: '', name: alpha3, currency: 'XOF' };
      const expirationDate = new Date(now.getTime() + BUNDLE_DAYS * 86_400_000);
      expirationDate.setUTCHours(23, 59, 59, 0);
      const price = Math.round(initialUnits * PRICE_PER_UNIT);
      const currencyLabel = country.currency === 'XOF' || country.currency === 'XAF' ? 'FCFA' : country.currency;
      return {
        id: randomUUID(),
        country,
        availableUnits: initialUnits,
        requestedUnits: initialUnits,
        creationDate: now,
        expirationDate,
        lastUpdateDate: now,
        purchaseOrderId: randomUUID(),
        bundleId: randomUUID(),
        bundleDescription: `Bundle 1 - ${initialUnits} SMS for ${price} ${currencyLabel} (for ${BUNDLE_DAYS} days)`,
        price,
        payerMsisdn: `${country.callingCode || '225'}0700000000`,
      };
    });
  }

  /**
   * Contract charged for a recipient. Rule (kept simple on purpose): a recipient in a known country
   * uses that country's contract, or is refused "No contract for country" when the account holds
   * none; a recipient whose calling code the emulator does not know uses the first contract.
   * A contract with 0 units left behaves like an expired one (Orange's recorded "Expired contract");
   * one with some units but fewer than the message needs answers "Insufficient balance".
   */
  contractFor(address: string, units: number): ContractLookup {
    const country = countryOfAddress(address);
    const contract = country ? this.contracts.find((c) => c.country.alpha3 === country.alpha3) : this.contracts[0];
    if (!contract) return { refusal: policyReasons.noContractForCountry };
    if (contract.availableUnits <= 0 || contract.expirationDate.getTime() <= Date.now()) {
      return { refusal: policyReasons.expiredContract };
    }
    if (contract.availableUnits < units) return { refusal: policyReasons.insufficientBalance };
    return { contract };
  }

  /** Charges an accepted send. */
  consume(contract: EmulatedContract, appId: string, units: number, now = new Date()): void {
    contract.availableUnits -= units;
    contract.lastUpdateDate = now;
    const key = `${contract.country.alpha3}|${appId}`;
    const entry = this.usage.get(key) ?? { country: contract.country.alpha3, appId, usage: 0, nbEnforcements: 0 };
    entry.usage += units;
    entry.nbEnforcements += 1;
    this.usage.set(key, entry);
  }
}
