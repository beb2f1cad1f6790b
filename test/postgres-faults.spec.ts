/**
 * Nothing acknowledged that is not durable, on PostgreSQL: a statement that fails inside the take
 * rolls the whole notification back (503, Orange retries, applied once), and a database killed
 * (SIGKILL) while hundreds of receipts are being taken loses none that was answered 200; Orange's
 * retries of the rest are applied once. Counted in the database and at the listener.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import pg from 'pg';
import { type DeliveryReceiptEvent, OnDeliveryReceipt, OrangeSmsService } from '../lib/index.js';
import { migrateOrangeSms } from '../lib/postgres/index.js';
import { trackedSms } from './support/tracked-sms.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.js';
import { startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';

@Injectable()
class Receipts {
  static seen: DeliveryReceiptEvent[] = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    Receipts.seen.push(event);
  }
}

/**
 * Migrates `schema`, then makes the database itself fail the first outbox write (a full disk, say):
 * a trigger raises inside the take's transaction, after the dedupe record and the status change. The
 * sequence that counts the writes is not transactional, so the rollback does not re-arm it.
 */
async function failFirstOutboxWrite(pool: pg.Pool, schema: string): Promise<void> {
  await migrateOrangeSms(pool, { schema });
  await pool.query(`
    CREATE SEQUENCE ${schema}.outbox_writes;
    CREATE FUNCTION ${schema}.fail_first_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('${schema}.outbox_writes') = 1 THEN
        RAISE EXCEPTION 'could not write to file: No space left on device';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fail_first_write BEFORE INSERT ON ${schema}.events
      FOR EACH ROW EXECUTE FUNCTION ${schema}.fail_first_write();`);
}

const receipt = (messageId: string) =>
  JSON.stringify({
    deliveryInfoNotification: {
      callbackData: messageId,
      deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
    },
  });

