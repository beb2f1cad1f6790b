/**
 * The PostgreSQL store behind the real webhook routes, on Express and on Fastify: one PostgreSQL
 * cluster for the file (started by the test), one schema per platform. Every check reads the
 * receiving end: the listeners, and the schema's tables queried directly.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import pg from 'pg';
import {
  type DeliveryReceiptEvent,
  type InboundSmsEvent,
  OnDeliveryReceipt,
  OnInboundSms,
  OrangeSmsEventDispatcher,
  OrangeSmsOptedOutError,
  OrangeSmsService,
} from '../lib/index.js';
import { ORANGE_SMS_MIGRATIONS } from '../lib/postgres/index.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.js';
import { type Platform, startTestApp, useEmulator, WEBHOOK_SECRET, waitFor } from './support/test-app.js';

@Injectable()
class Listeners {
  receipts: DeliveryReceiptEvent[] = [];
  inbound: InboundSmsEvent[] = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    this.receipts.push(event);
  }
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    this.inbound.push(event);
  }
}

let postgres: TestPostgres;
let pool: pg.Pool;

beforeAll(async () => {
  postgres = await startPostgres();
  pool = postgres.pool();
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await postgres?.stop();
});

describe.each<Platform>(['express', 'fastify'])('the PostgreSQL store on %s', (platform) => {
  const ctx = useEmulator({ autoDeliveryStatus: null });
  const schema = `platform_${platform}`;
  const start = () =>
    startTestApp(ctx.emulator, {
      platform,
      providers: [Listeners],
      options: { rateLimit: false, postgres: { url: postgres.url, schema } },
    });
  const rows = async <T extends object>(sql: string, values: unknown[] = []): Promise<T[]> =>
    (await pool.query(sql.replaceAll('{schema}', `"${schema}"`), values)).rows as T[];

  it('a receipt and a STOP on the real routes are kept in PostgreSQL once, retries included; the STOP refuses the next send', async () => {
    ctx.app = await start();
    const app = ctx.app.app;
    expect(app.getHttpAdapter().getType()).toBe(platform);
    const listeners = app.get(Listeners);
    const dispatcher = app.get(OrangeSmsEventDispatcher);
    const sms = app.get(OrangeSmsService);

    const sent = await sms.send({ to: '+2250700000001', text: `kept on ${platform}` });
    expect(await rows(`SELECT status FROM {schema}.messages WHERE id = $1`, [sent.id])).toEqual([
      { status: 'submitted' },
    ]);

    // The receipt, then Orange's retry of the same receipt: both answered 200, the second a duplicate.
    const first = await ctx.emulator.deliver(sent.id, 'DeliveredToTerminal');
    expect(first.status).toBe(200);
    await dispatcher.whenIdle();
    await waitFor(() => listeners.receipts.length >= 1, 5_000, 'the receipt listener');
    const retry = await ctx.emulator.deliver(sent.id, 'DeliveredToTerminal');
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body)).toEqual({
      accepted: 0,
      duplicates: 1,
    });
    await dispatcher.whenIdle();

    expect(listeners.receipts.map((e) => [e.messageId, e.status])).toEqual([[sent.id, 'DeliveredToTerminal']]);
    expect(listeners.receipts[0]!.message).toMatchObject({ id: sent.id, status: 'delivered' });
    const [message] = await rows<{ status: string; delivered: boolean; data_status: string }>(
      `SELECT status, delivered_at IS NOT NULL AS delivered, data->>'status' AS data_status
         FROM {schema}.messages WHERE id = $1`,
      [sent.id],
    );
    expect(message).toEqual({ status: 'delivered', delivered: true, data_status: 'delivered' });
    // Applied once: one 'delivered' entry in the history, one dedupe record for the receipt.
    expect(
      (
        await rows<{ status: string }>(`SELECT status FROM {schema}.status_history WHERE message_id = $1 ORDER BY at`, [
          sent.id,
        ])
      ).map((row) => row.status),
    ).toEqual(['submitted', 'delivered']);
    expect(await rows(`SELECT key FROM {schema}.notifications WHERE key LIKE $1`, [`dr:${sent.id}:%`])).toEqual([
      { key: `dr:${sent.id}:DeliveredToTerminal` },
    ]);
    expect((await sms.getMessage(sent.id))?.status).toBe('delivered');

    // An inbound STOP, and Orange's retry of it (same messageId).
    const stop = { from: '+2250700000005', to: '+2250000', text: 'STOP', messageId: `in-${platform}` };
    expect((await ctx.emulator.receive(stop)).status).toBe(200);
    await dispatcher.whenIdle();
    await waitFor(() => listeners.inbound.length >= 1, 5_000, 'the inbound listener');
    expect((await ctx.emulator.receive(stop)).status).toBe(200);
    await dispatcher.whenIdle();
    expect(listeners.inbound.map((e) => e.text)).toEqual(['STOP']);

    expect(await rows(`SELECT number FROM {schema}.opt_outs`)).toEqual([{ number: 'tel:+2250700000005' }]);
    expect(await rows(`SELECT id, from_number, keyword, handled FROM {schema}.inbound`)).toEqual([
      { id: `id:in-${platform}`, from_number: 'tel:+2250700000005', keyword: 'STOP', handled: false },
    ]);

    const requestsBefore = ctx.emulator.requests.length;
    await expect(sms.send({ to: '+2250700000005', text: 'promo' })).rejects.toBeInstanceOf(OrangeSmsOptedOutError);
    expect(ctx.emulator.requests.length).toBe(requestsBefore);
    expect(await rows(`SELECT id FROM {schema}.messages WHERE to_number = 'tel:+2250700000005'`)).toEqual([]);
  });

  it('a body that is not JSON gets a 4xx naming the problem, and nothing reaches PostgreSQL', async () => {
    ctx.app = await start();
    const listeners = ctx.app.app.get(Listeners);
    const count = async () =>
      (
        await rows<{ inbound: number; notifications: number; events: number }>(
          `SELECT (SELECT count(*)::int FROM {schema}.inbound) AS inbound,
                  (SELECT count(*)::int FROM {schema}.notifications) AS notifications,
                  (SELECT count(*)::int FROM {schema}.events) AS events`,
        )
      )[0]!;
    const before = await count();
    // Broken JSON is refused by the platform's own parser (its wording differs), a body of another
    // type by the module's: both name JSON.
    const notJson = ['inbound', 'delivery-receipts'].flatMap((route) => [
      { route, type: 'application/json', body: '{"inboundSMSMessageNotification": {' },
      { route, type: 'text/plain', body: 'STOP' },
    ]);
    for (const { route, type, body } of notJson) {
      const response = await fetch(`${ctx.app.url}/orange-sms/webhooks/${route}?token=${WEBHOOK_SECRET}`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const answer = (await response.json()) as { message?: unknown };
      expect(String(answer.message)).toMatch(/json/i);
    }
    await ctx.app.app.get(OrangeSmsEventDispatcher).whenIdle();
    expect(await count()).toEqual(before);
    expect(listeners.receipts).toEqual([]);
    expect(listeners.inbound).toEqual([]);
    // The schema was migrated once, by the first boot of this platform's app.
    expect(await rows(`SELECT version FROM {schema}.schema_migrations ORDER BY version`)).toEqual(
      ORANGE_SMS_MIGRATIONS.map(({ version }) => ({ version })),
    );
  });
});
