import { OrangeSmsApiError } from '../errors/orange-sms.errors.js';
import type {
  OrangeSmsContract,
  OrangeSmsContractState,
  OrangeSmsPurchaseOrder,
  OrangeSmsUsageEntry,
} from '../interfaces/orange-sms.stats.interfaces.js';
import { isRecord } from '../common/orange-sms.json-helpers.js';

/**
 * Orange changed the admin response formats (API reference §5): the current one is flat arrays and
 * `developerId`; the legacy one nests under `partnerContracts` / `partnerStatistics.partnerId` /
 * `purchaseOrders`, and its dates have no time zone. Both normalise to the same objects.
 */
type Json = Record<string, unknown>;

export function normaliseContracts(body: unknown, legacyTimeZone = 'UTC', now: Date = new Date()): OrangeSmsContract[] {
  // The two formats differ only in where each field sits.
  const contract = (c: Json, id: unknown, offer: unknown, expires: unknown): OrangeSmsContract => {
    const expiry = optionalDate('expiresAt', expires, legacyTimeZone);
    return {
      id: String(id),
      country: String(c.country),
      offer: String(offer ?? ''),
      availableUnits: toNumber(c.availableUnits),
      ...expiry,
      state: contractState(optionalString(c.status), expiry.expiresAt, now),
      raw: c,
    };
  };
  if (Array.isArray(body)) {
    return body.filter(isRecord).map((c) => contract(c, c.id, c.offerName ?? c.service, c.expirationDate));
  }
  const partner = isRecord(body) && isRecord(body.partnerContracts) ? body.partnerContracts : undefined;
  if (!partner) throw unexpected('contracts');
  return list(partner.contracts).flatMap((group) =>
    list(group.serviceContracts).map((c) => contract(c, c.contractId, c.service ?? group.service, c.expires)),
  );
}

/** Orange's `status` when it sends one (ACTIVE, EXPIRED …), and in any case a past expiry date. */
export function contractState(
  status: string | undefined,
  expiresAt: Date | undefined,
  now: Date,
): OrangeSmsContractState {
  const normalised = status?.trim().toUpperCase();
  if (normalised === 'EXPIRED') return 'expired';
  if (normalised !== undefined && normalised !== '' && normalised !== 'ACTIVE') return 'inactive';
  if (expiresAt !== undefined && expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

export function normaliseStatistics(body: unknown): OrangeSmsUsageEntry[] {
  const statistics = isRecord(body) && isRecord(body.partnerStatistics) ? body.partnerStatistics.statistics : undefined;
  if (!Array.isArray(statistics)) throw unexpected('statistics');
  return list(statistics).flatMap((service) =>
    list(service.serviceStatistics).flatMap((country) =>
      list(country.countryStatistics).map((entry) => {
        const appId = entry.appid ?? entry.applicationId ?? null;
        return {
          country: String(country.country),
          appId: appId === null ? null : String(appId),
          offer: String(service.service ?? ''),
          usage: toNumber(entry.usage),
          raw: entry,
        };
      }),
    ),
  );
}

export function normalisePurchaseOrders(body: unknown, legacyTimeZone = 'UTC'): OrangeSmsPurchaseOrder[] {
  if (Array.isArray(body)) {
    return body.filter(isRecord).map((o) =>
      compact({
        id: String(o.id),
        contractId: optionalString(o.contractId),
        country: optionalString(o.country),
        offer: optionalString(o.offerName),
        bundleId: optionalString(o.bundleId),
        bundleDescription: optionalString(o.bundleDescription),
        amount: optionalNumber(o.price),
        currency: optionalString(o.currency),
        ...optionalDate('purchasedAt', o.purchaseDate, 'UTC'),
        raw: o,
      }),
    );
  }
  if (!isRecord(body) || !Array.isArray(body.purchaseOrders)) throw unexpected('purchase orders');
  return list(body.purchaseOrders).map((o) => {
    // Printed `orderExecutioninformation`; one client model spells it `OrderExecutionInformation`.
    const execution = (o.orderExecutioninformation ??
      o.OrderExecutionInformation ??
      o.orderExecutionInformation ??
      {}) as Json;
    return compact({
      id: String(o.purchaseOrderId),
      contractId: optionalString(execution.contractId),
      country: optionalString(execution.country),
      offer: optionalString(execution.service),
      bundleId: optionalString(o.bundleId),
      bundleDescription: optionalString(o.bundleDescription),
      amount: optionalNumber(execution.amount),
      currency: optionalString(execution.currency),
      ...optionalDate('purchasedAt', execution.date, legacyTimeZone),
      raw: o,
    });
  });
}

/**
 * A date from Orange: ISO with a zone is taken as is; a zone-less one (legacy format) is read as
 * wall time in `timeZone` (an IANA name), explicitly rather than in this server's local zone.
 */
export function parseOrangeDate(value: unknown, timeZone: string): Date | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/(Z|[+-]\d\d:?\d\d)$/i.test(text)) return validDate(new Date(text));
  const match = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d+))?)?$/.exec(text);
  // Another format: only when it names its zone (e.g. an RFC 1123 `GMT` date), never in the server's.
  if (!match) return /\b(GMT|UTC)\b|[+-]\d\d:?\d\d$/i.test(text) ? validDate(new Date(text)) : undefined;
  const [, y, mo, d, h, mi, s = '0', ms = '0'] = match;
  const wall = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s, Number(ms.padEnd(3, '0').slice(0, 3)));
  if (timeZone === 'UTC') return new Date(wall);
  // The zone's offset at that instant; recomputed once so a DST edge lands on the right side.
  const first = wall - zoneOffsetMs(wall, timeZone);
  return new Date(wall - zoneOffsetMs(first, timeZone));
}

function zoneOffsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

function optionalDate<K extends string>(key: K, value: unknown, timeZone: string): Partial<Record<K, Date>> {
  const date = parseOrangeDate(value, timeZone);
  return date ? ({ [key]: date } as Record<K, Date>) : {};
}

function validDate(date: Date): Date | undefined {
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function toNumber(value: unknown): number {
  const number = Number(value);
  return Number.isFinite(number) ? number : 0;
}

function optionalNumber(value: unknown): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

function optionalString(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}

/** Drops undefined fields, so objects from either format compare equal. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

function unexpected(what: string): OrangeSmsApiError {
  return new OrangeSmsApiError({
    status: 200,
    kind: 'http',
    text: `Orange's ${what} answer is in neither the current nor the legacy format`,
    variables: [],
  });
}
