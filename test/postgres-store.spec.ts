/**
 * The PostgreSQL store on a real PostgreSQL started by the test: the store contract, records that
 * outlive the application, three instances migrating one empty database at once, and the module
 * wired by the `postgres` option over real HTTP with the emulator.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import pg from 'pg';
import {
  type DeliveryReceiptEvent,
  OnDeliveryReceipt,
  OrangeSmsInboxService,
  OrangeSmsService,
  OrangeSmsStatsService,
} from '../lib/index.js';
import { migrateOrangeSms, ORANGE_SMS_MIGRATIONS, PostgresOrangeSmsStore } from '../lib/postgres/index.js';
import type { OrangeSmsStoredEvent } from '../lib/interfaces/orange-sms.event.interfaces.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.js';
import { receiptEvent, trackedSms } from './support/tracked-sms.js';
import { startTestApp, type TestApp, waitFor } from './support/test-app.js';

@Injectable()
class ReceiptListener {
  static received: DeliveryReceiptEvent[] = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    ReceiptListener.received.push(event);
  }
}

const message = trackedSms;
const event = receiptEvent;

describe('PostgreSQL store', () => {
  let postgres: TestPostgres;
  let pool: pg.Pool;
  let schemas = 0;

  beforeAll(async () => {
    postgres = await startPostgres();
    pool = postgres.pool();
  }, 60_000);
  afterAll(async () => {
    await pool.end();
    await postgres.stop();
  });

  async function freshStore(): Promise<PostgresOrangeSmsStore> {
    const schema = `contract_${++schemas}`;
    await migrateOrangeSms(pool, { schema });
    return new PostgresOrangeSmsStore(pool, { schema });
  }

  describe('the store contract', () => {
    it('keeps messages, lists them by filter, most recent first', async () => {
      const store = await freshStore();
      await store.saveMessage(message('a', new Date('2026-03-01T10:00:00Z'), { reference: 'r-a' }));
      await store.saveMessage(message('b', new Date('2026-03-01T11:00:00Z'), { to: 'tel:+2250700000002' }));
      await store.saveMessage(message('c', new Date('2026-03-01T12:00:00Z')));
      expect((await store.getMessage('b'))?.to).toBe('tel:+2250700000002');
      expect((await store.getMessage('b'))?.submittedAt).toEqual(new Date('2026-03-01T11:00:00Z'));
      expect((await store.listMessages()).map((m) => m.id)).toEqual(['c', 'b', 'a']);
      expect((await store.listMessages({ to: 'tel:+2250700000001' })).map((m) => m.id)).toEqual(['c', 'a']);
      expect((await store.listMessages({ reference: 'r-a' })).map((m) => m.id)).toEqual(['a']);
      expect(
        (await store.listMessages({ since: new Date('2026-03-01T11:00:00Z'), limit: 1 })).map((m) => m.id),
      ).toEqual(['c']);
      expect(await store.getMessage('nope')).toBeUndefined();
    });

    it('moves a status forward only, and applies a receipt that came before its message', async () => {
      const store = await freshStore();
      await store.saveMessage(message('m'));
      const at = new Date();
      expect((await store.applyDeliveryStatus('m', { deliveryStatus: 'DeliveredToTerminal', at })).applied).toBe(true);
      const late = await store.applyDeliveryStatus('m', { deliveryStatus: 'MessageWaiting', at: new Date() });
      expect(late).toMatchObject({ applied: false, message: { status: 'delivered' } });
      expect((await store.getMessage('m'))?.deliveredAt).toEqual(at);
      // Early: the receipt is kept, then applied when the message is saved.
      expect(await store.applyDeliveryStatus('early', { deliveryStatus: 'DeliveryImpossible', at })).toEqual({
        applied: false,
      });
      await store.saveMessage(message('early', new Date(at.getTime() - 1_000)));
      expect((await store.getMessage('early'))?.status).toBe('failed');
      const history = await pool.query(
        `SELECT status FROM contract_${schemas}.status_history WHERE message_id = 'early' ORDER BY at`,
      );
      expect(history.rows.map((row) => row.status)).toEqual(['submitted', 'failed']);
    });

    it('takes a notification once: duplicate by another attempt, same answer to the same attempt, no event when stale', async () => {
      const store = await freshStore();
      await store.saveMessage(message('m'));
      const take = {
        key: 'dr:m:DeliveredToTerminal',
        attempt: 'attempt-1',
        dedupeTtlMs: 60_000,
        receipt: { messageId: 'm', update: { deliveryStatus: 'DeliveredToTerminal' as const, at: new Date() } },
        event: event('dr:m:DeliveredToTerminal'),
      };
      const first = await store.takeNotification(take);
      expect(first).toMatchObject({ fresh: true, message: { status: 'delivered' }, event: { id: take.key } });
      expect(await store.takeNotification({ ...take, attempt: 'attempt-2' })).toEqual({ fresh: false });
      const replay = await store.takeNotification(take);
      expect(replay).toMatchObject({ fresh: true, message: { status: 'delivered' }, event: { id: take.key } });
      expect((await store.listEvents()).map((e) => e.id)).toEqual([take.key]);
      const stale = await store.takeNotification({
        ...take,
        key: 'dr:m:MessageWaiting',
        receipt: { messageId: 'm', update: { deliveryStatus: 'MessageWaiting', at: new Date() } },
        event: event('dr:m:MessageWaiting'),
      });
      expect(stale).toMatchObject({ fresh: true, stale: true });
      expect(stale.event).toBeUndefined();
      expect(await store.listEvents()).toHaveLength(1);
    });

    it('keeps opt-outs, inbound SMS and the outbox with its claims', async () => {
      const store = await freshStore();
      await store.takeNotification({
        key: 'mo:id:1',
        attempt: 'a',
        dedupeTtlMs: 60_000,
        optOut: { number: 'tel:+2250700000009', optedOut: true },
        inbound: {
          id: 'id:1',
          from: 'tel:+2250700000009',
          to: '+2250000',
          text: 'STOP',
          keyword: 'STOP',
          senderKind: 'number',
          receivedAt: new Date(),
          handled: false,
        },
        event: { ...event('mo:id:1'), kind: 'inbound' } as unknown as OrangeSmsStoredEvent,
      });
      expect(await store.isOptedOut('tel:+2250700000009')).toBe(true);
      await store.setOptedOut('tel:+2250700000009', false);
      expect(await store.isOptedOut('tel:+2250700000009')).toBe(false);
      expect((await store.listInbound({ keyword: 'stop' })).items.map((m) => m.id)).toEqual(['id:1']);
      const marked = await store.markInboundHandled('id:1', new Date('2026-03-01T00:00:00Z'));
      expect(marked?.handled).toBe(true);
      expect((await store.markInboundHandled('id:1', new Date()))?.handledAt).toEqual(new Date('2026-03-01T00:00:00Z'));
      expect(await store.claimEvent('mo:id:1', 60_000)).toBe(true);
      expect(await store.claimEvent('mo:id:1', 60_000)).toBe(false);
      await store.deleteEvent('mo:id:1');
      expect(await store.listEvents()).toEqual([]);
    });
  });

  it('a receipt taken while its message is saved but not yet committed is applied, not parked and lost', async () => {
    const schema = 'save_race';
    await migrateOrangeSms(pool, { schema });
    // The save's transaction is held just before its COMMIT until the receipt has been taken.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reachedCommit!: () => void;
    const atCommit = new Promise<void>((resolve) => (reachedCommit = resolve));
    const gated = Object.create(pool, {
      connect: {
        value: async () => {
          const client = await pool.connect();
          const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
          let saving = false;
          (client as unknown as { query: unknown }).query = async (...args: unknown[]) => {
            if (typeof args[0] === 'string' && args[0].includes(`INSERT INTO "${schema}".messages`)) saving = true;
            if (args[0] === 'COMMIT' && saving) {
              reachedCommit();
              await held;
            }
            return query(...args);
          };
          return client;
        },
      },
    }) as pg.Pool;
    const saver = new PostgresOrangeSmsStore(gated, { schema });
    const store = new PostgresOrangeSmsStore(pool, { schema });
    const saving = saver.saveMessage(message('race-1'));
    await atCommit;
    const key = 'dr:race-1:DeliveredToTerminal';
    const taking = store.takeNotification({
      key,
      attempt: 'a',
      dedupeTtlMs: 60_000,
      receipt: { messageId: 'race-1', update: { deliveryStatus: 'DeliveredToTerminal', at: new Date() } },
      event: event(key),
    });
    // The receipt waits for the save's lock; let it get there, then commit the save.
    await Promise.race([taking, new Promise((resolve) => setTimeout(resolve, 300))]);
    release();
    await saving;
    expect(await taking).toMatchObject({ fresh: true, message: { status: 'delivered' } });
    expect((await store.getMessage('race-1'))?.status).toBe('delivered');
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".early_receipts`);
    expect(rows[0].n).toBe(0);
  });

  it('three instances booting at once on an empty database migrate it once', async () => {
    const emulator = await OrangeSmsEmulator.start();
    try {
      const apps = await Promise.all(
        [1, 2, 3].map(() =>
          startTestApp(emulator, {
            options: { postgres: { url: postgres.url, schema: 'boot_race' } },
            wireCallbacks: false,
          }),
        ),
      );
      const { rows } = await pool.query('SELECT version FROM boot_race.schema_migrations');
      expect(rows.map((row) => row.version)).toEqual(ORANGE_SMS_MIGRATIONS.map(({ version }) => version));
      for (const app of apps) await app.close();
    } finally {
      await emulator.stop();
    }
  });

  it('migrate: false on a schema never migrated: boot fails naming postgres.migrate and the versions', async () => {
    const emulator = await OrangeSmsEmulator.start();
    try {
      await expect(
        startTestApp(emulator, {
          options: { postgres: { url: postgres.url, schema: 'not_migrated', migrate: false } },
          wireCallbacks: false,
        }),
      ).rejects.toMatchObject({ issues: [expect.objectContaining({ field: 'postgres.migrate' })] });
      await migrateOrangeSms(pool, { schema: 'not_migrated' });
      const app = await startTestApp(emulator, {
        options: { postgres: { url: postgres.url, schema: 'not_migrated', migrate: false } },
        wireCallbacks: false,
      });
      await app.close();
    } finally {
      await emulator.stop();
    }
  });

  it('the postgres option keeps messages, statuses, opt-outs and inbound SMS across a restart', async () => {
    const emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    const options = { rateLimit: false as const, postgres: { url: postgres.url, schema: 'restart' } };
    let app: TestApp = await startTestApp(emulator, { options, providers: [ReceiptListener] });
    try {
      const sent = await app.app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'kept' });
      expect((await emulator.deliver(sent.id, 'DeliveredToTerminal')).status).toBe(200);
      expect(
        (await emulator.receive({ from: '+2250700000005', to: '+2250000', text: 'STOP', messageId: 'in-1' })).status,
      ).toBe(200);
      await waitFor(() => ReceiptListener.received.some((e) => e.messageId === sent.id), 5_000, 'the listener');
      await app.close();

      app = await startTestApp(emulator, { options });
      const sms = app.app.get(OrangeSmsService);
      expect(await sms.getMessage(sent.id)).toMatchObject({ status: 'delivered', text: 'kept' });
      await expect(sms.send({ to: '+2250700000005', text: 'promo' })).rejects.toMatchObject({
        name: 'OrangeSmsOptedOutError',
      });
      expect((await app.app.get(OrangeSmsInboxService).get('id:in-1'))?.text).toBe('STOP');
      const report = await app.app.get(OrangeSmsStatsService).getReport({
        since: new Date(Date.now() - 60_000),
        until: new Date(Date.now() + 1_000),
        interval: 'day',
      });
      expect(report.rows[0]).toMatchObject({ sent: 1, delivered: 1 });
    } finally {
      await app.close();
      await emulator.stop();
    }
  });
});
