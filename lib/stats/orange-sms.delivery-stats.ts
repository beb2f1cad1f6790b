import type { OrangeSmsAggregateRow } from '../interfaces/orange-sms.aggregate.interfaces.js';
import type { OrangeSmsDeliveryCounts, OrangeSmsDeliveryStats } from '../interfaces/orange-sms.stats.interfaces.js';
import { emptyStatusCounts } from './orange-sms.report.js';

/**
 * Counts by status, delivery rate and median time to delivery, overall and per country, from two
 * aggregates of one window: without groups (`overall`, at most one row) and by country.
 */
export function deliveryStatsOf(
  overall: readonly OrangeSmsAggregateRow[],
  byCountry: readonly OrangeSmsAggregateRow[],
  period: { since?: Date; until?: Date } = {},
): OrangeSmsDeliveryStats {
  const whole = overall[0];
  return {
    ...(period.since ? { since: period.since } : {}),
    ...(period.until ? { until: period.until } : {}),
    ...countsOf(whole?.byStatus ?? emptyStatusCounts()),
    medianDeliveryMs: whole?.medianDeliveryMs ?? null,
    byCountry: Object.fromEntries(byCountry.map((row) => [row.group ?? 'unknown', countsOf(row.byStatus)])),
  };
}

function countsOf(byStatus: OrangeSmsDeliveryCounts['byStatus']): OrangeSmsDeliveryCounts {
  const total = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
  return { total, byStatus: { ...byStatus }, deliveryRate: total === 0 ? null : byStatus.delivered / total };
}
