import { Logger } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { OrangeSmsConfigurationError } from '../errors/orange-sms.errors.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import type { OrangeSmsRedisBackend, OrangeSmsRedisHealth } from '../redis/orange-sms.redis-backend.js';
import type { OrangeSmsResolvedQueueModuleOptions } from './orange-sms.queue.options.js';

/** The queue module cannot start: something it needs from the core or from the host is missing. */
export class OrangeSmsQueueSetupError extends OrangeSmsConfigurationError {
  constructor(reason: string) {
    super([{ field: 'OrangeSmsQueueModule', reason }]);
  }
}

/** A BullMQ-side error the module must hear about (listening is also what keeps stacks from printing). */
export interface OrangeSmsQueueErrorSink {
  (error: unknown): void;
}

/**
 * The connections the queue and its worker use, decided once at boot:
 * - `forRoot({ connection })`, else the host's `BullModule.forRoot` connection (BullMQ opens and
 *   closes those; we only listen to the queue's and the worker's `error`);
 * - else two connections of our own from the core's `redis` option, as before: the producer's fails
 *   fast during an outage (no offline queue, one retry), the worker's has no per-request retry cap,
 *   as BullMQ's blocking commands need. Both are watched by the core's Redis health (one warning per
 *   outage) and opened only after the core's boot check passed.
 */
export class OrangeSmsQueueConnections {
  readonly health?: OrangeSmsRedisHealth;
  readonly commandTimeoutMs: number;
  readonly endpoint: string;
  /** Undefined: the host's shared BullMQ configuration applies. */
  readonly producer?: ConnectionOptions;
  readonly worker?: ConnectionOptions;
  readonly prefix?: string;
  private readonly owned: Redis[] = [];
  private readonly aborters: Array<() => unknown> = [];
  private readonly logger = new Logger('OrangeSmsQueue');
  private warned = false;

  constructor(
    options: OrangeSmsResolvedQueueModuleOptions,
    core: OrangeSmsResolvedOptions | undefined,
    shared: { connection?: ConnectionOptions; prefix?: string } | undefined,
    redis: OrangeSmsRedisBackend | null | undefined,
  ) {
    if (!core) {
      throw new OrangeSmsQueueSetupError(
        'needs OrangeSmsModule.forRoot() or forRootAsync() in the application (registered globally, the default, or passed in OrangeSmsQueueModule.forRoot({ imports }))',
      );
    }
    this.health = redis?.health;
    this.commandTimeoutMs = redis?.commandTimeoutMs ?? core.redis?.commandTimeoutMs ?? 2_000;
    this.endpoint = redis?.health.endpoint ?? 'the queue connection';
    const ownPrefix = redis ? `${redis.keyPrefix.replace(/:+$/, '')}:bull` : undefined;
    this.prefix = shared?.prefix ?? ownPrefix;
    if (options.connection) {
      this.producer = options.connection;
      this.worker = options.connection;
    } else if (shared?.connection) {
      // The host's connection: nothing to pass, BullModule merges its shared configuration.
    } else if (redis) {
      this.producer = this.connect(redis, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
      if (options.worker) this.worker = this.connect(redis, { maxRetriesPerRequest: null, enableOfflineQueue: true });
      // BullMQ connects when Nest builds the queue, before the core's boot check has run. When that
      // check fails, nothing of ours may keep reconnecting: the process must be able to exit.
      redis.onModuleInit().catch(() => this.abort());
    } else {
      throw new OrangeSmsQueueSetupError(
        'needs a Redis connection: the redis option of OrangeSmsModule, a BullModule.forRoot({ connection }) of yours, or OrangeSmsQueueModule.forRoot({ connection })',
      );
    }
  }

  /** Every error a queue or worker emits: one warning per outage, never an unhandled error stack. */
  readonly onError: OrangeSmsQueueErrorSink = (error) => {
    if (this.health) return this.health.queueError(error);
    // A host connection, not watched by the core: one line, until a job goes through again.
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(`Queue (BullMQ): ${safeLogText(error instanceof Error ? error.message : String(error))}`);
  };

  /** Called when the worker completes a job: the next error is news again. */
  healthy(): void {
    this.warned = false;
  }

  /** Run when the boot check fails (e.g. to stop the worker BullMQ may already have built). */
  onBootFailure(stop: () => unknown): void {
    this.aborters.push(stop);
  }

  private abort(): void {
    for (const stop of this.aborters)
      void Promise.resolve()
        .then(stop)
        .catch(() => undefined);
    for (const connection of this.owned) connection.disconnect();
  }

  async close(): Promise<void> {
    await Promise.all(this.owned.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private connect(redis: OrangeSmsRedisBackend, overrides: Partial<Redis['options']>): Redis {
    const connection = new Redis({
      ...redis.connectionOptions(),
      // Blocking commands (BZPOPMIN …) wait longer than any command timeout.
      commandTimeout: undefined,
      lazyConnect: false,
      ...overrides,
    });
    redis.health.watch(connection);
    this.owned.push(connection);
    return connection;
  }
}
