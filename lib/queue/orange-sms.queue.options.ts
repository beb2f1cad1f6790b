import type { ConnectionOptions } from 'bullmq';
import { OrangeSmsConfigurationError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsQueueRetention } from '../orange-sms.options.js';

/** `OrangeSmsQueueModule.forRoot(options)`: every field is optional. */
export interface OrangeSmsQueueModuleOptions {
  /** BullMQ queue name (`@InjectQueue(name)`, `@OnWorkerEvent`). @default 'orange-sms' */
  name?: string;
  /**
   * A BullMQ connection for this queue. By default the host's `BullModule.forRoot` connection when
   * there is one, else connections built from `OrangeSmsModule`'s `redis` option.
   */
  connection?: ConnectionOptions;
  /** `BullModule.forRoot(configKey, …)` of the host to use. */
  configKey?: string;
  /** Run a worker in this instance; false makes it a producer only. @default true */
  worker?: boolean;
  /** Jobs in flight per worker; pacing still applies fleet-wide. @default 5 */
  concurrency?: number;
  /** Tries per message for retryable failures. @default 5 */
  attempts?: number;
  /** First retry delay, doubling. @default 1000 */
  backoffMs?: number;
  /** Completed jobs kept (the same `reference` is deduped while kept). @default { count: 1000, ageSeconds: 86400 } */
  keepCompleted?: Partial<OrangeSmsQueueRetention>;
  /** Failed jobs kept, for inspection. @default { count: 10000, ageSeconds: 604800 } */
  keepFailed?: Partial<OrangeSmsQueueRetention>;
  /** A frozen or killed worker's job is taken over after this (BullMQ lock). @default 10000 */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock ran out. @default 5000 */
  stalledIntervalMs?: number;
}

export interface OrangeSmsResolvedQueueModuleOptions {
  name: string;
  connection?: ConnectionOptions;
  configKey?: string;
  worker: boolean;
  concurrency: number;
  attempts: number;
  backoffMs: number;
  keepCompleted: OrangeSmsQueueRetention;
  keepFailed: OrangeSmsQueueRetention;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/** Checks every field and reports all bad ones in one error, as the core's options do. */
export function resolveQueueModuleOptions(
  value: OrangeSmsQueueModuleOptions = {},
): OrangeSmsResolvedQueueModuleOptions {
  const issues: { field: string; reason: string }[] = [];
  const whole = (field: string, v: number | undefined, fallback: number, zeroAllowed = false) => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v) || v < (zeroAllowed ? 0 : 1)) {
      issues.push({
        field: `queue.${field}`,
        reason: `expected a ${zeroAllowed ? 'whole number' : 'positive integer'}`,
      });
    }
    return v;
  };
  const keep = (field: string, v: Partial<OrangeSmsQueueRetention> | undefined, fallback: OrangeSmsQueueRetention) => ({
    count: whole(`${field}.count`, v?.count, fallback.count, true),
    ageSeconds: whole(`${field}.ageSeconds`, v?.ageSeconds, fallback.ageSeconds),
  });
  const name = value.name ?? 'orange-sms';
  if (typeof name !== 'string' || name === '' || name.includes(':')) {
    issues.push({ field: 'queue.name', reason: "expected a non-empty string without ':'" });
  }
  const resolved: OrangeSmsResolvedQueueModuleOptions = {
    name,
    ...(value.connection ? { connection: value.connection } : {}),
    ...(value.configKey ? { configKey: value.configKey } : {}),
    worker: value.worker ?? true,
    concurrency: whole('concurrency', value.concurrency, 5),
    attempts: whole('attempts', value.attempts, 5),
    backoffMs: whole('backoffMs', value.backoffMs, 1_000),
    keepCompleted: keep('keepCompleted', value.keepCompleted, { count: 1_000, ageSeconds: 86_400 }),
    keepFailed: keep('keepFailed', value.keepFailed, { count: 10_000, ageSeconds: 7 * 86_400 }),
    lockDurationMs: whole('lockDurationMs', value.lockDurationMs, 10_000),
    stalledIntervalMs: whole('stalledIntervalMs', value.stalledIntervalMs, 5_000),
  };
  if (issues.length > 0) throw new OrangeSmsConfigurationError(issues);
  return resolved;
}
