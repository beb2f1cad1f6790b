import type { OrangeSmsStatus } from './orange-sms.status.interfaces.js';

export type OrangeSmsReportInterval = 'hour' | 'day' | 'week' | 'month';
export type OrangeSmsReportGroupBy = 'country' | 'senderName' | 'status' | 'account';

/**
 * What `OrangeSmsStore.aggregateMessages` counts: the messages submitted in `[since, until)`, per
 * period of `submittedAt` cut in `timeZone` and, with `groupBy`, per group.
 */
export interface OrangeSmsAggregateQuery {
  since?: Date;
  until?: Date;
  /** Without one, the whole window is a single row per group (no `period`). */
  interval?: OrangeSmsReportInterval;
  /** IANA zone the periods are cut in (weeks start on Monday). */
  timeZone: string;
  /** Groups: country (ISO alpha-3 or `unknown`), sender name (`''` when none), status, account. */
  groupBy?: OrangeSmsReportGroupBy;
  /** Only this account's messages (records without one are `default`'s). */
  account?: string;
}

/** One period and group of an aggregate. */
export interface OrangeSmsAggregateRow {
  period?: Date;
  group?: string;
  /** Messages per current status; their sum is the messages submitted. */
  byStatus: Record<OrangeSmsStatus, number>;
  /** SMS segments, every status included (Orange bills failed ones too). */
  units: number;
  /** Median time from submit to `DeliveredToTerminal` over the delivered ones; null when none. */
  medianDeliveryMs: number | null;
}
