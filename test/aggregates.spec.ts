/**
 * The stores' aggregates (SQL on PostgreSQL, counters on Redis) against a scan of the same history
 * kept by the memory store: every interval, zone and group, windows cut inside an hour, receipts that
 * came before their message, replayed saves and takes. On Redis the counters must also answer for
 * messages that are gone (their TTL ran out): proof that they are read, not the messages.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { OrangeSmsMemoryStore, type OrangeSmsStore } from '../lib/index.js';
import type {
  OrangeSmsAggregateQuery,
  OrangeSmsAggregateRow,
  OrangeSmsReportGroupBy,
  OrangeSmsReportInterval,
} from '../lib/interfaces/orange-sms.aggregate.interfaces.js';
import type { OrangeDeliveryStatus } from '../lib/interfaces/orange-sms.status.interfaces.js';
import { migrateOrangeSms, PostgresOrangeSmsStore } from '../lib/postgres/index.js';
import { RedisOrangeSmsStore } from '../lib/redis/index.js';
import { MessageAggregator } from '../lib/stats/orange-sms.report.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { receiptEvent, trackedSms } from './support/tracked-sms.js';

const HOUR = 3_600_000;
const INTERVALS: OrangeSmsReportInterval[] = ['hour', 'day', 'week', 'month'];
const ZONES = ['UTC', 'Africa/Abidjan', 'Africa/Cairo', 'Asia/Tehran', 'Asia/Kolkata'];
const GROUPS: Array<OrangeSmsReportGroupBy | undefined> = [undefined, 'country', 'senderName', 'status', 'account'];

/** A deterministic sequence, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)]!;
}

/**
 * The same history written to `stores`: 360 messages over the last six days, half of them with
 * receipts (some before their message, some taken as notifications and replayed), some saved twice.
 */
async function writeHistory(stores: OrangeSmsStore[], now: number): Promise<void> {
  const next = random(42);
  const all = (work: (store: OrangeSmsStore) => Promise<unknown>) => Promise.all(stores.map(work));
  for (let index = 0; index < 360; index++) {
    const submittedAt = new Date(now - 6 * 24 * HOUR + Math.floor(next() * 6 * 24 * HOUR));
    const id = `m-${index}-${Math.floor(next() * 1e6)}`;
    const country = pick(next, ['CIV', 'SEN', undefined]);
    const senderName = pick(next, [undefined, 'Bank', 'Shop']);
    const account = pick(next, [undefined, 'default', 'acme', 'shop-2']);
    const message = trackedSms(id, submittedAt, {
      to: `tel:+22507${String(index).padStart(8, '0')}`,
      ...(senderName ? { senderName } : {}),
      ...(country ? { country } : {}),
      ...(account ? { account } : {}),
      segments: 1 + Math.floor(next() * 3),
    });
    const fate = next();
    const final: OrangeDeliveryStatus = pick(next, ['DeliveredToTerminal', 'DeliveryImpossible', 'MessageWaiting']);
    const at = (ms: number) => new Date(submittedAt.getTime() + ms);
    const delay = 500 + Math.floor(next() * 600_000);
    if (fate < 0.15) {
      // The receipt came first (another replica took it): applied when the message is saved.
      await all((store) => store.applyDeliveryStatus(id, { deliveryStatus: final, at: at(delay) }));
      await all((store) => store.saveMessage(structuredClone(message)));
    } else {
      await all((store) => store.saveMessage(structuredClone(message)));
      if (fate < 0.25) await all((store) => store.saveMessage(structuredClone(message))); // a replayed save
    }
    if (fate >= 0.25 && fate < 0.6) {
      await all((store) => store.applyDeliveryStatus(id, { deliveryStatus: 'DeliveredToNetwork', at: at(100) }));
      await all((store) => store.applyDeliveryStatus(id, { deliveryStatus: final, at: at(delay) }));
    } else if (fate >= 0.6 && fate < 0.8) {
      const attempt = randomUUID();
      const take = {
        key: `receipt:${id}`,
        attempt,
        dedupeTtlMs: 60_000,
        receipt: { messageId: id, update: { deliveryStatus: final, at: at(delay) } },
        event: receiptEvent(`receipt:${id}`),
      };
      await all((store) => store.takeNotification(take));
      await all((store) => store.takeNotification(take)); // resent after a lost reply: same attempt
      await all((store) => store.takeNotification({ ...take, attempt: randomUUID() })); // Orange's retry
    }
  }
}

function expectSameRows(actual: OrangeSmsAggregateRow[], expected: OrangeSmsAggregateRow[], exactMedian: boolean) {
  const shape = (rows: OrangeSmsAggregateRow[]) =>
    rows.map(({ period, group, byStatus, units }) => ({ period: period?.toISOString(), group, byStatus, units }));
  expect(shape(actual)).toEqual(shape(expected));
  actual.forEach((row, index) => {
    const want = expected[index]!.medianDeliveryMs;
    if (want === null || exactMedian) expect(row.medianDeliveryMs).toBe(want);
    // Buckets 1 % wide: within 0.5 % of the exact median, plus rounding.
    else expect(Math.abs(row.medianDeliveryMs! - want)).toBeLessThanOrEqual(want * 0.006 + 1);
  });
}

