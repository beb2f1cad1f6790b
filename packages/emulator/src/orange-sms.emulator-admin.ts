/**
 * Bodies of the admin endpoints (reference section 5) in both formats, rendered from the same
 * account state so a consumer that normalises both gets the same numbers:
 * - contracts: availableUnits per country;
 * - statistics: usage (units) per country and app; nbEnforcements (accepted send requests) exists
 *   only in the current format;
 * - purchase orders: one per contract, the initial bundle.
 * Legacy dates carry no time zone (as recorded); the emulator writes them in UTC, so a normaliser
 * reading them as UTC gets the same instants as the current format.
 */
import type { EmulatedAccount, EmulatedContract } from './orange-sms.emulator-account.js';
import type { OrangeSmsEmulatorAdminFormat } from './orange-sms.emulator-types.js';

const SERVICE = 'SMS_OCB';

export interface AdminFilters {
  /** ISO alpha-3, upper-cased by the caller. */
  country?: string;
  appid?: string;
}

/** `2022-03-02T20:00:00`: ISO 8601 local form without zone or milliseconds. */
function zoneless(date: Date): string {
  return date.toISOString().slice(0, 19);
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "March 2, 2022 8:00 PM" as in the recorded `scDescription` (UTC). */
function longDate(date: Date): string {
  const h = date.getUTCHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()} ${hour12}:${minutes} ${h < 12 ? 'AM' : 'PM'}`;
}

function selectContracts(account: EmulatedAccount, filters: AdminFilters): EmulatedContract[] {
  return account.contracts.filter((c) => !filters.country || c.country.alpha3 === filters.country);
}

function contractStatus(contract: EmulatedContract): 'ACTIVE' | 'EXPIRED' {
  return contract.availableUnits > 0 && contract.expirationDate.getTime() > Date.now() ? 'ACTIVE' : 'EXPIRED';
}

/** GET /sms/admin/v1/contracts */
export function contractsBody(
  account: EmulatedAccount,
  format: OrangeSmsEmulatorAdminFormat,
  filters: AdminFilters,
): unknown {
  const contracts = selectContracts(account, filters);
  if (format === 'current') {
    return contracts.map((c) => ({
      id: c.id,
      type: 'SELFSERVICE',
      developerId: account.developerId,
      applicationId: null,
      country: c.country.alpha3,
      offerName: SERVICE,
      availableUnits: c.availableUnits,
      requestedUnits: c.requestedUnits,
      status: contractStatus(c),
      expirationDate: c.expirationDate.toISOString(),
      creationDate: c.creationDate.toISOString(),
      lastUpdateDate: c.lastUpdateDate.toISOString(),
    }));
  }
  const serviceContracts = contracts.map((c) => ({
    country: c.country.alpha3,
    service: SERVICE,
    contractId: c.id,
    availableUnits: c.availableUnits,
    expires: zoneless(c.expirationDate),
    scDescription: `${c.country.name} - ${c.availableUnits} units to consume before ${longDate(c.expirationDate)}`,
  }));
  return {
    partnerContracts: {
      partnerId: account.partnerId,
      contracts:
        serviceContracts.length === 0
          ? []
          : [{ service: SERVICE, contractDescription: 'SMS Africa and Middle East', serviceContracts }],
    },
  };
}

/** GET /sms/admin/v1/statistics */
export function statisticsBody(
  account: EmulatedAccount,
  format: OrangeSmsEmulatorAdminFormat,
  filters: AdminFilters,
): unknown {
  const serviceStatistics = selectContracts(account, filters)
    .map((c) => {
      const entries = [...account.usage.values()].filter(
        (u) => u.country === c.country.alpha3 && (!filters.appid || u.appId === filters.appid),
      );
      const countryStatistics =
        format === 'current'
          ? entries.map((u) => ({ appid: u.appId, usage: u.usage, nbEnforcements: u.nbEnforcements }))
          : entries.map((u) => ({ applicationId: u.appId, usage: u.usage }));
      return { country: c.country.alpha3, countryStatistics };
    })
    .filter((s) => s.countryStatistics.length > 0);
  const statistics = [{ service: SERVICE, serviceStatistics }];
  return format === 'current'
    ? { partnerStatistics: { developerId: account.developerId, statistics } }
    : { partnerStatistics: { partnerId: account.partnerId, statistics } };
}

/** GET /sms/admin/v1/purchaseorders */
export function purchaseOrdersBody(
  account: EmulatedAccount,
  format: OrangeSmsEmulatorAdminFormat,
  filters: AdminFilters,
): unknown {
  const contracts = selectContracts(account, filters);
  if (format === 'current') {
    return contracts.map((c) => ({
      id: c.purchaseOrderId,
      developerId: account.developerId,
      contractId: c.id,
      country: c.country.alpha3,
      offerName: SERVICE,
      bundleId: c.bundleId,
      bundleDescription: c.bundleDescription,
      price: c.price,
      currency: c.country.currency,
      purchaseDate: c.creationDate.toISOString(),
      paymentMode: 'OrangeMoney',
      paymentProviderOrderId: null,
      payerId: c.payerMsisdn,
      type: 'BUNDLE_PURCHASE',
      oldAvailableUnits: 0,
      newAvailableUnits: c.requestedUnits,
      oldExpirationDate: null,
      newExpirationDate: c.expirationDate.toISOString(),
      externalId: null,
      comment: null,
    }));
  }
  return {
    purchaseOrders: contracts.map((c) => ({
      purchaseOrderId: c.purchaseOrderId,
      mode: 'OCB',
      bundleId: c.bundleId,
      bundleDescription: c.bundleDescription,
      partnerId: account.partnerId,
      inputs: [
        { type: 'MSISDN', value: c.payerMsisdn },
        { type: 'bundleId', value: c.bundleId },
      ],
      orderExecutioninformation: {
        date: zoneless(c.creationDate),
        amount: c.price,
        currency: c.country.currency,
        service: SERVICE,
        country: c.country.alpha3,
        contractId: c.id,
      },
    })),
  };
}
