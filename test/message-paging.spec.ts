/**
 * `listMessagesPage` on every store: pages of the most-recent-first order that never repeat or skip a
 * message, with ties at one millisecond and messages sent between two pages; a store that ignores
 * the cursor is named, not looped on; a foreign cursor is refused by field.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import pg from 'pg';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  ORANGE_SMS_STORE,
  OrangeSmsMemoryStore,
  OrangeSmsModule,
  OrangeSmsService,
  OrangeSmsStatsService,
  OrangeSmsStoreError,
  type OrangeSmsStore,
  type TrackedSms,
} from '../lib/index.js';
import { migrateOrangeSms, PostgresOrangeSmsStore } from '../lib/postgres/index.js';
import { RedisOrangeSmsStore } from '../lib/redis/index.js';
import { startPostgres, type TestPostgres } from './support/postgres-server.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { emulatorOptions } from './support/test-app.js';
import { trackedSms } from './support/tracked-sms.js';

function message(id: string, submittedAt: Date, to = 'tel:+2250700000001'): TrackedSms {
  return trackedSms(id, submittedAt, { to });
}

describe.each(['memory', 'redis', 'postgres'] as const)('listMessagesPage on the %s store', (kind) => {
  let emulator: OrangeSmsEmulator;
  let redisServer: TestRedis | undefined;
  let redis: Redis | undefined;
  let postgres: TestPostgres | undefined;
  let pool: pg.Pool | undefined;
  let store: OrangeSmsStore;
  let sms: OrangeSmsService;
  let close: () => Promise<void>;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start();
    if (kind === 'memory') store = new OrangeSmsMemoryStore();
    if (kind === 'redis') {
      redisServer = await startRedis();
      redis = new Redis(redisServer.url);
      store = new RedisOrangeSmsStore(redis, { keyPrefix: 'paging:' });
    }
    if (kind === 'postgres') {
      postgres = await startPostgres();
      pool = postgres.pool();
      await migrateOrangeSms(pool, { schema: 'paging' });
      store = new PostgresOrangeSmsStore(pool, { schema: 'paging' });
    }
    const moduleRef = await Test.createTestingModule({
      imports: [EventEmitterModule.forRoot(), OrangeSmsModule.forRoot(emulatorOptions(emulator))],
    })
      .overrideProvider(ORANGE_SMS_STORE)
      .useValue(store)
      .compile();
    await moduleRef.init();
    sms = moduleRef.get(OrangeSmsService);
    close = () => moduleRef.close();
  }, 60_000);
  afterAll(async () => {
    await close();
    await emulator.stop();
    redis?.disconnect();
    await redisServer?.stop();
    await pool?.end();
    await postgres?.stop();
  });

  it('every message once, most recent first, ties at one millisecond and new sends between pages included', async () => {
    const base = Date.now() - 3_600_000;
    // 150 a second apart, then 120 at the very same millisecond (ids in no particular order).
    const saved: TrackedSms[] = [];
    for (let i = 0; i < 150; i++) saved.push(message(`a-${String(i).padStart(3, '0')}`, new Date(base + i * 1_000)));
    for (let i = 0; i < 120; i++) saved.push(message(`t-${(i * 37) % 120}`, new Date(base + 200_000)));
    for (const each of saved) await store.saveMessage(each);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await sms.listMessagesPage({ limit: 25, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      if (pages++ === 2) {
        // Sent meanwhile: newer than every page, so no later page shows it or shifts because of it.
        await store.saveMessage(message('late', new Date(base + 300_000)));
      }
    } while (cursor);
    const expected = [...saved]
      .sort((a, b) => b.submittedAt.getTime() - a.submittedAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((each) => each.id);
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(270 / 25));

    // Filters hold across pages.
    await store.saveMessage(message('other-1', new Date(base + 500), 'tel:+2250700000099'));
    await store.saveMessage(message('other-2', new Date(base + 500), 'tel:+2250700000099'));
    const first = await sms.listMessagesPage({ to: '+2250700000099', limit: 1 });
    expect(first.items.map((item) => item.id)).toEqual(['other-2']);
    const second = await sms.listMessagesPage({ to: '+2250700000099', limit: 1, cursor: first.nextCursor });
    expect(second).toEqual({ items: [expect.objectContaining({ id: 'other-1' })] });
  });

  it('refuses a cursor it did not give and a bad limit by field, before reading the store', async () => {
    await expect(sms.listMessagesPage({ cursor: 'bm9wZQ' })).rejects.toMatchObject({ field: 'cursor' });
    await expect(sms.listMessagesPage({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(sms.listMessagesPage({ limit: 1_001 })).rejects.toMatchObject({ field: 'limit' });
  });
});

it('a store that ignores the cursor is named by an OrangeSmsStoreError, not paged forever', async () => {
  const memory = new OrangeSmsMemoryStore();
  for (let i = 0; i < 5; i++) await memory.saveMessage(message(`m-${i}`, new Date(Date.now() - i * 1_000)));
  const legacy: OrangeSmsStore = Object.assign(Object.create(memory) as OrangeSmsStore, {
    listMessages: (filter: Parameters<OrangeSmsStore['listMessages']>[0] = {}) => {
      const { after: _ignored, ...rest } = filter;
      return memory.listMessages(rest);
    },
  });
  const emulator = await OrangeSmsEmulator.start();
  const moduleRef = await Test.createTestingModule({
    imports: [EventEmitterModule.forRoot(), OrangeSmsModule.forRoot(emulatorOptions(emulator))],
  })
    .overrideProvider(ORANGE_SMS_STORE)
    .useValue(legacy)
    .compile();
  try {
    const sms = moduleRef.get(OrangeSmsService);
    const first = await sms.listMessagesPage({ limit: 2 });
    expect(first.nextCursor).toEqual(expect.any(String));
    const error = await sms.listMessagesPage({ limit: 2, cursor: first.nextCursor }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrangeSmsStoreError);
    expect((error as OrangeSmsStoreError).operation).toBe('listMessages');
    // Reports page the same way: past the first page of 1,000, named rather than looping.
    for (let i = 5; i < 1_005; i++) await memory.saveMessage(message(`m-${i}`, new Date(Date.now() - i * 1_000)));
    const stats = moduleRef.get(OrangeSmsStatsService);
    const since = new Date(Date.now() - 86_400_000);
    await expect(
      stats.getReport({ since, until: new Date(Date.now() + 1_000), interval: 'day' }),
    ).rejects.toBeInstanceOf(OrangeSmsStoreError);
  } finally {
    await moduleRef.close();
    await emulator.stop();
  }
});