describe.each(['redis', 'postgres'] as const)('aggregates on the %s store', (kind) => {
  let redisServer: TestRedis | undefined;
  let redis: Redis | undefined;
  let postgres: TestPostgres | undefined;
  let pool: pg.Pool | undefined;
  let store: OrangeSmsStore;
  const reference = new OrangeSmsMemoryStore({ maxMessages: 100_000 });
  const now = Math.floor(Date.now() / HOUR) * HOUR - 7 * 60_000;

  beforeAll(async () => {
    if (kind === 'redis') {
      redisServer = await startRedis();
      redis = new Redis(redisServer.url);
      // Counting started long ago (as on a store this version has run for a while).
      await redis.set('agg:agg-start', '0');
      store = new RedisOrangeSmsStore(redis, { keyPrefix: 'agg:' });
    } else {
      postgres = await startPostgres();
      pool = postgres.pool();
      await migrateOrangeSms(pool, { schema: 'aggregates' });
      store = new PostgresOrangeSmsStore(pool, { schema: 'aggregates' });
    }
    await writeHistory([reference, store], now);
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.stop();
    await pool?.end();
    await postgres?.stop();
  });

  async function scan(query: OrangeSmsAggregateQuery): Promise<OrangeSmsAggregateRow[]> {
    const aggregator = new MessageAggregator(query);
    for (const message of await reference.listMessages({ limit: Infinity })) {
      if (query.since && message.submittedAt < query.since) continue;
      if (query.until && message.submittedAt >= query.until) continue;
      aggregator.add(message);
    }
    return aggregator.build();
  }

  const windows: Array<[string, { since?: Date; until?: Date }]> = [
    ['the whole history', {}],
    ['a window cut inside hours', {}],
    ['a window inside one hour', {}],
  ];

  it.each(windows.map(([name], index) => [name, index] as const))(
    'agrees with a scan of the same messages: %s, every interval, zone and group',
    async (_name, index) => {
      const window =
        index === 0
          ? {}
          : index === 1
            ? { since: new Date(now - 5 * 24 * HOUR + 17 * 60_000), until: new Date(now - 24 * HOUR + 43 * 60_000) }
            : { since: new Date(now - 30 * HOUR + 5 * 60_000), until: new Date(now - 30 * HOUR + 50 * 60_000) };
      let rowsSeen = 0;
      const accountPicker = random(7);
      for (const interval of [undefined, ...INTERVALS]) {
        for (const timeZone of ZONES) {
          for (const groupBy of GROUPS) {
            const query: OrangeSmsAggregateQuery = {
              ...window,
              timeZone,
              ...(interval ? { interval } : {}),
              ...(groupBy ? { groupBy } : {}),
              // Every other query counts one account only (records without one are default's).
              ...(rowsSeen % 2 === 1 ? { account: pick(accountPicker, ['default', 'acme', 'shop-2']) } : {}),
            };
            const expected = await scan(query);
            expectSameRows(await store.aggregateMessages!(query), expected, kind === 'postgres');
            rowsSeen += expected.length;
          }
        }
      }
      expect(rowsSeen).toBeGreaterThan(0);
    },
    60_000,
  );

  if (kind === 'redis') {
    it('answers whole hours from its counters: messages whose TTL ran out still count, edges do not', async () => {
      const messages = await reference.listMessages({ limit: Infinity });
      const since = new Date(now - 4 * 24 * HOUR - (now % HOUR));
      const until = new Date(now - (now % HOUR));
      const query: OrangeSmsAggregateQuery = { since, until, timeZone: 'UTC', interval: 'day', groupBy: 'country' };
      const expected = await scan(query);
      // Every message record expires (as after messageTtlSeconds); the counters stay.
      await redis!.del(...messages.map((message) => `agg:msg:${message.id}`));
      expect(await store.listMessages({ limit: Infinity })).toEqual([]);
      expectSameRows(await store.aggregateMessages!(query), expected, false);
      // A window that cuts an hour reads that hour's messages, which are gone.
      const cut = await store.aggregateMessages!({ ...query, since: new Date(since.getTime() + 60_000) });
      const total = (rows: OrangeSmsAggregateRow[]) =>
        rows.reduce((sum, row) => sum + Object.values(row.byStatus).reduce((a, b) => a + b, 0), 0);
      const firstHour = messages.filter(
        (message) => message.submittedAt >= since && message.submittedAt.getTime() < since.getTime() + HOUR,
      ).length;
      expect(total(cut)).toBe(total(expected) - firstHour);
    });
  }
});
