import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  DeliveryReceiptEvent,
  OnDeliveryReceipt,
  ORANGE_SMS_STORE,
  OrangeSmsEventDispatcher,
  OrangeSmsService,
  type OrangeSmsStore,
} from '../lib/index.js';
import { RedisOrangeSmsStore } from '../lib/redis/index.js';
import { scriptTouching, startRedisFaultProxy, type RedisFaultProxy } from './support/redis-fault-proxy.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';
import { receiptEvent, receiptTake, trackedSms } from './support/tracked-sms.js';

/**
 * On Redis the ingest path writes in groups: takes that arrive while one script is on its way go
 * together in the next one, with the outbox deletes of the events delivered meanwhile. A fault hits
 * a whole group; each notification in it must still be taken whole or not at all.
 */
describe('grouped takes on Redis, under faults', () => {
  let redis: TestRedis;
  let proxy: RedisFaultProxy;
  let client: Redis;
  let store: RedisOrangeSmsStore;
  let direct: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    direct = new Redis(redis.url);
  });
  afterAll(async () => {
    direct.disconnect();
    await redis.stop();
  });
  /** A store through the fault proxy, with the module's client settings (one resend after a cut). */
  const open = async (keyPrefix: string) => {
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    client = new Redis(proxy.url, { maxRetriesPerRequest: 1 });
    store = new RedisOrangeSmsStore(client, { keyPrefix });
    for (const id of ['m1', 'm2', 'm3', 'm4']) await store.saveMessage(trackedSms(id));
    // An event delivered earlier, whose delete rides with the next group.
    await store.saveEvent(receiptEvent('m0'));
  };
  afterEach(async () => {
    client.disconnect();
    await proxy.close();
  });

  /**
   * t1 goes at once; t2, t3 and the delete of m0's event are added while it is on its way, so they
   * go together in the next script (the one the fault hits).
   */
  const grouped = () => {
    const first = store.takeNotification(receiptTake('m1'));
    const rest = [store.takeNotification(receiptTake('m2')), store.takeNotification(receiptTake('m3'))];
    const deleted = store.deleteEvent('m0');
    return { first, rest, deleted };
  };
  const deliveredEntries = async (id: string) =>
    (await store.getMessage(id))!.history.filter((entry) => entry.status === 'delivered').length;

  it('one script carries the takes and the delete; it fails: none of them is done, and the retries complete them once', async () => {
    await open('group-fail:');
    const failed = proxy.failCommand(scriptTouching('group-fail:taken:dr:m2'), 'READONLY You can’t write (test)');
    const { first, rest, deleted } = grouped();
    expect((await first).fresh).toBe(true);
    for (const take of rest) await expect(take).rejects.toThrow('READONLY');
    await expect(deleted).rejects.toThrow('READONLY');
    const command = await failed;
    expect(command.some((part) => part.includes('group-fail:taken:dr:m3'))).toBe(true);
    expect(command).toContain('m0');
    // Nothing of the failed group happened: m2 and m3 not delivered, m0's event still there.
    expect(await deliveredEntries('m2')).toBe(0);
    expect(await deliveredEntries('m3')).toBe(0);
    expect((await store.listEvents()).map((event) => event.id).sort()).toEqual(['dr:m1:DeliveredToTerminal', 'm0']);
    // Orange's retries (new attempts) and the dispatcher's redelivery complete it.
    const retried = await Promise.all([
      store.takeNotification(receiptTake('m2')),
      store.takeNotification(receiptTake('m3')),
      store.deleteEvent('m0'),
    ]);
    expect(retried.slice(0, 2).map((taken) => taken?.fresh && taken.event?.id)).toEqual([
      'dr:m2:DeliveredToTerminal',
      'dr:m3:DeliveredToTerminal',
    ]);
    for (const id of ['m1', 'm2', 'm3']) expect(await deliveredEntries(id)).toBe(1);
    expect((await store.listEvents()).map((event) => event.id).sort()).toEqual([
      'dr:m1:DeliveredToTerminal',
      'dr:m2:DeliveredToTerminal',
      'dr:m3:DeliveredToTerminal',
    ]);
  });

  it('the reply of a group is lost and ioredis resends it: each take answers as the first run did, each applied once', async () => {
    await open('group-lost:');
    const dropped = proxy.dropReply(scriptTouching('group-lost:taken:dr:m2'));
    const { first, rest, deleted } = grouped();
    expect((await first).fresh).toBe(true);
    const taken = await Promise.all(rest);
    await deleted;
    await dropped;
    expect(proxy.commands.filter(scriptTouching('group-lost:taken:dr:m2'))).toHaveLength(2);
    // Fresh with its event (this attempt's, still in the outbox), not a duplicate, not stale.
    expect(taken.map((t) => [t.fresh, t.stale, t.event?.id, t.message?.status])).toEqual([
      [true, undefined, 'dr:m2:DeliveredToTerminal', 'delivered'],
      [true, undefined, 'dr:m3:DeliveredToTerminal', 'delivered'],
    ]);
    for (const id of ['m1', 'm2', 'm3']) expect(await deliveredEntries(id)).toBe(1);
    expect((await store.listEvents()).map((event) => event.id).sort()).toEqual([
      'dr:m1:DeliveredToTerminal',
      'dr:m2:DeliveredToTerminal',
      'dr:m3:DeliveredToTerminal',
    ]);
    // Orange's own retry of m2 (a new attempt) is a duplicate.
    expect((await store.takeNotification(receiptTake('m2'))).fresh).toBe(false);
  });

  it('takes still waiting when their callers gave up (Redis slow) are not sent: nothing piles up, the next take goes', async () => {
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    client = new Redis(proxy.url, { maxRetriesPerRequest: 1 });
    store = new RedisOrangeSmsStore(client, { keyPrefix: 'group-wait:', maxTakeWaitMs: 200 });
    const slow = proxy.delayReply(scriptTouching('group-wait:taken:dr:w1'), 600);
    const first = store.takeNotification(receiptTake('w1'));
    const queued = [store.takeNotification(receiptTake('w2')), store.takeNotification(receiptTake('w3'))];
    await slow;
    expect((await first).fresh).toBe(true);
    for (const take of queued) await expect(take).rejects.toThrow(/waited \d+ ms for Redis and was not sent/);
    expect(proxy.commands.filter(scriptTouching('group-wait:taken:dr:w2'))).toHaveLength(0);
    expect(await direct.exists('group-wait:taken:dr:w2:DeliveredToTerminal')).toBe(0);
    expect((await store.takeNotification(receiptTake('w2'))).fresh).toBe(true);
  });

  it('a resent group whose event was delivered and deleted in between answers without it (not delivered twice)', async () => {
    await open('group-resend:');
    const take = receiptTake('m4', 'DeliveredToTerminal', 'attempt-m4');
    const first = await store.takeNotification(take);
    expect(first.event?.id).toBe('dr:m4:DeliveredToTerminal');
    await store.deleteEvent('dr:m4:DeliveredToTerminal');
    // The same attempt again (what ioredis resends): fresh, as the first time, but nothing to deliver.
    const again = await store.takeNotification(take);
    expect(again.fresh).toBe(true);
    expect(again.event).toBeUndefined();
    expect(await deliveredEntries('m4')).toBe(1);
  });
});

