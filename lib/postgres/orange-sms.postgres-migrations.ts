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
  {
    version: 2,
    name: 'take_notification: a notification taken in one statement',
    // The take of \`PostgresOrangeSmsStore.takeNotification\` run by the server: one round trip and
    // one implicit transaction instead of eight statements. The status ranks come from the
    // TypeScript state machine as an argument, so its rules live in one place.
    sql: `
CREATE FUNCTION {schema}.take_notification(
  p_key text, p_attempt text, p_dedupe_ms bigint,
  p_message_id text, p_status text, p_delivery_status text, p_at timestamptz, p_at_iso text,
  p_ranks jsonb, p_early_ms bigint,
  p_opt_out text, p_number text,
  p_inbound jsonb, p_inbound_at timestamptz,
  p_event_id text, p_event_state text, p_event_created timestamptz, p_event jsonb
) RETURNS TABLE (fresh boolean, stale boolean, message text, event text)
LANGUAGE plpgsql AS $take$
#variable_conflict use_column
DECLARE
  v_taken record;
  v_message jsonb;
  v_stale boolean := false;
BEGIN
  DELETE FROM {schema}.notifications n WHERE n.key = p_key AND n.expires_at <= now();
  INSERT INTO {schema}.notifications (key, attempt, expires_at)
    VALUES (p_key, p_attempt, now() + p_dedupe_ms * interval '1 millisecond')
    ON CONFLICT (key) DO NOTHING;
  IF NOT FOUND THEN
    -- Taken before: by this attempt (a client resending after an error) it answers the same.
    SELECT n.attempt, n.stale INTO v_taken FROM {schema}.notifications n WHERE n.key = p_key FOR UPDATE;
    IF v_taken IS NULL OR v_taken.attempt <> p_attempt THEN
      RETURN QUERY SELECT false, false, NULL::text, NULL::text;
      RETURN;
    END IF;
    RETURN QUERY SELECT true, v_taken.stale,
      (SELECT m.data::text FROM {schema}.messages m WHERE m.id = p_message_id),
      (SELECT e.data::text FROM {schema}.events e WHERE e.id = p_event_id);
    RETURN;
  END IF;
  IF p_message_id IS NOT NULL THEN
    SELECT m.data INTO v_message FROM {schema}.messages m WHERE m.id = p_message_id FOR UPDATE;
    IF v_message IS NULL THEN
      -- A save of this id may be between its insert and its commit (invisible here): wait for it
      -- on its lock, then look again, or this receipt would be parked after the save looked.
      PERFORM pg_advisory_xact_lock(hashtext('{schema}:message:' || p_message_id));
      SELECT m.data INTO v_message FROM {schema}.messages m WHERE m.id = p_message_id FOR UPDATE;
    END IF;
    IF v_message IS NULL THEN
      -- Before its message (another replica sent it): applied when the message is saved.
      INSERT INTO {schema}.early_receipts (message_id, delivery_status, at, expires_at)
        VALUES (p_message_id, p_delivery_status, p_at, now() + p_early_ms * interval '1 millisecond');
    ELSIF (p_ranks ->> p_status)::int <= (p_ranks ->> (v_message ->> 'status'))::int THEN
      v_stale := true;
    ELSE
      v_message := v_message || jsonb_build_object(
        'status', p_status, 'deliveryStatus', p_delivery_status, 'updatedAt', p_at_iso,
        'history', COALESCE(v_message -> 'history', '[]'::jsonb) || jsonb_build_array(
          jsonb_build_object('status', p_status, 'deliveryStatus', p_delivery_status, 'at', p_at_iso)));
      IF p_status = 'delivered' THEN
        v_message := v_message || jsonb_build_object('deliveredAt', p_at_iso);
      END IF;
      UPDATE {schema}.messages m
        SET status = p_status,
            delivered_at = CASE WHEN p_status = 'delivered' THEN p_at ELSE m.delivered_at END,
            data = v_message
        WHERE m.id = p_message_id;
      INSERT INTO {schema}.status_history (message_id, status, delivery_status, at)
        VALUES (p_message_id, p_status, p_delivery_status, p_at);
    END IF;
  END IF;
  IF p_opt_out = 'in' THEN
    INSERT INTO {schema}.opt_outs (number) VALUES (p_number) ON CONFLICT (number) DO NOTHING;
  ELSIF p_opt_out = 'out' THEN
    DELETE FROM {schema}.opt_outs o WHERE o.number = p_number;
  END IF;
  IF p_inbound IS NOT NULL THEN
    INSERT INTO {schema}.inbound (id, from_number, to_number, keyword, received_at, data)
      VALUES (p_inbound ->> 'id', p_inbound ->> 'from', p_inbound ->> 'to', p_inbound ->> 'keyword', p_inbound_at, p_inbound)
      ON CONFLICT (id) DO NOTHING;
  END IF;
  IF v_stale THEN
    UPDATE {schema}.notifications n SET stale = true WHERE n.key = p_key;
    RETURN QUERY SELECT true, true, v_message::text, NULL::text;
    RETURN;
  END IF;
  INSERT INTO {schema}.events (id, state, created_at, data)
    VALUES (p_event_id, p_event_state, p_event_created, p_event)
    ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data;
  RETURN QUERY SELECT true, false, v_message::text, p_event::text;
END
$take$;
`,
  },
  {
    version: 3,
    name: 'messages.account: the Orange app each message was sent from',
    sql: `
ALTER TABLE {schema}.messages ADD COLUMN account text NOT NULL DEFAULT 'default';
CREATE INDEX messages_account ON {schema}.messages (account, submitted_at DESC);
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
