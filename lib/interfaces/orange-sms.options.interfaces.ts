import type { OrangeSmsStore } from './orange-sms.store.interfaces.js';

/**
 * The module's public options (`OrangeSmsModule.forRoot(options)`), with their defaults. Validated
 * at boot by `resolveOrangeSmsOptions` (lib/orange-sms.options.ts): one error names every bad field.
 */

export interface OrangeSmsRetryOptions {
  /**
   * Attempts per call, the first included. Default 3; 1 turns retries off.
   * @default 3
   */
  maxAttempts?: number;
  /**
   * First backoff delay; doubles each retry, with full jitter. Default 250 ms.
   * @default 250
   */
  initialDelayMs?: number;
  /**
   * Largest single wait, `Retry-After` included. Default 10 000 ms.
   * @default 10000
   */
  maxDelayMs?: number;
  /**
   * Total time a call may take, retries and waits included. Default 30 000 ms.
   * @default 30000
   */
  deadlineMs?: number;
}

export interface OrangeSmsRateLimitOptions {
  /**
   * Sends per second to Orange for this credential set. Default 5 (Orange's documented limit).
   * @default 5
   */
  perSecond?: number;
  /**
   * Sends allowed at once after an idle period. Default 1: a steady 1/perSecond spacing.
   * @default 1
   */
  burst?: number;
}

export interface OrangeSmsOptOutOptions {
  /**
   * First words that opt a number out. Default STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, ARRET.
   * @default ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET']
   */
  stopKeywords?: string[];
  /**
   * First words that undo it. Default START, UNSTOP.
   * @default ['START', 'UNSTOP']
   */
  startKeywords?: string[];
}

export interface OrangeSmsListenerRetryOptions {
  /**
   * Deliveries of a notification to the listeners, the first included. Default 4.
   * @default 4
   */
  maxAttempts?: number;
  /**
   * Wait before the second delivery; ×5 for each next one (1 s, 5 s, 25 s). Default 1,000 ms.
   * @default 1000
   */
  initialDelayMs?: number;
  /**
   * How long the instance that took a notification owns its delivery. Past it, any live instance's
   * sweep delivers it (its instance died). Default 30,000 ms.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * How often each instance sweeps the outbox for such notifications. Default 10,000 ms.
   * @default 10000
   */
  sweepIntervalMs?: number;
}

export interface OrangeSmsRedisOptions {
  /** `redis://…`; or give `client`. */
  url?: string;
  /** An existing ioredis client (the host keeps ownership). */
  client?: unknown;
  /**
   * Prefix of every key. Default `orange-sms:`.
   * @default 'orange-sms:'
   */
  keyPrefix?: string;
  /**
   * How long messages are kept. Default 30 days.
   * @default 2592000
   */
  messageTtlSeconds?: number;
  /**
   * Boot fails (naming host:port) when Redis does not answer a PING within this. Default 5,000 ms.
   * @default 5000
   */
  connectTimeoutMs?: number;
  /**
   * A store, pacing or token call fails with `OrangeSmsStoreError` after this. Default 2,000 ms.
   * @default 2000
   */
  commandTimeoutMs?: number;
}

/** The `postgres` option: the system of record for messages, history, inbound, opt-outs and the outbox. */
export interface OrangeSmsPostgresOptions {
  /** `postgres://user:password@host:5432/db`; or give `pool`. */
  url?: string;
  /** Your application's `pg.Pool` (TypeORM, MikroORM and Knex expose one); used, never closed. */
  pool?: unknown;
  /**
   * Schema of the module's tables (created if missing).
   * @default 'orange_sms'
   */
  schema?: string;
  /**
   * Apply pending migrations at boot, under an advisory lock. `false`: run them yourself
   * (`migrateOrangeSms(pool)` from `nestjs-orange-sms/postgres`), e.g. where DDL at runtime is forbidden.
   * @default true
   */
  migrate?: boolean;
  /** Delete messages and inbound SMS older than this many days, in batches, hourly. Default: keep all. */
  retentionDays?: number;
}

/** How many finished jobs Redis keeps, by count and by age (whichever is reached first). */
export interface OrangeSmsQueueRetention {
  count: number;
  ageSeconds: number;
}

