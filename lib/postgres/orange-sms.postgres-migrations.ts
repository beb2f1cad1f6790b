import type { Pool, PoolClient } from 'pg';

/**
 * The schema, as versioned migrations: each runs once, in order, in one transaction with the record of
 * it. Kept as SQL text in the package's code (not separate .sql files), so the published package has
 * no asset to lose; `{schema}` is the validated, quoted schema name.
 */
export const ORANGE_SMS_MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'messages, history, early receipts, notifications, opt-outs, outbox, inbound',
    sql: `
CREATE TABLE {schema}.messages (
  id text PRIMARY KEY,
  submitted_at timestamptz NOT NULL,
  to_number text NOT NULL,
  status text NOT NULL,
  reference text,
  country text,
  sender_name text,
  segments integer NOT NULL,
  delivered_at timestamptz,
  data jsonb NOT NULL
);
CREATE INDEX messages_submitted_at ON {schema}.messages (submitted_at DESC, id DESC);
CREATE INDEX messages_to_number ON {schema}.messages (to_number, submitted_at DESC);
CREATE INDEX messages_reference ON {schema}.messages (reference) WHERE reference IS NOT NULL;
CREATE TABLE {schema}.status_history (
  message_id text NOT NULL,
  status text NOT NULL,
  delivery_status text,
  at timestamptz NOT NULL
);
CREATE INDEX status_history_message ON {schema}.status_history (message_id, at);
CREATE TABLE {schema}.early_receipts (
  message_id text NOT NULL,
  delivery_status text NOT NULL,
  at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX early_receipts_message ON {schema}.early_receipts (message_id);
CREATE TABLE {schema}.notifications (
  key text PRIMARY KEY,
  attempt text NOT NULL,
  stale boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL
);
CREATE INDEX notifications_expires_at ON {schema}.notifications (expires_at);
CREATE TABLE {schema}.opt_outs (
  number text PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE {schema}.events (
  id text PRIMARY KEY,
  state text NOT NULL,
  created_at timestamptz NOT NULL,
  data jsonb NOT NULL
);
CREATE INDEX events_state ON {schema}.events (state);
CREATE TABLE {schema}.event_claims (
  id text PRIMARY KEY,
  until timestamptz NOT NULL
);
CREATE TABLE {schema}.inbound (
  id text PRIMARY KEY,
  from_number text NOT NULL,
  to_number text NOT NULL,
  keyword text NOT NULL,
  received_at timestamptz NOT NULL,
  handled boolean NOT NULL DEFAULT false,
  handled_at timestamptz,
  data jsonb NOT NULL
);
CREATE INDEX inbound_received_at ON {schema}.inbound (received_at DESC, id DESC);
CREATE INDEX inbound_from ON {schema}.inbound (from_number, received_at DESC);
`,
  },
];

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function isSchemaName(value: unknown): value is string {
  return typeof value === 'string' && SCHEMA_NAME.test(value);
}

export function quoteSchema(schema: string): string {
  if (!isSchemaName(schema)) throw new Error(`not a schema name: ${schema}`);
  return `"${schema}"`;
}

export interface OrangeSmsMigrationResult {
  /** Versions this call applied (empty when another instance, or an earlier boot, had). */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * Applies the pending migrations in one transaction under a transaction-scoped advisory lock on the
 * schema's name: instances booting together wait for each other, and all but the first find nothing
 * to do. A failure rolls everything back.
 */
export async function migrateOrangeSms(
  pool: Pool,
  options: { schema?: string } = {},
): Promise<OrangeSmsMigrationResult> {
  const schema = options.schema ?? 'orange_sms';
  const quoted = quoteSchema(schema);
  const client: PoolClient = await pool.connect();
  const ignore = () => undefined; // the failed query rejects; the client's own event must not crash
  client.on('error', ignore);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`nestjs-orange-sms:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${quoted}.schema_migrations`);
    const done = new Set(rows.map((row) => Number(row.version)));
    const applied: number[] = [];
    for (const migration of ORANGE_SMS_MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql.replaceAll('{schema}', quoted));
      await client.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(0, ...done, ...applied) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', ignore);
    client.release();
  }
}

/** Versions not yet applied to `schema` (all of them when it was never migrated). */
export async function pendingOrangeSmsMigrations(pool: Pool, options: { schema?: string } = {}): Promise<number[]> {
  const schema = options.schema ?? 'orange_sms';
  const { rows: exists } = await pool.query(
    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_migrations'",
    [schema],
  );
  const done = new Set<number>();
  if (exists.length > 0) {
    const { rows } = await pool.query<{ version: number }>(
      `SELECT version FROM ${quoteSchema(schema)}.schema_migrations`,
    );
    for (const row of rows) done.add(Number(row.version));
  }
  return ORANGE_SMS_MIGRATIONS.map((migration) => migration.version).filter((version) => !done.has(version));
}
