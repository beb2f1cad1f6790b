/**
 * Reports and exports on a real app over HTTP: messages sent through the emulator, receipts posted
 * back by it, on the memory store, on a real Redis and on a real PostgreSQL. The figures must agree with what was sent and
 * received, per country and per status, with the right units.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  ORANGE_SMS_STORE,
  OrangeSmsMemoryStore,
  OrangeSmsModule,
  OrangeSmsService,
  OrangeSmsStatsService,
  type TrackedSms,
} from '../lib/index.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { emulatorOptions, startTestApp, type TestApp } from './support/test-app.js';

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe.each(['memory', 'redis', 'postgres'] as const)('reports and exports on the %s store', (kind) => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis | undefined;
  let postgres: TestPostgres | undefined;
  let testApp: TestApp;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null, countries: ['CIV', 'SEN'] });
    if (kind === 'redis') redis = await startRedis();
    if (kind === 'postgres') postgres = await startPostgres();
    testApp = await startTestApp(emulator, {
      options: {
        rateLimit: false,
        ...(redis ? { redis: { url: redis.url, keyPrefix: 'reports:' } } : {}),
        ...(postgres ? { postgres: { url: postgres.url, schema: 'reports' } } : {}),
      },
    });
  }, 60_000);
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
    await redis?.stop();
    await postgres?.stop();
  });

  it('agrees with what was sent and received, per country and per status, with units', async () => {
    const sms = testApp.app.get(OrangeSmsService);
    const stats = testApp.app.get(OrangeSmsStatsService);
    const since = new Date(Date.now() - 1_000);
    const long = 'x'.repeat(200); // 2 segments in GSM-7
    const civ = await Promise.all([
      sms.send({ to: '+2250700000001', text: 'one' }),
      sms.send({ to: '+2250700000002', text: long }),
      sms.send({ to: '+2250700000003', text: 'three' }),
    ]);
    const sen = await Promise.all([
      sms.send({ to: '+221770000001', text: long }),
      sms.send({ to: '+221770000002', text: 'two' }),
    ]);
    await emulator.deliver(civ[0]!.id, 'DeliveredToTerminal');
    await emulator.deliver(civ[1]!.id, 'DeliveryImpossible');
    await emulator.deliver(sen[0]!.id, 'DeliveredToTerminal');
    await emulator.deliver(sen[1]!.id, 'MessageWaiting');
    for (let tries = 0; (await sms.getMessage(sen[1]!.id))?.status !== 'waiting'; tries++) {
      if (tries > 100) throw new Error('the receipts were not applied');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const until = new Date(Date.now() + 1_000);

    const byCountry = await stats.getReport({ since, until, interval: 'day', groupBy: 'country' });
    const rows = Object.fromEntries(byCountry.rows.map((row) => [row.group, row]));
    expect(rows.CIV).toMatchObject({ sent: 3, delivered: 1, failed: 1, pending: 1, units: 4 });
    expect(rows.SEN).toMatchObject({ sent: 2, delivered: 1, failed: 0, pending: 1, units: 3 });
    expect(rows.CIV!.deliveryRate).toBeCloseTo(1 / 3);
    expect(rows.CIV!.medianDeliveryMs).toEqual(expect.any(Number));
    expect(rows.SEN!.medianDeliveryMs).toBeGreaterThanOrEqual(0);

    const byStatus = await stats.getReport({
      since,
      until,
      interval: 'month',
      groupBy: 'status',
      timeZone: 'Africa/Abidjan',
    });
    expect(Object.fromEntries(byStatus.rows.map((row) => [row.group, row.sent]))).toEqual({
      delivered: 2,
      failed: 1,
      submitted: 1,
      waiting: 1,
    });

    const delivery = await stats.getDeliveryStats({ since, until });
    expect(delivery).toMatchObject({ total: 5, deliveryRate: 2 / 5 });
    expect(delivery.byStatus).toMatchObject({ delivered: 2, failed: 1, waiting: 1, submitted: 1 });
    expect(delivery.byCountry.CIV).toMatchObject({ total: 3, byStatus: expect.objectContaining({ failed: 1 }) });
    expect(delivery.byCountry.SEN).toMatchObject({ total: 2, byStatus: expect.objectContaining({ waiting: 1 }) });
    expect(delivery.medianDeliveryMs).toEqual(expect.any(Number));

    const csv = (await collect(stats.exportMessages({ since, until, format: 'csv' }))).trimEnd().split('\r\n');
    expect(csv[0]).toBe(
      'id,submittedAt,to,country,senderAddress,senderName,status,deliveryStatus,segments,encoding,deliveredAt,updatedAt,reference',
    );
    expect(csv).toHaveLength(6);
    expect(csv.join('\n')).not.toContain('0700000001'); // masked by default
    const ndjson = (await collect(stats.exportMessages({ since, until, format: 'ndjson', maskNumbers: false })))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; to: string; status: string; segments: number });
    expect(ndjson.map((row) => row.id).sort()).toEqual([...civ, ...sen].map((sent) => sent.id).sort());
    expect(ndjson.find((row) => row.id === civ[1]!.id)).toMatchObject({
      to: 'tel:+2250700000002',
      status: 'failed',
      segments: 2,
    });
  });

  it('refuses a bad window, interval, group or zone by name, before reading anything', async () => {
    const stats = testApp.app.get(OrangeSmsStatsService);
    const since = new Date();
    const until = new Date(since.getTime() + 1);
    await expect(stats.getReport({ since: until, until: since, interval: 'day' })).rejects.toMatchObject({
      field: 'until',
    });
    await expect(stats.getReport({ since, until, interval: 'year' as 'day' })).rejects.toMatchObject({
      field: 'interval',
    });
    await expect(stats.getReport({ since, until, interval: 'day', groupBy: 'x' as 'country' })).rejects.toMatchObject({
      field: 'groupBy',
    });
    await expect(stats.getReport({ since, until, interval: 'day', timeZone: 'Mars/Base' })).rejects.toMatchObject({
      field: 'timeZone',
    });
    expect(() => stats.exportMessages({ format: 'xml' as 'csv' })).toThrow(
      expect.objectContaining({ field: 'format' }),
    );
  });
});

describe('exports and reports page through the store', () => {
  it('every message once across pages, 1,200 of them at the very same millisecond', async () => {
    const store = new OrangeSmsMemoryStore({ maxMessages: 5_000 });
    const base = Date.parse('2026-03-04T10:00:00Z');
    // Saved oldest first, as sends are: 1,145 a second apart, then 1,200 at one millisecond.
    for (let i = 2_344; i >= 0; i--) {
      const at = new Date(i < 1_200 ? base : base - (i - 1_199) * 1_000);
      const message: TrackedSms = {
        id: `m-${i}`,
        to: 'tel:+2250700000001',
        senderAddress: 'tel:+2250000',
        text: 'x',
        segments: 1 + (i % 2),
        encoding: 'GSM-7',
        status: i % 3 === 0 ? 'delivered' : 'submitted',
        submittedAt: at,
        updatedAt: at,
        resourceUrl: '',
        history: [],
        country: 'CIV',
      };
      await store.saveMessage(message);
    }
    const emulator = await OrangeSmsEmulator.start();
    try {
      // Not the point here: HTTP. The module with its store replaced, as a user's unit test would.
      const moduleRef = await Test.createTestingModule({
        imports: [EventEmitterModule.forRoot(), OrangeSmsModule.forRoot(emulatorOptions(emulator))],
      })
        .overrideProvider(ORANGE_SMS_STORE)
        .useValue(store)
        .compile();
      const stats = moduleRef.get(OrangeSmsStatsService);
      const lines = (await collect(stats.exportMessages({ format: 'ndjson' }))).trimEnd().split('\n');
      const ids = lines.map((line) => (JSON.parse(line) as { id: string }).id);
      expect(ids).toHaveLength(2_345);
      expect(new Set(ids).size).toBe(2_345);
      const report = await stats.getReport({
        since: new Date(base - 10_000_000),
        until: new Date(base + 1),
        interval: 'month',
      });
      expect(report.rows).toHaveLength(1);
      expect(report.rows[0]).toMatchObject({ sent: 2_345, delivered: 782, pending: 1_563, units: 2_345 + 1_172 });
      await moduleRef.close();
    } finally {
      await emulator.stop();
    }
  });
});
