/**
 * Reports over tracked messages: periods in a time zone, counts per period and group, and the rows of
 * an export. Pure functions: the stores decide how the messages are read (a scan of the capped
 * memory store, a cursor elsewhere).
 */
import { maskPhoneNumber } from '../logging/orange-sms.mask.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';
import { STATUS_RANK, type OrangeSmsStatus } from '../tracking/orange-sms.status.js';
import type {
  OrangeSmsAggregateQuery,
  OrangeSmsAggregateRow,
  OrangeSmsReportGroupBy,
  OrangeSmsReportInterval,
} from '../interfaces/orange-sms.aggregate.interfaces.js';
import type { OrangeSmsReport, OrangeSmsReportRow } from '../interfaces/orange-sms.stats.interfaces.js';

const MINUTE_MS = 60_000;

/** The wall-clock fields of `instant` in `timeZone`. */
function wallClock(
  instant: number,
  timeZone: string,
): { y: number; mo: number; d: number; h: number; mi: number; wd: number } {
  const parts = formatter(timeZone).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return {
    y: Number(get('year')),
    mo: Number(get('month')),
    d: Number(get('day')),
    h: Number(get('hour')) % 24,
    mi: Number(get('minute')),
    wd: weekdays.indexOf(get('weekday')),
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The zone's offset from UTC at `instant`, in ms (wall clock minus UTC). */
function offsetAt(instant: number, timeZone: string): number {
  const { y, mo, d, h, mi } = wallClock(instant, timeZone);
  const local = Date.UTC(y, mo - 1, d, h, mi);
  return Math.round((local - Math.floor(instant / MINUTE_MS) * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
}

/** The instant of a wall-clock time in `timeZone` (the earlier one when a clock change repeats it). */
function fromWallClock(y: number, mo: number, d: number, h: number, timeZone: string): number {
  const asUtc = Date.UTC(y, mo - 1, d, h);
  let instant = asUtc - offsetAt(asUtc, timeZone);
  instant = asUtc - offsetAt(instant, timeZone);
  return instant;
}

/** Start of the period holding `instant`, in `timeZone`: weeks start on Monday (ISO). */
export function periodStart(instant: number, interval: OrangeSmsReportInterval, timeZone: string): number {
  const { y, mo, d, wd } = wallClock(instant, timeZone);
  switch (interval) {
    case 'hour': {
      // Zones a half hour off UTC (Asia/Tehran): the hour starts at the zone's :00, found from the offset.
      const offset = offsetAt(instant, timeZone);
      const local = instant + offset;
      return local - (((local % 3_600_000) + 3_600_000) % 3_600_000) - offset;
    }
    case 'day':
      return fromWallClock(y, mo, d, 0, timeZone);
    case 'week': {
      const monday = new Date(Date.UTC(y, mo - 1, d - wd));
      return fromWallClock(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0, timeZone);
    }
    case 'month':
      return fromWallClock(y, mo, 1, 0, timeZone);
  }
}

/** A message's group in a report: the same values on every store. */
export function groupOf(
  message: Pick<TrackedSms, 'country' | 'senderName' | 'status' | 'account'>,
  groupBy: OrangeSmsReportGroupBy,
): string {
  switch (groupBy) {
    case 'country':
      return message.country || 'unknown';
    case 'senderName':
      return message.senderName ?? '';
    case 'status':
      return message.status;
    case 'account':
      return message.account ?? 'default';
  }
}

/**
 * The row of `rows` for the period holding `at` and the group of `message`, created empty when new,
 * with its extra state (delivery times, a histogram).
 */
export function aggregateEntry<T extends { row: OrangeSmsAggregateRow }>(
  rows: Map<string, T>,
  query: OrangeSmsAggregateQuery,
  at: number,
  message: Pick<TrackedSms, 'country' | 'senderName' | 'status' | 'account'>,
  extra: () => Omit<T, 'row'>,
): T {
  const { interval, timeZone, groupBy } = query;
  const period = interval ? periodStart(at, interval, timeZone) : undefined;
  const group = groupBy ? groupOf(message, groupBy) : undefined;
  const key = `${period ?? ''}\n${group ?? ''}`;
  let entry = rows.get(key);
  if (!entry) {
    const row: OrangeSmsAggregateRow = {
      ...(period !== undefined ? { period: new Date(period) } : {}),
      ...(group !== undefined ? { group } : {}),
      byStatus: emptyStatusCounts(),
      units: 0,
      medianDeliveryMs: null,
    };
    entry = { row, ...extra() } as T;
    rows.set(key, entry);
  }
  return entry;
}

export function emptyStatusCounts(): Record<OrangeSmsStatus, number> {
  return Object.fromEntries(Object.keys(STATUS_RANK).map((status) => [status, 0])) as Record<OrangeSmsStatus, number>;
}

interface Accumulator {
  row: OrangeSmsAggregateRow;
  deliveryTimes: number[];
}

/**
 * Counts per period (of `submittedAt`, in `timeZone`) and group, one message at a time, so a report
 * over a long history holds one accumulator per row, not the messages: the scan behind every store
 * that has no `aggregateMessages` (the capped memory store), and Redis's for what its counters cannot
 * answer.
 */
export class MessageAggregator {
  private readonly rows = new Map<string, Accumulator>();

  constructor(private readonly query: OrangeSmsAggregateQuery) {}

  add(message: TrackedSms): void {
    if (this.query.account !== undefined && (message.account ?? 'default') !== this.query.account) return;
    const entry = aggregateEntry(this.rows, this.query, message.submittedAt.getTime(), message, () => ({
      deliveryTimes: [] as number[],
    }));
    entry.row.byStatus[message.status]++;
    entry.row.units += message.segments;
    if (message.status === 'delivered' && message.deliveredAt) {
      entry.deliveryTimes.push(message.deliveredAt.getTime() - message.submittedAt.getTime());
    }
  }

  build(): OrangeSmsAggregateRow[] {
    return sortAggregateRows(
      [...this.rows.values()].map(({ row, deliveryTimes }) => ({ ...row, medianDeliveryMs: median(deliveryTimes) })),
    );
  }
}

/** By period, then group. */
export function sortAggregateRows(rows: OrangeSmsAggregateRow[]): OrangeSmsAggregateRow[] {
  return rows.sort(
    (a, b) => (a.period?.getTime() ?? 0) - (b.period?.getTime() ?? 0) || (a.group ?? '').localeCompare(b.group ?? ''),
  );
}

/** Report rows from aggregate rows: `delivered + failed + pending = sent`. */
export function reportOf(
  rows: readonly OrangeSmsAggregateRow[],
  query: { interval: OrangeSmsReportInterval; timeZone: string; groupBy?: OrangeSmsReportGroupBy },
): OrangeSmsReport {
  return {
    interval: query.interval,
    timeZone: query.timeZone,
    ...(query.groupBy ? { groupBy: query.groupBy } : {}),
    rows: rows.map((row): OrangeSmsReportRow => {
      const sent = Object.values(row.byStatus).reduce((sum, count) => sum + count, 0);
      const delivered = row.byStatus.delivered;
      const failed = row.byStatus.failed;
      return {
        period: row.period!,
        ...(row.group !== undefined ? { group: row.group } : {}),
        sent,
        delivered,
        failed,
        pending: sent - delivered - failed,
        units: row.units,
        deliveryRate: sent === 0 ? 0 : delivered / sent,
        medianDeliveryMs: row.medianDeliveryMs,
      };
    }),
  };
}

export function computeReport(
  messages: Iterable<TrackedSms>,
  query: { interval: OrangeSmsReportInterval; timeZone: string; groupBy?: OrangeSmsReportGroupBy },
): OrangeSmsReport {
  const aggregator = new MessageAggregator(query);
  for (const message of messages) aggregator.add(message);
  return reportOf(aggregator.build(), query);
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// ---- export ------------------------------------------------------------------------------------

export const EXPORT_COLUMNS = [
  'id',
  'submittedAt',
  'to',
  'country',
  'senderAddress',
  'senderName',
  'status',
  'deliveryStatus',
  'segments',
  'encoding',
  'deliveredAt',
  'updatedAt',
  'reference',
] as const;

/** One message as an export record (no text: exports leave the system; numbers masked unless asked). */
export function exportRecord(
  message: TrackedSms,
  maskNumbers: boolean,
): Record<(typeof EXPORT_COLUMNS)[number], string | number | null> {
  return {
    id: message.id,
    submittedAt: message.submittedAt.toISOString(),
    // As stored (`tel:+…`), so no cell starts with `+` (a spreadsheet formula).
    to: withTel(maskNumbers ? maskPhoneNumber(message.to) : message.to),
    country: message.country ?? null,
    senderAddress: message.senderAddress,
    senderName: message.senderName ?? null,
    status: message.status,
    deliveryStatus: message.deliveryStatus ?? null,
    segments: message.segments,
    encoding: message.encoding,
    deliveredAt: message.deliveredAt?.toISOString() ?? null,
    updatedAt: message.updatedAt.toISOString(),
    reference: message.reference ?? null,
  };
}

/**
 * One CSV field (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (`=`, `+`, `-`,
 * `@`, tab, CR) is prefixed with `'`: references and sender names come from outside.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function withTel(address: string): string {
  return address.startsWith('tel:') ? address : `tel:${address}`;
}
