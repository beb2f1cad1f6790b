import type { Pool, PoolClient } from 'pg';
import type { OrangeSmsStoredEvent } from '../interfaces/orange-sms.event.interfaces.js';
import type {
  InboundSms,
  OrangeSmsInboxFilter,
  OrangeSmsInboxPage,
} from '../interfaces/orange-sms.inbox.interfaces.js';
import { ORANGE_SMS_STORE_METHODS, type OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import type {
  OrangeSmsMessageFilter,
  OrangeSmsNotificationTake,
  OrangeSmsNotificationTaken,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
} from '../interfaces/orange-sms.tracking.interfaces.js';
import { decodeInboxCursor, encodeInboxCursor, pageLimit } from '../tracking/orange-sms.inbox-paging.js';
import {
  decodeEvent,
  decodeInbound,
  decodeMessage,
  encode,
  encodeEvent,
  encodeInbound,
} from '../tracking/orange-sms.json-codec.js';
import { applyStatusUpdate, STATUS_FROM_ORANGE, STATUS_RANK } from '../tracking/orange-sms.status.js';
import { sortAggregateRows } from '../stats/orange-sms.report.js';
import type {
  OrangeSmsAggregateQuery,
  OrangeSmsAggregateRow,
  OrangeSmsReportGroupBy,
} from '../interfaces/orange-sms.aggregate.interfaces.js';
import { OrangeSmsError, OrangeSmsStoreError } from '../errors/orange-sms.errors.js';
import { quoteSchema } from './orange-sms.postgres-migrations.js';
import { GroupedWrites } from '../common/orange-sms.grouped-writes.js';

/** The group of a report row, as a column expression (the same values the memory store's scan gives). */
const GROUP_COLUMNS: Record<OrangeSmsReportGroupBy, string> = {
  country: "coalesce(country, 'unknown')",
  senderName: "coalesce(sender_name, '')",
  status: 'status',
  account: 'account',
};

/** Every operation, whose database failures become `OrangeSmsStoreError`. */
const STORE_OPERATIONS = [
  ...ORANGE_SMS_STORE_METHODS,
  'getInbound',
  'listInbound',
  'markInboundHandled',
  'aggregateMessages',
] as const;

/** How long a receipt waits for its message to be stored. */
const EARLY_RECEIPT_TTL_MS = 24 * 3_600_000;

/** The state machine's ranks, for the take function. */
const RANKS_JSON = JSON.stringify(STATUS_RANK);

/**
 * `OrangeSmsStore` on PostgreSQL: the system of record. Every state change is one transaction, with
 * row locks where a row is read and then written (a message's status, a notification's dedupe
 * record), so replicas racing on the same receipt apply it once. The message is kept whole (JSONB)
 * beside the columns its queries use; every status change is also a row of `status_history`.
 */
export class PostgresOrangeSmsStore implements OrangeSmsStore {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    options: { schema?: string } = {},
  ) {
    this.s = quoteSchema(options.schema ?? 'orange_sms');
    // Every failure of the database reaches callers as OrangeSmsStoreError (webhooks answer 503,
    // so Orange sends the notification again), naming the operation, never a connection string.
    const self = this as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of STORE_OPERATIONS) {
      const operation = self[name]!.bind(this);
      self[name] = (...args: unknown[]) =>
        operation(...args).catch((error: unknown) => {
          throw error instanceof OrangeSmsError
            ? error
            : new OrangeSmsStoreError(
                `PostgreSQL failed during ${name}: ${(error as Error)?.message ?? String(error)}`,
                {
                  operation: name,
                  cause: error,
                },
              );
        });
    }
  }

  async saveMessage(message: TrackedSms): Promise<void> {
    await this.transaction(async (client) => {
      // Held to the commit: a receipt that finds no row waits on it, then sees this one.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.messageLock(message.id)]);
      const stored = structuredCopy(message);
      // Receipts that came before the message (another replica took them): applied now, in order.
      const { rows: early } = await client.query<{ delivery_status: string; at: Date }>(
        `DELETE FROM ${this.s}.early_receipts WHERE message_id = $1 AND expires_at > now() RETURNING delivery_status, at`,
        [message.id],
      );
      early.sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const receipt of early) {
        applyStatusUpdate(stored, {
          deliveryStatus: receipt.delivery_status as OrangeSmsStatusUpdate['deliveryStatus'],
          at: new Date(receipt.at),
        });
      }
      await this.upsertMessage(client, stored);
      await this.recordHistory(client, message.id, stored.history);
    });
  }

  async getMessage(id: string): Promise<TrackedSms | undefined> {
    const { rows } = await this.pool.query<{ data: string }>(
      `SELECT data::text AS data FROM ${this.s}.messages WHERE id = $1`,
      [id],
    );
    return rows[0] ? decodeMessage(rows[0].data) : undefined;
  }

  async listMessages(filter: OrangeSmsMessageFilter = {}): Promise<TrackedSms[]> {
    const { where, values, add } = conditions();
    if (filter.to !== undefined) add('to_number = ?', filter.to);
    if (filter.status !== undefined) add('status = ANY(?)', ([] as string[]).concat(filter.status));
    if (filter.reference !== undefined) add('reference = ?', filter.reference);
    if (filter.since !== undefined) add('submitted_at >= ?', filter.since);
    if (filter.until !== undefined) add('submitted_at < ?', filter.until);
    if (filter.after !== undefined) add('(submitted_at, id) < (?, ?)', filter.after.submittedAt, filter.after.id);
    const limit = filter.limit ?? 100;
    const { rows } = await this.pool.query<{ data: string }>(
      `SELECT data::text AS data FROM ${this.s}.messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY submitted_at DESC, id DESC ${Number.isFinite(limit) ? `LIMIT ${Math.max(0, Math.floor(limit))}` : ''}`,
      values,
    );
    return rows.map((row) => decodeMessage(row.data));
  }

  /** One query: counts per status with FILTER, units, and the median delivery time per row. */
  async aggregateMessages(query: OrangeSmsAggregateQuery): Promise<OrangeSmsAggregateRow[]> {
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    const columns: string[] = [];
    const groups: string[] = [];
    if (query.interval) {
      columns.push(`date_trunc(${param(query.interval)}, submitted_at, ${param(query.timeZone)}) AS period`);
      groups.push('period');
    }
    if (query.groupBy) {
      columns.push(`${GROUP_COLUMNS[query.groupBy]} AS grp`);
      groups.push('grp');
    }
    const where: string[] = [];
    if (query.since) where.push(`submitted_at >= ${param(query.since)}`);
    if (query.until) where.push(`submitted_at < ${param(query.until)}`);
    if (query.account !== undefined) where.push(`account = ${param(query.account)}`);
    const statuses = Object.keys(STATUS_RANK);
    const { rows } = await this.pool.query<Record<string, unknown>>(
      `SELECT ${[
        ...columns,
        ...statuses.map((status, index) => `count(*) FILTER (WHERE status = '${status}') AS s${index}`),
        'sum(segments) AS units',
        `percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - submitted_at) * 1000)
           FILTER (WHERE status = 'delivered' AND delivered_at IS NOT NULL) AS median`,
      ].join(', ')}
       FROM ${this.s}.messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ${groups.length ? `GROUP BY ${groups.join(', ')}` : 'HAVING count(*) > 0'}`,
      values,
    );
    return sortAggregateRows(
      rows.map((row) => ({
        ...(query.interval ? { period: new Date(row.period as Date) } : {}),
        ...(query.groupBy ? { group: String(row.grp) } : {}),
        byStatus: Object.fromEntries(
          statuses.map((status, index) => [status, Number(row[`s${index}`])]),
        ) as OrangeSmsAggregateRow['byStatus'],
        units: Number(row.units ?? 0),
        medianDeliveryMs: row.median === null || row.median === undefined ? null : Number(row.median),
      })),
    );
  }

  async applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult> {
    return this.transaction(async (client) => {
      const result = await this.applyIn(client, id, update);
      return result.message ? { message: result.message, applied: result.applied } : { applied: false };
    });
  }

  /**
   * One statement: the schema's \`take_notification\` function (migration 2) does the dedupe, the status
   * change on the locked message row or the opt-out, the inbound record and the outbox row in the
   * statement's own transaction.
   */
  async takeNotification(take: OrangeSmsNotificationTake): Promise<OrangeSmsNotificationTaken> {
    const receipt = take.receipt;
    const optOut = take.optOut;
    const { rows } = await this.pool.query<{
      fresh: boolean;
      stale: boolean;
      message: string | null;
      event: string | null;
    }>(
      `SELECT fresh, stale, message, event FROM ${this.s}.take_notification(
         $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18::jsonb)`,
      [
        take.key,
        take.attempt,
        Math.ceil(take.dedupeTtlMs),
        receipt?.messageId ?? null,
        receipt ? STATUS_FROM_ORANGE[receipt.update.deliveryStatus] : null,
        receipt?.update.deliveryStatus ?? null,
        receipt?.update.at ?? null,
        receipt?.update.at.toISOString() ?? null,
        RANKS_JSON,
        EARLY_RECEIPT_TTL_MS,
        optOut ? (optOut.optedOut ? 'in' : 'out') : null,
        optOut?.number ?? null,
        take.inbound ? encodeInbound(take.inbound) : null,
        take.inbound?.receivedAt ?? null,
        take.event.id,
        take.event.state,
        take.event.createdAt,
        encodeEvent(take.event),
      ],
    );
    const taken = rows[0]!;
    if (!taken.fresh) return { fresh: false };
    return {
      fresh: true,
      ...(taken.stale ? { stale: true } : {}),
      ...(taken.message ? { message: decodeMessage(taken.message) } : {}),
      ...(taken.event ? { event: decodeEvent(taken.event) } : {}),
    };
  }

  async claimEvent(id: string, leaseMs: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${this.s}.event_claims (id, until) VALUES ($1, now() + ($2 || ' milliseconds')::interval)
       ON CONFLICT (id) DO UPDATE SET until = excluded.until WHERE ${this.s}.event_claims.until <= now()
       RETURNING id`,
      [id, String(Math.ceil(leaseMs))],
    );
    return rowCount === 1;
  }

  async setOptedOut(number: string, optedOut: boolean): Promise<void> {
    if (optedOut) {
      await this.pool.query(`INSERT INTO ${this.s}.opt_outs (number) VALUES ($1) ON CONFLICT (number) DO NOTHING`, [
        number,
      ]);
    } else {
      await this.pool.query(`DELETE FROM ${this.s}.opt_outs WHERE number = $1`, [number]);
    }
  }

  async isOptedOut(number: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM ${this.s}.opt_outs WHERE number = $1`, [number]);
    return rowCount === 1;
  }

  async saveEvent(event: OrangeSmsStoredEvent): Promise<void> {
    await this.upsertEvent(this.pool, event);
  }

  /**
   * Delivered events are deleted together: the ids that arrive while one DELETE is running go in the
   * next one (one statement, one commit for many receipts under load; alone, one at once). Each call
   * resolves when its id is gone.
   */
  async deleteEvent(id: string): Promise<void> {
    return this.deletes.add(id);
  }

  private readonly deletes = new GroupedWrites<string>((ids) =>
    this.pool.query(
      `WITH claims AS (DELETE FROM ${this.s}.event_claims WHERE id = ANY($1)) DELETE FROM ${this.s}.events WHERE id = ANY($1)`,
      [ids],
    ),
  );

  async listEvents(filter: { state?: OrangeSmsStoredEvent['state'] } = {}): Promise<OrangeSmsStoredEvent[]> {
    const { rows } = await this.pool.query<{ data: string }>(
      `SELECT data::text AS data FROM ${this.s}.events ${filter.state ? 'WHERE state = $1' : ''} ORDER BY created_at`,
      filter.state ? [filter.state] : [],
    );
    return rows.map((row) => decodeEvent(row.data));
  }

  async getInbound(id: string): Promise<InboundSms | undefined> {
    const { rows } = await this.pool.query<InboundRow>(`${this.inboundSelect()} WHERE id = $1`, [id]);
    return rows[0] && inboundOf(rows[0]);
  }

  async listInbound(filter: OrangeSmsInboxFilter): Promise<OrangeSmsInboxPage> {
    const limit = pageLimit(filter.limit);
    const after = decodeInboxCursor(filter.cursor);
    const { where, values, add } = conditions();
    if (filter.from !== undefined) add('from_number = ?', filter.from);
    if (filter.to !== undefined) add('to_number = ?', filter.to);
    if (filter.keyword !== undefined) add('keyword = ?', filter.keyword.trim().toUpperCase());
    if (filter.handled !== undefined) add('handled = ?', filter.handled);
    if (filter.since !== undefined) add('received_at >= ?', filter.since);
    if (filter.until !== undefined) add('received_at < ?', filter.until);
    if (after) add('(received_at, id) < (?, ?)', new Date(after.at), after.id);
    const { rows } = await this.pool.query<InboundRow>(
      `${this.inboundSelect()} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY received_at DESC, id DESC LIMIT ${limit + 1}`,
      values,
    );
    const items = rows.slice(0, limit).map(inboundOf);
    return rows.length > limit ? { items, nextCursor: encodeInboxCursor(items[items.length - 1]!) } : { items };
  }

  async markInboundHandled(id: string, at: Date): Promise<InboundSms | undefined> {
    // One statement: the first mark is kept, a second changes nothing.
    const { rows } = await this.pool.query<InboundRow>(
      `UPDATE ${this.s}.inbound SET handled = true, handled_at = COALESCE(handled_at, $2) WHERE id = $1
       RETURNING data::text AS data, handled, handled_at`,
      [id, at],
    );
    return rows[0] && inboundOf(rows[0]);
  }

  /** Deletes records older than `days` in batches of `batch` rows (each its own short transaction). */
  async deleteOlderThan(days: number, batch = 1_000): Promise<number> {
    const older = `< now() - (${Number(days)} || ' days')::interval`;
    const deleted =
      (await this.deleteInBatches('messages', `submitted_at ${older}`, batch)) +
      (await this.deleteInBatches('inbound', `received_at ${older}`, batch));
    await this.deleteInBatches('status_history', `at ${older}`, batch);
    await this.deleteExpired(batch);
    return deleted;
  }

  /**
   * Dedupe records and parked receipts past their expiry, in batches: without it they would pile up
   * (one per notification). Run hourly whether or not `retentionDays` is set. Returns rows deleted.
   */
  async deleteExpired(batch = 1_000): Promise<number> {
    return (
      (await this.deleteInBatches('notifications', 'expires_at <= now()', batch)) +
      (await this.deleteInBatches('early_receipts', 'expires_at <= now()', batch))
    );
  }

  private async deleteInBatches(table: string, condition: string, batch: number): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(
        `DELETE FROM ${this.s}.${table} WHERE ctid IN (SELECT ctid FROM ${this.s}.${table} WHERE ${condition} LIMIT ${batch})`,
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < batch) return deleted;
    }
  }

  // ---- in a transaction ------------------------------------------------------------------------

  /** The receipt through the state machine, on the locked row; kept for later when the id is unknown. */
  private async applyIn(
    client: PoolClient,
    id: string,
    update: OrangeSmsStatusUpdate,
  ): Promise<{ message?: TrackedSms; applied: boolean }> {
    const select = `SELECT data::text AS data FROM ${this.s}.messages WHERE id = $1 FOR UPDATE`;
    let { rows } = await client.query<{ data: string }>(select, [id]);
    if (!rows[0]) {
      // A save of this id may not have committed yet: wait for it, then look again.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [this.messageLock(id)]);
      ({ rows } = await client.query<{ data: string }>(select, [id]));
    }
    if (!rows[0]) {
      await client.query(
        `INSERT INTO ${this.s}.early_receipts (message_id, delivery_status, at, expires_at)
         VALUES ($1, $2, $3, now() + ($4 || ' milliseconds')::interval)`,
        [id, update.deliveryStatus, update.at, String(EARLY_RECEIPT_TTL_MS)],
      );
      return { applied: false };
    }
    const message = decodeMessage(rows[0].data);
    if (!applyStatusUpdate(message, update)) return { message, applied: false };
    await this.upsertMessage(client, message);
    await client.query(
      `INSERT INTO ${this.s}.status_history (message_id, status, delivery_status, at) VALUES ($1, $2, $3, $4)`,
      [id, message.status, update.deliveryStatus, update.at],
    );
    return { message, applied: true };
  }

  private async upsertMessage(client: PoolClient, message: TrackedSms): Promise<void> {
    await client.query(
      `INSERT INTO ${this.s}.messages (id, submitted_at, to_number, status, reference, country, sender_name, segments, delivered_at, data, account)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, delivered_at = excluded.delivered_at, data = excluded.data`,
      [
        message.id,
        message.submittedAt,
        message.to,
        message.status,
        message.reference ?? null,
        message.country ?? null,
        message.senderName ?? null,
        message.segments,
        message.deliveredAt ?? null,
        encode(message),
        message.account ?? 'default',
      ],
    );
  }

  private async recordHistory(client: PoolClient, id: string, history: TrackedSms['history']): Promise<void> {
    for (const entry of history) {
      await client.query(
        `INSERT INTO ${this.s}.status_history (message_id, status, delivery_status, at) VALUES ($1, $2, $3, $4)`,
        [id, entry.status, entry.deliveryStatus ?? null, entry.at],
      );
    }
  }

  private async upsertEvent(client: Pool | PoolClient, event: OrangeSmsStoredEvent): Promise<void> {
    await client.query(
      `INSERT INTO ${this.s}.events (id, state, created_at, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, data = excluded.data`,
      [event.id, event.state, event.createdAt, encodeEvent(event)],
    );
  }

  /** The advisory lock that orders a message's save before the receipts that miss its row. */
  private messageLock(id: string): string {
    return `${this.s}:message:${id}`; // as the take function spells it
  }

  private inboundSelect(): string {
    return `SELECT data::text AS data, handled, handled_at FROM ${this.s}.inbound`;
  }

  /** Runs `work` in one transaction; any error rolls it back and propagates. */
  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection that dies while checked out emits on the client (not the pool): the failed query
    // already rejects, so the event itself must not go unhandled and end the process.
    client.on('error', ignoreConnectionError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.off('error', ignoreConnectionError);
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A client whose connection broke must not go back to the pool.
      client.off('error', ignoreConnectionError);
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }
}

function ignoreConnectionError(): void {}

/** A WHERE clause built a condition at a time, each `?` becoming the next numbered parameter. */
function conditions(): { where: string[]; values: unknown[]; add: (clause: string, ...args: unknown[]) => void } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (clause: string, ...args: unknown[]) => {
    let text = clause;
    for (const arg of args) {
      values.push(arg);
      text = text.replace('?', `$${values.length}`);
    }
    where.push(text);
  };
  return { where, values, add };
}

interface InboundRow {
  data: string;
  handled: boolean;
  handled_at: Date | null;
}

function inboundOf(row: InboundRow): InboundSms {
  const message = decodeInbound(row.data);
  message.handled = row.handled;
  if (row.handled_at) message.handledAt = new Date(row.handled_at);
  else delete message.handledAt;
  return message;
}

function structuredCopy(message: TrackedSms): TrackedSms {
  return decodeMessage(encode(message));
}