@Injectable()
class Receipts {
  static runs = new Map<string, number>();
  @OnDeliveryReceipt()
  on(event: DeliveryReceiptEvent) {
    Receipts.runs.set(event.messageId, (Receipts.runs.get(event.messageId) ?? 0) + 1);
  }
}

describe('grouped ingest over HTTP: many receipts at once, one group failed and one reply lost', () => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis;
  let proxy: RedisFaultProxy;
  let app: TestApp;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    redis = await startRedis();
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    app = await startTestApp(emulator, {
      providers: [Receipts],
      options: { rateLimit: false, redis: { url: proxy.url, keyPrefix: 'group-http:' } },
      wireCallbacks: false,
    });
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await emulator.stop();
    await redis.stop();
  });

  it('every receipt answered 200 is applied once and reaches its listener; each 503 is completed by Orange’s retry', async () => {
    const sms = app.app.get(OrangeSmsService);
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) => sms.send({ to: `+2250700001${String(i).padStart(3, '0')}`, text: 'x' })),
    );
    const post = (id: string) =>
      fetch(`${app.url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          deliveryInfoNotification: {
            callbackData: id,
            deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
          },
        }),
      });
    // The group carrying the 11th receipt fails; the one carrying the 31st loses its reply.
    const failed = proxy.failCommand(scriptTouching(`taken:dr:${sent[10]!.id}:`), 'READONLY You can’t write (test)');
    const dropped = proxy.dropReply(scriptTouching(`taken:dr:${sent[30]!.id}:`));
    const first = await Promise.all(sent.map((message) => post(message.id)));
    await Promise.all([failed, dropped]);
    const refused = sent.filter((_, i) => first[i]!.status !== 200);
    expect(first.every((response) => response.status === 200 || response.status === 503)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    // Orange sends the refused ones again.
    const retried = await Promise.all(refused.map((message) => post(message.id)));
    expect(retried.map((response) => response.status)).toEqual(refused.map(() => 200));
    await waitFor(() => Receipts.runs.size >= sent.length, 5_000, 'every listener');
    await app.app.get(OrangeSmsEventDispatcher).whenIdle();
    for (const message of sent) {
      expect(Receipts.runs.get(message.id)).toBeGreaterThanOrEqual(1);
      const stored = (await sms.getMessage(message.id))!;
      expect(stored.status).toBe('delivered');
      expect(stored.history.filter((entry) => entry.status === 'delivered')).toHaveLength(1);
    }
    const store = app.app.get<OrangeSmsStore>(ORANGE_SMS_STORE);
    const deadline = Date.now() + 5_000;
    while ((await store.listEvents()).length > 0 && Date.now() < deadline)
      await waitFor(() => false, 50).catch(() => 0);
    expect(await store.listEvents()).toEqual([]);
  });
});
