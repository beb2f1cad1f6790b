import type { OrangeSmsStatus } from '../tracking/orange-sms.status.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';
import type { OrangeSmsDeliveryCounts, OrangeSmsDeliveryStats } from './orange-sms.stats.interfaces.js';
import { median } from './orange-sms.report.js';

const STATUSES: OrangeSmsStatus[] = [
  'submitted',
  'delivered_to_network',
  'waiting',
  'delivered',
  'failed',
  'uncertain',
];

/** Counts by status, delivery rate and median time to delivery, overall and per country. */
export function computeDeliveryStats(
  messages: readonly TrackedSms[],
  period: { since?: Date; until?: Date } = {},
): OrangeSmsDeliveryStats {
  const overall = emptyCounts();
  const byCountry: Record<string, OrangeSmsDeliveryCounts> = {};
  const deliveryTimes: number[] = [];
  for (const message of messages) {
    const country = message.country ?? 'unknown';
    const counts = (byCountry[country] ??= emptyCounts());
    for (const target of [overall, counts]) {
      target.total++;
      target.byStatus[message.status]++;
    }
    if (message.status === 'delivered' && message.deliveredAt) {
      deliveryTimes.push(message.deliveredAt.getTime() - message.submittedAt.getTime());
    }
  }
  for (const counts of [overall, ...Object.values(byCountry)]) {
    counts.deliveryRate = counts.total === 0 ? null : counts.byStatus.delivered / counts.total;
  }
  return {
    ...(period.since ? { since: period.since } : {}),
    ...(period.until ? { until: period.until } : {}),
    ...overall,
    medianDeliveryMs: median(deliveryTimes),
    byCountry,
  };
}

function emptyCounts(): OrangeSmsDeliveryCounts {
  return {
    total: 0,
    byStatus: Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<OrangeSmsStatus, number>,
    deliveryRate: null,
  };
}
