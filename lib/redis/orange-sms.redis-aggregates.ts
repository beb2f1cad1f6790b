import type { OrangeSmsAggregateQuery, OrangeSmsAggregateRow } from '../interfaces/orange-sms.aggregate.interfaces.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';
import type { OrangeSmsStatus } from '../interfaces/orange-sms.status.interfaces.js';
import { aggregateEntry, periodStart, sortAggregateRows } from '../stats/orange-sms.report.js';

export const HOUR_MS = 3_600_000;

/**
 * Delivery times are counted in buckets 1 % wide (bucket b holds [1.01^(b-1), 1.01^b) ms; bucket 0
 * holds under 1 ms), so the median read from the counters is within 0.5 % of the exact one.
 */
export const DELIVERY_BUCKET_LOG = Math.log(1.01);

export function deliveryBucket(elapsedMs: number): number {
  return elapsedMs < 1 ? 0 : Math.floor(Math.log(elapsedMs) / DELIVERY_BUCKET_LOG) + 1;
}

function bucketValue(bucket: number): number {
  return bucket === 0 ? 0 : Math.round(Math.exp((bucket - 0.5) * DELIVERY_BUCKET_LOG));
}

interface Row {
  row: OrangeSmsAggregateRow;
  histogram: Map<number, number>;
}

/**
 * Rows of an aggregate from the hourly counters of `RedisOrangeSmsStore` and, for the edges of the
 * window the counters cannot cut (part of an hour, hours before counting started), from messages
 * read one by one. Both give the same counts; medians come from the buckets.
 */
export class CounterAggregator {
  private readonly rows = new Map<string, Row>();

  constructor(private readonly query: OrangeSmsAggregateQuery) {}

  /** Whether the hour starting at `hour` lies in one period (false for zones a half hour off UTC). */
  fitsOnePeriod(hour: number): boolean {
    const { interval, timeZone } = this.query;
    return !interval || periodStart(hour, interval, timeZone) === periodStart(hour + HOUR_MS - 1, interval, timeZone);
  }

  /**
   * One hour's hash: `c|status|country|account|sender`, `u|status|country|account|sender`,
   * `d|country|account|bucket|sender` (the sender last: it is the one field that may hold a `|`).
   */
  addCounters(hour: number, fields: Record<string, string>): void {
    for (const [field, raw] of Object.entries(fields)) {
      const value = Number(raw);
      if (!value) continue;
      const parts = field.split('|');
      const kind = parts[0];
      if (kind === 'c' || kind === 'u') {
        const [, status, country, account, ...sender] = parts as [string, OrangeSmsStatus, string, string, ...string[]];
        if (!this.counts(account)) continue;
        const row = this.entry(hour, { status, country, account, senderName: sender.join('|') }).row;
        if (kind === 'c') row.byStatus[status] += value;
        else row.units += value;
      } else if (kind === 'd') {
        const [, country, account, bucket, ...sender] = parts as [string, string, string, string, ...string[]];
        if (!this.counts(account)) continue;
        const { histogram } = this.entry(hour, { status: 'delivered', country, account, senderName: sender.join('|') });
        histogram.set(Number(bucket), (histogram.get(Number(bucket)) ?? 0) + value);
      }
    }
  }

  addMessage(message: TrackedSms): void {
    if (!this.counts(message.account ?? 'default')) return;
    const entry = this.entry(message.submittedAt.getTime(), message);
    entry.row.byStatus[message.status]++;
    entry.row.units += message.segments;
    if (message.status === 'delivered' && message.deliveredAt) {
      const bucket = deliveryBucket(message.deliveredAt.getTime() - message.submittedAt.getTime());
      entry.histogram.set(bucket, (entry.histogram.get(bucket) ?? 0) + 1);
    }
  }

  build(): OrangeSmsAggregateRow[] {
    const rows: OrangeSmsAggregateRow[] = [];
    for (const { row, histogram } of this.rows.values()) {
      // Counters of messages that moved on leave zeros behind: a row exists only for messages.
      if (Object.values(row.byStatus).every((count) => count === 0)) continue;
      rows.push({ ...row, medianDeliveryMs: medianOf(histogram) });
    }
    return sortAggregateRows(rows);
  }

  /** Whether the query's account filter keeps this account's messages. */
  private counts(account: string): boolean {
    return this.query.account === undefined || this.query.account === account;
  }

  private entry(at: number, message: Pick<TrackedSms, 'status' | 'country' | 'senderName' | 'account'>): Row {
    return aggregateEntry(this.rows, this.query, at, message, () => ({ histogram: new Map<number, number>() }));
  }
}

/** The median of a histogram of buckets (the mean of the two middle values for an even count). */
function medianOf(histogram: Map<number, number>): number | null {
  const buckets = [...histogram.entries()].filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return null;
  const at = (index: number) => {
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (index < seen) return bucketValue(bucket);
    }
    return bucketValue(buckets[buckets.length - 1]![0]);
  };
  return (at(Math.floor((total - 1) / 2)) + at(Math.floor(total / 2))) / 2;
}
