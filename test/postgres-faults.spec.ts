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
    pool = new pg.Pool({ connectionString: postgres.url });
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
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
    // The host's pool, whose clients fail the first outbox write: after the dedupe record and the status.
    let failures = 1;
    const failing = new pg.Pool({ connectionString: postgres.url });
    const connect = failing.connect.bind(failing) as () => Promise<pg.PoolClient>;
    (failing as unknown as { connect: (...args: unknown[]) => unknown }).connect = async (...args: unknown[]) => {
      // pool.query() connects with a callback: leave those untouched.
      if (args.length > 0) return (connect as (...a: unknown[]) => unknown)(...args);
      const client = await connect();
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
        if (typeof args[0] === 'string' && /^INSERT INTO .*\.events \(/.test(args[0].trim()) && failures-- > 0) {
          return Promise.reject(new Error('could not write to file: No space left on device'));
        }
        return query(...args);
      };
      return client;
    };
    try {
      app = await startTestApp(emulator, {
        providers: [Receipts],
        options: { rateLimit: false, postgres: { pool: failing, schema: 'fail_once' } },
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
      expect(failing.ending).toBe(false);
      await failing.end();
    }
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
