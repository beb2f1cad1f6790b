import type { OrangeSmsReportGroupBy, OrangeSmsReportInterval } from './orange-sms.aggregate.interfaces.js';
import type { OrangeSmsStatus } from './orange-sms.status.interfaces.js';

/** One contract (a bundle of units for a country), from either of Orange's formats. */
export interface OrangeSmsContract {
  id: string;
  /** ISO alpha-3. */
  country: string;
  /** `SMS_OCB` (`offerName`, or `service` in the legacy format). */
  offer: string;
  /** Units left on this contract (spendable only when `state` is `active`). */
  availableUnits: number;
  expiresAt?: Date;
  /**
   * `active`; `expired` (Orange's `status` EXPIRED, or the expiry date is past: Orange refuses sends
   * with POL0001 "Expired contract" even with units left); `inactive` (any other `status`).
   */
  state: OrangeSmsContractState;
  /** Orange's object as received, for fields only one format has (`status`, `requestedUnits` …). */
  raw: unknown;
}

export type OrangeSmsContractState = 'active' | 'expired' | 'inactive';

export interface OrangeSmsBalance {
  /** Units that can be spent: the sum over the `active` contracts only. */
  availableUnits: number;
  /** Units left on expired or inactive contracts: listed, never counted in `availableUnits`. */
  unspendableUnits: number;
  /** Every contract Orange returned, with its `state`. */
  contracts: OrangeSmsContract[];
}

export interface OrangeSmsUsageEntry {
  country: string;
  /** Application id, null when Orange does not attribute the usage. */
  appId: string | null;
  offer: string;
  /** Units used. */
  usage: number;
  /** Orange's object as received (the current format adds `nbEnforcements`). */
  raw: unknown;
}

export interface OrangeSmsUsage {
  /** Sum of `usage` over the entries. */
  usage: number;
  entries: OrangeSmsUsageEntry[];
}

export interface OrangeSmsPurchaseOrder {
  id: string;
  contractId?: string;
  country?: string;
  offer?: string;
  bundleId?: string;
  bundleDescription?: string;
  /** Price paid (`price`, or `orderExecutioninformation.amount` in the legacy format). */
  amount?: number;
  currency?: string;
  purchasedAt?: Date;
  raw: unknown;
}

export interface OrangeSmsDeliveryStatsOptions {
  /** Messages submitted at or after. */
  since?: Date;
  /** Messages submitted before. */
  until?: Date;
  /** Only this Orange account's messages. Default: every account. */
  account?: string;
}

export interface OrangeSmsDeliveryCounts {
  total: number;
  byStatus: Record<OrangeSmsStatus, number>;
  /** Delivered over all messages counted; null when there are none. */
  deliveryRate: number | null;
}

export interface OrangeSmsDeliveryStats extends OrangeSmsDeliveryCounts {
  since?: Date;
  until?: Date;
  /** Median time from submit to `DeliveredToTerminal`, over delivered messages; null when none. */
  medianDeliveryMs: number | null;
  /** Per recipient country (ISO alpha-3, or `unknown`). */
  byCountry: Record<string, OrangeSmsDeliveryCounts>;
}

export interface OrangeSmsReportOptions {
  /** Messages submitted at or after. */
  since: Date;
  /** Messages submitted before. */
  until: Date;
  interval: OrangeSmsReportInterval;
  /**
   * IANA zone the periods are cut in.
   * @default 'UTC'
   */
  timeZone?: string;
  /** One row per period and group: country (ISO alpha-3 or `unknown`), sender name, status, account. */
  groupBy?: OrangeSmsReportGroupBy;
  /** Only this Orange account's messages. Default: every account (group by `account` to split them). */
  account?: string;
}

export interface OrangeSmsReportRow {
  /** Start of the period, in the report's zone (weeks start on Monday). */
  period: Date;
  group?: string;
  /** Messages submitted in the period; `delivered + failed + pending = sent`. */
  sent: number;
  delivered: number;
  failed: number;
  pending: number;
  /** SMS segments billed, failed messages included. */
  units: number;
  /** delivered / sent. */
  deliveryRate: number;
  /** Median time from submit to `DeliveredToTerminal`; null when none was delivered. */
  medianDeliveryMs: number | null;
}

export interface OrangeSmsReport {
  interval: OrangeSmsReportInterval;
  timeZone: string;
  groupBy?: OrangeSmsReportGroupBy;
  /** By period, then group. */
  rows: OrangeSmsReportRow[];
}

export interface OrangeSmsExportOptions {
  since?: Date;
  until?: Date;
  format: 'csv' | 'ndjson';
  /**
   * Recipients as `+22507****89`.
   * @default true
   */
  maskNumbers?: boolean;
}
