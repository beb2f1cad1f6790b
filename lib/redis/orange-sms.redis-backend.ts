import { Redis, type RedisOptions } from 'ioredis';
import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { OrangeSmsError, OrangeSmsStoreError } from '../errors/orange-sms.errors.js';
import { ORANGE_SMS_LOGGER_CONTEXT } from '../orange-sms.constants.js';
import { settleWithin } from '../http/orange-sms.deadline.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import type { OrangeSmsRateLimitOptions, OrangeSmsRedisOptions } from '../orange-sms.options.js';
import { RedisOrangeSmsRateLimiter } from './orange-sms.redis-rate-limiter.js';
import { RedisOrangeSmsStore } from './orange-sms.redis-store.js';
import { RedisOrangeSmsTokenCache } from './orange-sms.redis-token-cache.js';
import { loadScripts } from './orange-sms.redis-script.js';

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/**
 * What `redis: { url } | { client }` turns on: the shared store, the fleet's token and its pacing,
 * on one connection. A connection the module opened is closed at shutdown; a client the host gave
 * stays the host's.
 *
 * Faults are bounded in time: boot fails within `connectTimeoutMs` naming host:port; during an
 * outage every store, pacing and token call fails within `commandTimeoutMs` with
 * `OrangeSmsStoreError` (the connection has no offline queue, so a call made while disconnected
 * fails at once instead of waiting for a reconnection), and ioredis keeps reconnecting, so the app
 * recovers without a restart.
 */
export class OrangeSmsRedisBackend implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  readonly keyPrefix: string;
  readonly store: RedisOrangeSmsStore;
  readonly tokenCache: RedisOrangeSmsTokenCache;
  readonly health: OrangeSmsRedisHealth;
  readonly commandTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly ownsClient: boolean;
  private readonly limiters = new Map<string, RedisOrangeSmsRateLimiter>();
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(options: OrangeSmsRedisOptions) {
    this.ownsClient = options.client === undefined;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.client =
      (options.client as Redis | undefined) ??
      new Redis(options.url!, {
        // Connected by onModuleInit, under its own deadline.
        lazyConnect: true,
        connectTimeout: this.connectTimeoutMs,
        commandTimeout: this.commandTimeoutMs,
        // Fail fast while disconnected; a command cut by a lost connection is not replayed for a minute.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(100 * times, 2_000),
      });
    this.health = new OrangeSmsRedisHealth(describeEndpoint(this.client.options), this.logger);
    this.health.watch(this.client);
    this.keyPrefix = options.keyPrefix ?? 'orange-sms:';
    this.store = bounded(
      new RedisOrangeSmsStore(this.client, {
        keyPrefix: this.keyPrefix,
        messageTtlSeconds: options.messageTtlSeconds,
        maxTakeWaitMs: this.commandTimeoutMs,
      }),
      this.commandTimeoutMs,
      this.health.endpoint,
    );
    this.tokenCache = bounded(
      new RedisOrangeSmsTokenCache(this.client, this.keyPrefix),
      this.commandTimeoutMs,
      this.health.endpoint,
    );
  }

  private bootCheck?: Promise<void>;

  /**
   * Boot check: Redis answers a PING and takes the scripts within `connectTimeoutMs`, then its settings
   * are checked once.
   * Runs once however often it is awaited (the queue module awaits it before opening its connections).
   */
  onModuleInit(): Promise<void> {
    return (this.bootCheck ??= this.checkAtBoot());
  }

  private async checkAtBoot(): Promise<void> {
    const endpoint = this.health.endpoint;
    let lastError: unknown;
    const remember = (error: unknown) => (lastError = error);
    this.client.on('error', remember);
    try {
      await withDeadline(
        (async () => {
          if (this.client.status === 'wait') await this.client.connect();
          await this.client.ping();
          await loadScripts(this.client);
        })(),
        this.connectTimeoutMs,
      );
    } catch (error) {
      // Stop reconnecting, so a failed boot leaves nothing running.
      if (this.ownsClient) this.client.disconnect();
      const timedOut = lastError === undefined && /no answer within/.test(String((error as Error)?.message));
      throw new OrangeSmsStoreError(
        timedOut
          ? `Redis at ${endpoint} did not answer within ${this.connectTimeoutMs} ms; check redis.url and that Redis is running`
          : `Redis at ${endpoint} is unreachable (${reasonOf(lastError ?? error)}); check redis.url and that Redis is running`,
        { operation: 'connect', cause: lastError ?? error },
      );
    } finally {
      this.client.off('error', remember);
    }
    this.health.started();
    for (const warning of await checkRedisSettings(this.client)) this.logger.warn(`Redis at ${endpoint}: ${warning}`);
  }

  /**
   * The fleet's pacing of one set of credentials: one limiter per credentials and rate, reused (an
   * account forgotten and resolved again keeps its pacing state, and nothing piles up).
   */
  rateLimiter(
    options: Required<OrangeSmsRateLimitOptions>,
    credentialKey: string,
    attemptTimeoutMs: number,
  ): RedisOrangeSmsRateLimiter {
    const key = `${credentialKey}\n${options.perSecond}\n${options.burst}\n${attemptTimeoutMs}`;
    let limiter = this.limiters.get(key);
    if (!limiter) {
      limiter = new RedisOrangeSmsRateLimiter(
        this.client,
        options,
        credentialKey,
        this.keyPrefix,
        this.commandTimeoutMs,
        attemptTimeoutMs,
      );
      this.limiters.set(key, limiter);
    }
    return limiter;
  }

  /** Connection options for extra connections (BullMQ needs its own; see the queue). */
  connectionOptions(): RedisOptions {
    return this.client.options;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const limiter of this.limiters.values()) limiter.close();
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}

