import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import type { OrangeSmsPostgresOptions } from '../interfaces/orange-sms.options.interfaces.js';
import { ORANGE_SMS_LOGGER_CONTEXT } from '../orange-sms.constants.js';
import { OrangeSmsConfigurationError } from '../errors/orange-sms.errors.js';
import { migrateOrangeSms, pendingOrangeSmsMigrations } from './orange-sms.postgres-migrations.js';
import { PostgresOrangeSmsStore } from './orange-sms.postgres-store.js';

/** Retention runs this often (and once at boot). */
const RETENTION_INTERVAL_MS = 3_600_000;

/**
 * The `postgres` option: the pool (the host's, never closed here, or one made from `url`), the
 * migrations at boot, the store, and the retention sweep.
 */
/**
 * A database that does not answer fails the call (a webhook answers 503, Orange retries) instead of
 * holding it as long as the TCP connect would.
 */
const CONNECT_TIMEOUT_MS = 5_000;

export class OrangeSmsPostgresBackend implements OnApplicationShutdown {
  readonly pool: pg.Pool;
  readonly store: PostgresOrangeSmsStore;
  private readonly ownsPool: boolean;
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);
  private retention?: NodeJS.Timeout;
  private warned = false;

  constructor(private readonly options: OrangeSmsPostgresOptions) {
    this.ownsPool = options.pool === undefined;
    this.pool =
      (options.pool as pg.Pool | undefined) ??
      new pg.Pool({ connectionString: options.url, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A connection that dies emits 'error' on its client (checked out) or on the pool (idle): without
    // listeners Node would end the process. The failed queries reject as usual.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.pool.on('error', (error) => {
      if (this.warned) return;
      this.warned = true;
      this.logger.warn(`PostgreSQL connection lost (${error.message}); the pool reconnects on next use`);
    });
    this.store = new PostgresOrangeSmsStore(this.pool, { schema: options.schema ?? 'orange_sms' });
  }

  /** Migrations unless `migrate: false` (then `orange-sms migrate` or `migrateOrangeSms` ran them). */
  async start(): Promise<this> {
    if (this.options.migrate !== false) {
      const { applied, version } = await migrateOrangeSms(this.pool, { schema: this.options.schema });
      if (applied.length > 0) this.logger.log(`PostgreSQL schema migrated to version ${version}`);
    } else {
      // Someone else migrates: refuse to run on a schema that lacks what this version needs.
      const pending = await pendingOrangeSmsMigrations(this.pool, { schema: this.options.schema });
      if (pending.length > 0) {
        throw new OrangeSmsConfigurationError([
          {
            field: 'postgres.migrate',
            reason: `schema ${this.options.schema ?? 'orange_sms'} lacks migration(s) ${pending.join(', ')}: run migrateOrangeSms(pool, { schema }) first, or drop migrate: false`,
          },
        ]);
      }
    }
    // Hourly: expired dedupe records and parked receipts always; old records with retentionDays.
    const days = this.options.retentionDays;
    const sweep = () =>
      (days === undefined ? this.store.deleteExpired() : this.store.deleteOlderThan(days)).catch((error: Error) =>
        this.logger.warn(`Retention sweep failed: ${error.message}`),
      );
    void sweep();
    this.retention = setInterval(sweep, RETENTION_INTERVAL_MS);
    this.retention.unref();
    return this;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.retention) clearInterval(this.retention);
    if (this.ownsPool) await this.pool.end();
  }
}