describe('PostgreSQL under faults', () => {
  let postgres: TestPostgres;
  let emulator: OrangeSmsEmulator;
  let pool: pg.Pool;
  let app: TestApp | undefined;

  beforeAll(async () => {
    postgres = await startPostgres();
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    pool = postgres.pool({ expectDrops: true });
  }, 60_000);
  afterEach(async () => {
    await app?.close();
    app = undefined;
    Receipts.seen = [];
  });
  afterAll(async () => {
    await pool.end();
    await emulator.stop();
    await postgres.stop();
  });

  const post = (messageId: string) =>
    fetch(`${app!.url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: receipt(messageId),
    }).then(
      (response) => response.status,
      () => 0,
    );

  it('a statement failing inside the take: 503, nothing recorded; the retry is applied and emitted once', async () => {
    // The database fails the first outbox write: after the dedupe record and the status change.
    await failFirstOutboxWrite(pool, 'fail_once');
    const hostPool = new pg.Pool({ connectionString: postgres.url });
    try {
      app = await startTestApp(emulator, {
        providers: [Receipts],
        options: { rateLimit: false, postgres: { pool: hostPool, schema: 'fail_once' } },
        wireCallbacks: false,
      });
      const sent = await app.app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'x' });
      expect(await post(sent.id)).toBe(503);
      expect((await app.app.get(OrangeSmsService).getMessage(sent.id))?.status).toBe('submitted');
      const { rows: none } = await pool.query('SELECT count(*)::int AS n FROM fail_once.notifications');
      expect(none[0].n).toBe(0);
      expect(await post(sent.id)).toBe(200);
      await waitFor(() => Receipts.seen.length >= 1, 5_000, 'the listener');
      expect(await post(sent.id)).toBe(200); // Orange again: a duplicate
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(Receipts.seen.map((event) => event.messageId)).toEqual([sent.id]);
      const { rows } = await pool.query(
        "SELECT count(*)::int AS n FROM fail_once.status_history WHERE message_id = $1 AND status = 'delivered'",
        [sent.id],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await app?.close();
      app = undefined;
      // The module never closes a host's pool.
      expect(hostPool.ending).toBe(false);
      await hostPool.end();
    }
  });

  it('a STOP whose take fails on its last write: 503, not opted out, not in the inbox; the retry records it once', async () => {
    await failFirstOutboxWrite(pool, 'stop_fails');
    try {
      app = await startTestApp(emulator, {
        providers: [Receipts],
        options: { rateLimit: false, postgres: { url: postgres.url, schema: 'stop_fails' } },
        wireCallbacks: false,
      });
      const stop = () =>
        fetch(`${app!.url}/orange-sms/webhooks/inbound?token=${WEBHOOK_SECRET}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            inboundSMSMessageNotification: {
              inboundSMSMessage: {
                senderAddress: 'tel:+2250700000009',
                destinationAddress: '+2250000',
                message: 'STOP',
                messageId: 'stop-1',
              },
            },
          }),
        }).then((response) => response.status);
      const count = async (table: string) =>
        (await pool.query(`SELECT count(*)::int AS n FROM stop_fails.${table}`)).rows[0].n as number;
      expect(await stop()).toBe(503);
      expect([await count('opt_outs'), await count('inbound'), await count('notifications')]).toEqual([0, 0, 0]);
      expect(await stop()).toBe(200);
      expect(await stop()).toBe(200); // Orange once more: a duplicate
      expect([await count('opt_outs'), await count('inbound'), await count('notifications')]).toEqual([1, 1, 1]);
      await expect(app.app.get(OrangeSmsService).send({ to: '+2250700000009', text: 'promo' })).rejects.toMatchObject({
        name: 'OrangeSmsOptedOutError',
      });
    } finally {
      await app?.close();
      app = undefined;
    }
  });

  it('retention deletes old messages, inbound SMS, history and expired dedupe records in batches, and keeps the recent ones', async () => {
    const { PostgresOrangeSmsStore } = await import('../lib/postgres/index.js');
    await migrateOrangeSms(pool, { schema: 'retention' });
    const store = new PostgresOrangeSmsStore(pool, { schema: 'retention' });
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000);
    for (let i = 0; i < 5; i++) {
      const submittedAt = at(i < 3 ? 40 : 1);
      await store.saveMessage(trackedSms(`r-${i}`, submittedAt));
    }
    // Batches of 2 for 3 old rows: two statements, and nothing recent goes.
    expect(await store.deleteOlderThan(30, 2)).toBe(3);
    expect((await store.listMessages({ limit: Infinity })).map((m) => m.id).sort()).toEqual(['r-3', 'r-4']);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM retention.status_history');
    expect(rows[0].n).toBe(2);

    // Expired dedupe records and parked receipts go too (hourly, with or without retentionDays).
    await pool.query(`
      INSERT INTO retention.notifications (key, attempt, expires_at) VALUES
        ('old-1', 'a', now() - interval '1 second'), ('old-2', 'a', now() - interval '1 day'),
        ('live', 'a', now() + interval '1 hour');
      INSERT INTO retention.early_receipts (message_id, delivery_status, at, expires_at) VALUES
        ('gone', 'DeliveredToTerminal', now(), now() - interval '1 second'),
        ('waiting', 'DeliveredToTerminal', now(), now() + interval '1 hour');`);
    expect(await store.deleteExpired(1)).toBe(3);
    const left = await pool.query(
      'SELECT (SELECT array_agg(key) FROM retention.notifications) AS keys, (SELECT array_agg(message_id) FROM retention.early_receipts) AS early',
    );
    expect(left.rows[0]).toEqual({ keys: ['live'], early: ['waiting'] });
  });

  it('SIGKILL of the database while receipts are taken: none answered 200 is lost, the rest are applied once on retry', async () => {
    app = await startTestApp(emulator, {
      providers: [Receipts],
      options: {
        rateLimit: false,
        postgres: { url: postgres.url, schema: 'sigkill' },
        listenerRetry: { leaseMs: 1_000, sweepIntervalMs: 300 },
      },
      wireCallbacks: false,
    });
    const sms = app.app.get(OrangeSmsService);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      ids.push((await sms.send({ to: `+22507000${String(i).padStart(5, '0')}`, text: `m${i}` })).id);
    }
    // Orange posts the receipts, 8 at a time; the database dies once some 60 are acknowledged.
    const acknowledged = new Set<string>();
    const pending = [...ids];
    let killed = false;
    const worker = async () => {
      for (let id = pending.shift(); id !== undefined; id = pending.shift()) {
        if ((await post(id)) === 200) acknowledged.add(id);
        if (!killed && acknowledged.size >= 60) {
          killed = true;
          await postgres.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(killed).toBe(true);
    const beforeRestart = new Set(acknowledged);
    expect(beforeRestart.size).toBeLessThan(ids.length);
    await postgres.restart();

    // Orange retries what was not answered 200, until it is.
    for (let round = 0; acknowledged.size < ids.length && round < 50; round++) {
      for (const id of ids) if (!acknowledged.has(id) && (await post(id)) === 200) acknowledged.add(id);
      if (acknowledged.size < ids.length) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(acknowledged.size).toBe(ids.length);

    // In the database: every message delivered, each delivery applied once.
    const { rows } = await pool.query<{ message_id: string; n: number }>(
      "SELECT message_id, count(*)::int AS n FROM sigkill.status_history WHERE status = 'delivered' GROUP BY message_id",
    );
    const applied = new Map(rows.map((row) => [row.message_id, row.n]));
    for (const id of beforeRestart) expect(applied.get(id)).toBe(1);
    expect([...applied.values()].every((n) => n === 1)).toBe(true);
    expect(applied.size).toBe(ids.length);
    // At the listener: every receipt at least once (the outbox's sweep redelivers what the kill interrupted).
    await waitFor(
      () => new Set(Receipts.seen.map((event) => event.messageId)).size === ids.length,
      15_000,
      'every listener',
    );
  }, 120_000);
});