/**
 * One warning per outage for every connection the module opened (its own, BullMQ's): the first error
 * after a healthy period is logged with host:port (never the URL, which may hold a password); the
 * rest are swallowed until every connection is back, which is logged once too. Listening is also
 * what keeps ioredis and BullMQ from printing "Unhandled error event" stacks.
 */
export class OrangeSmsRedisHealth {
  private readonly down = new Set<object>();
  private reported = false;
  /** Until the boot check passes, its own error tells the story: no outage warning on top. */
  private booting = true;

  constructor(
    readonly endpoint: string,
    private readonly logger: Logger,
  ) {}

  watch(connection: Redis): void {
    connection.on('error', (error: Error) => this.failed(connection, error));
    connection.on('ready', () => this.recovered(connection));
  }

  started(): void {
    this.booting = false;
    this.down.clear();
  }

  failed(source: object, error: unknown): void {
    this.down.add(source);
    if (this.reported || this.booting) return;
    this.reported = true;
    this.logger.warn(
      `Redis at ${this.endpoint} is unreachable (${reasonOf(error)}): sends, enqueues and webhooks that need the store fail with OrangeSmsStoreError until it is back; reconnecting`,
    );
  }

  /**
   * An error a BullMQ queue or worker emitted. Connection errors are left to the connections' own
   * listeners (one warning per outage); anything else (a job lock lost by a frozen worker …) is
   * one line, never a stack.
   */
  queueError(error: unknown): void {
    if (this.reported || this.booting || isConnectionError(error)) return;
    this.logger.warn(`Queue (BullMQ): ${reasonOf(error)}`);
  }

  recovered(source: object): void {
    this.down.delete(source);
    if (!this.reported || this.down.size > 0) return;
    this.reported = false;
    this.logger.log(`Redis at ${this.endpoint} is reachable again`);
  }
}

/**
 * Wraps every async method of `target` so it settles within `timeoutMs`, and turns what Redis throws
 * (refused, timed out, READONLY, OOM …) into `OrangeSmsStoreError`; the module's own errors pass as
 * they are. Applies to a host-given client as well, whatever its own options.
 */
export function bounded<T extends object>(target: T, timeoutMs: number, endpoint: string): T {
  // One wrapper per method, made on first use (not one per call); keyed by the function, so a method
  // replaced on the target (a spy) gets its own.
  const wrappers = new WeakMap<object, (...args: unknown[]) => unknown>();
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || property === 'constructor') return value;
      let wrapper = wrappers.get(value);
      if (wrapper) return wrapper;
      wrapper = (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(object, args);
        } catch (error) {
          throw storeError(error, String(property), endpoint);
        }
        if (!(result instanceof Promise)) return result;
        return withDeadline(result, timeoutMs).catch((error: unknown) => {
          throw storeError(error, String(property), endpoint);
        });
      };
      wrappers.set(value, wrapper);
      return wrapper;
    },
  });
}

export function storeError(error: unknown, operation: string, endpoint: string): OrangeSmsError {
  if (error instanceof OrangeSmsError) return error;
  return new OrangeSmsStoreError(`Redis at ${endpoint} failed during ${operation}: ${reasonOf(error)}`, {
    operation,
    cause: error,
  });
}

/** Settles like `promise`, or rejects with "no answer within …" after `timeoutMs`. */
export function withDeadline<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return settleWithin(promise, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
}

/** `host:port` of a connection, never its URL (which may carry a password). */
export function describeEndpoint(options: RedisOptions): string {
  if (options.path) return options.path;
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

function isConnectionError(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = String((error as Error)?.message ?? error);
  return /^E[A-Z]+$/.test(code) || /connect|Connection is closed|Stream isn't writeable|ETIMEDOUT/i.test(message);
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const message = safeLogText((error as Error)?.message ?? error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * What Redis settings would lose: keys without a TTL (opt-outs, the queue, the outbox) are evicted by
 * any `maxmemory-policy` but `noeviction` and `volatile-*`; with neither AOF nor RDB save points a
 * restart forgets everything. `CONFIG` is often disabled on managed Redis: then the policy is read
 * from `INFO memory` and persistence is not judged.
 */
export async function checkRedisSettings(client: Redis): Promise<string[]> {
  const warnings: string[] = [];
  const lost = 'opt-outs (numbers that texted STOP would be texted again), queued SMS and pacing state';
  const info = String(await client.info('memory').catch(() => ''));
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  if (policy && policy !== 'noeviction' && !policy.startsWith('volatile-')) {
    warnings.push(
      `maxmemory-policy is ${policy}: under memory pressure Redis evicts keys that have no TTL, losing ${lost}; use noeviction (or a volatile-* policy)`,
    );
  }
  try {
    const config = (await client.call('CONFIG', 'GET', 'appendonly')) as string[];
    const save = (await client.call('CONFIG', 'GET', 'save')) as string[];
    if (config[1] !== 'yes' && (save[1] ?? '').trim() === '') {
      warnings.push(
        `persistence is off (appendonly no, no RDB save points): a Redis restart loses ${lost}; turn on AOF (appendonly yes) or RDB snapshots`,
      );
    }
  } catch {
    // CONFIG disabled (managed Redis): persistence cannot be checked from here.
  }
  return warnings;
}