/** The queue's settings, shared by `OrangeSmsQueueModule.forRoot()` and the deprecated `queue` option. */
export interface OrangeSmsQueueSettings {
  /** BullMQ queue name (`@InjectQueue(name)`, `@OnWorkerEvent`). @default 'orange-sms' */
  name?: string;
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

/** @deprecated `OrangeSmsQueueModule.forRoot(settings)` from `nestjs-orange-sms/queue`. */
export interface OrangeSmsQueueOptions extends OrangeSmsQueueSettings {
  /** Turn the durable outbound queue on (needs `redis` and the `bullmq` packages). */
  enabled: boolean;
}

/**
 * One Orange developer app: its credentials, sender, webhook secret and pacing. The top-level options
 * are the account `default`; `accounts` holds the others, which inherit everything else (`baseUrl`,
 * `timeoutMs`, `retry`, `maxSegments`, `optOut` …) and, when not given, `rateLimit`.
 */
export interface OrangeSmsAccountOptions {
  /** Application client id from the Orange Developer portal. */
  clientId?: string;
  clientSecret?: string;
  /** The ready `Basic …` value the portal shows; replaces clientId and clientSecret. */
  authorizationHeader?: string;
  /**
   * Default sender, `tel:+2250000`; or give `country`.
   */
  senderAddress?: string;
  /** ISO 3166-1 alpha-3 country (`CIV`, `CMR`, `SEN` …) mapped to Orange's country sender number. */
  country?: string;
  /**
   * ISO 3166-1 alpha-3 country in which national numbers (`0700000001`) are read. Default: `country`,
   * else the country of `senderAddress`.
   */
  defaultCountry?: string;
  /**
   * Default sender name; at most 11 letters, digits or spaces, approved by Orange first.
   */
  senderName?: string;
  /**
   * Secret expected on webhook calls (an account's: on `/{path}/accounts/{name}/…`); give two during
   * a rotation.
   */
  webhookSecret?: string | string[];
  /**
   * Pacing toward Orange (Orange's rate is per app); `false` turns it off (only when something else
   * paces, or in benchmarks). In `accounts`, default: the top-level one.
   */
  rateLimit?: OrangeSmsRateLimitOptions | false;
}

export interface OrangeSmsModuleOptions extends OrangeSmsAccountOptions {
  /**
   * Other Orange apps by name (lower-case letters, digits and `-`; `default` is the top-level one):
   * `send({ account })`, `/{path}/accounts/{name}/…` webhooks, reports by account.
   */
  accounts?: Record<string, OrangeSmsAccountOptions>;
  /**
   * Loads an account that `accounts` does not list, at its first use (tenants kept in a database);
   * undefined for a name that does not exist. Resolved once and cached until
   * `OrangeSmsService.forgetAccount(name)`; concurrent first uses resolve it once.
   */
  resolveAccount?: (name: string) => Promise<OrangeSmsAccountOptions | undefined> | OrangeSmsAccountOptions | undefined;
  /**
   * Default `https://api.orange.com`. Plain `http` is accepted for loopback hosts only (the emulator).
   * @default 'https://api.orange.com'
   */
  baseUrl?: string;
  /**
   * Timeout of one HTTP attempt. Default 10 000 ms.
   * @default 10000
   */
  timeoutMs?: number;
  retry?: OrangeSmsRetryOptions;
  /**
   * Largest message, in SMS segments (each one costs a unit). Default 10.
   * @default 10
   */
  maxSegments?: number;
  /** Addresses or CIDR ranges (IPv4/IPv6) allowed to call the webhooks, e.g. Orange's callback IP. */
  webhookAllowedIps?: string[];
  /**
   * Behind a proxy, the client address is read from `X-Forwarded-For`: `true` trusts one proxy
   * hop, a number trusts that many. Default false: the socket's address.
   * @default false
   */
  webhookTrustProxy?: boolean | number;
  /**
   * Larger webhook bodies get 413 (Orange's are well under 1 KiB). Checked on the declared
   * `Content-Length` and on the decoded body, after the platform's body parser. Default 64 KiB.
   * @default 65536
   */
  webhookMaxBodyBytes?: number;
  /**
   * Accept webhook calls without `webhookSecret`. Default false: the module refuses to boot with the
   * controller on and no secret, because Orange does not sign its callbacks.
   * @default false
   */
  webhookAllowUnauthenticated?: boolean;
  /** Inbound STOP/START handling; `false` turns it off. */
  optOut?: OrangeSmsOptOutOptions | false;
  /** Redelivery of a notification to listeners that failed. */
  listenerRetry?: OrangeSmsListenerRetryOptions;
  /**
   * IANA time zone of the zone-less dates in Orange's legacy admin format (`expires`). Default `UTC`;
   * Orange does not document it.
   * @default 'UTC'
   */
  legacyTimeZone?: string;
  /**
   * IANA time zone of every zone-less time Orange sends: inbound `dateTime` and the legacy admin
   * dates. Default `UTC`, never the server's zone. Replaces `legacyTimeZone` (deprecated alias).
   * @default 'UTC'
   */
  orangeTimeZone?: string;
  /**
   * Where sent messages and their status are kept. Default: `new OrangeSmsMemoryStore()` (10,000 messages).
   * @default new OrangeSmsMemoryStore()
   */
  store?: OrangeSmsStore;
  /**
   * Share state across instances on Redis (the `ioredis` package): the store (unless `store` is
   * given), one OAuth token for the fleet, and pacing that holds for the fleet.
   */
  redis?: OrangeSmsRedisOptions;
  /**
   * Keep records in PostgreSQL (the `pg` package): messages and their history, inbound SMS, opt-outs,
   * notification dedupe and the outbox. With `redis` too, Redis keeps only token, pacing and queue.
   */
  postgres?: OrangeSmsPostgresOptions;
  /** Durable outbound queue on BullMQ: `OrangeSmsService.enqueue()`. */
  queue?: OrangeSmsQueueOptions;
}
