import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  OrangeSmsStatsService,
  DeliveryReceiptEvent,
  InboundSmsEvent,
  OnDeliveryReceipt,
  OnInboundSms,
  OrangeSmsEventDispatcher,
  OrangeSmsInboxService,
  OrangeSmsMemoryStore,
  OrangeSmsService,
  OrangeSmsStoreError,
  ORANGE_SMS_STORE,
  type OrangeSmsStore,
} from '../lib/index.js';
import type {
  OrangeSmsNotificationTake,
  OrangeSmsNotificationTaken,
} from '../lib/interfaces/orange-sms.tracking.interfaces.js';
import { RedisOrangeSmsStore } from '../lib/redis/index.js';
import { scriptTouching, startRedisFaultProxy, type RedisFaultProxy } from './support/redis-fault-proxy.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';

@Injectable()
class Listeners {
  static receipts: DeliveryReceiptEvent[] = [];
  static inbound: InboundSmsEvent[] = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    Listeners.receipts.push(event);
  }
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    Listeners.inbound.push(event);
  }
}

/** The memory store, whose k-th notification take fails as an unreachable store would. */
class FailingStore extends OrangeSmsMemoryStore {
  takes = 0;
  failOn = new Set<number>();
  override async takeNotification(take: OrangeSmsNotificationTake): Promise<OrangeSmsNotificationTaken> {
    this.takes++;
    if (this.failOn.has(this.takes)) {
      throw new OrangeSmsStoreError('store unreachable (test)', { operation: 'takeNotification' });
    }
    return super.takeNotification(take);
  }
}

const receipt = (messageId: string, deliveryStatus: string, address = 'tel:+2250700000001') => ({
  deliveryInfoNotification: { callbackData: messageId, deliveryInfo: { address, deliveryStatus } },
});
const inbound = (from: string, text: string, messageId: string) => ({
  inboundSMSMessageNotification: {
    inboundSMSMessage: { senderAddress: `tel:${from}`, destinationAddress: '+2250000', message: text, messageId },
  },
});

/** Orange's notifications are taken whole or not at all: counted at the listeners, under store faults. */
describe('ingest under faults: every notification acknowledged 200 is applied and reaches its listener', () => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis;
  let app: TestApp | undefined;
  let proxy: RedisFaultProxy | undefined;

  const post = (path: string, body: unknown) =>
    fetch(`${app!.url}/orange-sms/webhooks/${path}?token=${WEBHOOK_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const settle = async () => {
    await app!.app.get(OrangeSmsEventDispatcher).whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 50));
  };

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    redis = await startRedis();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await proxy?.close();
    proxy = undefined;
    emulator.reset();
    Listeners.receipts = [];
    Listeners.inbound = [];
  });
  afterAll(async () => {
    await emulator.stop();
    await redis.stop();
  });

  it('a STOP whose first take failed gets 503 with Retry-After; Orange’s retry records it once', async () => {
    const store = new FailingStore();
    store.failOn.add(1);
    app = await startTestApp(emulator, { providers: [Listeners], options: { store }, wireCallbacks: false });
    const first = await post('inbound', inbound('+2250700000009', 'STOP', 'mo-1'));
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(await store.isOptedOut('tel:+2250700000009')).toBe(false);
    // Orange sends it again: taken now (it was not a duplicate), applied and emitted once.
    const retry = await post('inbound', inbound('+2250700000009', 'STOP', 'mo-1'));
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ accepted: 1, duplicates: 0 });
    await settle();
    expect(await store.isOptedOut('tel:+2250700000009')).toBe(true);
    expect(Listeners.inbound.map((e) => e.keyword)).toEqual(['STOP']);
    expect((await post('inbound', inbound('+2250700000009', 'STOP', 'mo-1'))).status).toBe(200);
    await settle();
    expect(Listeners.inbound).toHaveLength(1);
  });

  it('a body whose second notification fails: the first is delivered, 503, and the retry completes the rest once', async () => {
    const store = new FailingStore();
    app = await startTestApp(emulator, {
      providers: [Listeners],
      options: { store, rateLimit: false },
      wireCallbacks: false,
    });
    const sms = app.app.get(OrangeSmsService);
    const sent = await sms.send({ to: '+2250700000001', text: 'a' });
    // Orange's list form: several deliveryInfo entries in one notification.
    const body = {
      deliveryInfoNotification: {
        callbackData: sent.id,
        deliveryInfo: [
          { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToNetwork' },
          { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
        ],
      },
    };
    store.failOn.add(store.takes + 2);
    expect((await post('delivery-receipts', body)).status).toBe(503);
    await settle();
    expect(Listeners.receipts.map((e) => e.status)).toEqual(['DeliveredToNetwork']);
    const retry = await post('delivery-receipts', body);
    expect(await retry.json()).toEqual({ accepted: 1, duplicates: 1 });
    await settle();
    expect(Listeners.receipts.map((e) => e.status)).toEqual(['DeliveredToNetwork', 'DeliveredToTerminal']);
    expect((await sms.getMessage(sent.id))!.status).toBe('delivered');
  });

  it('a receipt with a very deep JSON field is taken (200) and the outbox stays listable and retryable', async () => {
    const store = new OrangeSmsMemoryStore();
    app = await startTestApp(emulator, {
      providers: [Listeners],
      options: { store, rateLimit: false },
      wireCallbacks: false,
    });
    const sent = await app.app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'deep' });
    // 5,000 nested arrays in an extra field: JSON text built by hand (JSON.stringify would overflow).
    const deep = '['.repeat(5_000) + ']'.repeat(5_000);
    const text = JSON.stringify(receipt(sent.id, 'DeliveredToTerminal')).replace(/}}$/, `,"extra":${deep}}}`);
    const response = await post('delivery-receipts', text);
    expect(response.status).toBe(200);
    await settle();
    expect(Listeners.receipts).toHaveLength(1);
    expect(Listeners.receipts[0]!.raw).toMatchObject({ rawTruncated: true });
    const dispatcher = app.app.get(OrangeSmsEventDispatcher);
    await expect(dispatcher.listFailedEvents()).resolves.toEqual([]);
    await expect(dispatcher.retryFailedEvents()).resolves.toEqual({ delivered: 0, failed: 0 });
  });

  describe('on Redis, through a proxy that loses replies and fails commands', () => {
    const startOnProxy = async (keyPrefix: string) => {
      proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
      app = await startTestApp(emulator, {
        providers: [Listeners],
        options: { rateLimit: false, redis: { url: proxy.url, keyPrefix } },
        wireCallbacks: false,
      });
      return app.app.get(OrangeSmsService);
    };

    it('the reply of the take is lost and ioredis resends it: applied once, acknowledged, listener run once', async () => {
      const sms = await startOnProxy('lost-reply:');
      const sent = await sms.send({ to: '+2250700000001', text: 'x' });
      const dropped = proxy!.dropReply(scriptTouching('lost-reply:taken:'));
      const response = await post('delivery-receipts', receipt(sent.id, 'DeliveredToTerminal'));
      await dropped;
      // The resend carries the same attempt, so it answers as the first run did: taken, not a duplicate.
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ accepted: 1, duplicates: 0 });
      expect(proxy!.commands.filter(scriptTouching('lost-reply:taken:'))).toHaveLength(2);
      await waitFor(() => Listeners.receipts.length >= 1, 3_000, 'the listener');
      await settle();
      expect(Listeners.receipts).toHaveLength(1);
      expect((await sms.getMessage(sent.id))!.status).toBe('delivered');
    });

    it('the grouped delete of delivered events fails once: each event of that group is delivered again, none lost, and the outbox empties', async () => {
      proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
      app = await startTestApp(emulator, {
        providers: [Listeners],
        options: {
          rateLimit: false,
          redis: { url: proxy.url, keyPrefix: 'failed-delete:' },
          listenerRetry: { initialDelayMs: 50 },
        },
        wireCallbacks: false,
      });
      const sms = app.app.get(OrangeSmsService);
      const sent = await Promise.all(
        Array.from({ length: 6 }, (_, i) => sms.send({ to: `+22507000001${i}0`, text: `x${i}` })),
      );
      const failed = proxy.failCommand(
        (command) => command[0] === 'HDEL' && command[1] === 'failed-delete:events',
        'READONLY You can’t write against a read only replica.',
      );
      const responses = await Promise.all(
        sent.map((m) => post('delivery-receipts', receipt(m.id, 'DeliveredToTerminal'))),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(6).fill(200));
      // The ids of the group whose HDEL failed: `dr:<message id>:DeliveredToTerminal`.
      const group = (await failed).slice(2).map((id) => id.split(':')[1]);
      expect(group.length).toBeGreaterThan(0);
      const store = app.app.get<OrangeSmsStore>(ORANGE_SMS_STORE);
      const deadline = Date.now() + 5_000;
      while ((await store.listEvents()).length > 0 && Date.now() < deadline) await settle();
      expect(await store.listEvents()).toEqual([]);
      const runs = (id: string) => Listeners.receipts.filter((event) => event.messageId === id).length;
      // Every receipt reached its listener; those of the failed group once more (at least once, not lost).
      for (const message of sent) expect(runs(message.id)).toBeGreaterThanOrEqual(1);
      for (const id of group) expect(runs(id)).toBe(2);
    });

    it('the take ran but its reply came after the command timeout: 503, Orange’s retry is a duplicate, the sweep runs the listener once', async () => {
      proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
      app = await startTestApp(emulator, {
        providers: [Listeners],
        options: {
          rateLimit: false,
          redis: { url: proxy.url, keyPrefix: 'late-reply:', commandTimeoutMs: 300 },
          listenerRetry: { leaseMs: 500, sweepIntervalMs: 200 },
        },
        wireCallbacks: false,
      });
      const sms = app.app.get(OrangeSmsService);
      const sent = await sms.send({ to: '+2250700000001', text: 'x' });
      const delayed = proxy.delayReply(scriptTouching('late-reply:taken:'), 1_000);
      const first = await post('delivery-receipts', receipt(sent.id, 'DeliveredToTerminal'));
      await delayed;
      // We could not tell it was recorded, so Orange is not told 200 …
      expect(first.status).toBe(503);
      expect(Listeners.receipts).toHaveLength(0);
      // … it was, though: Orange's retry is a duplicate, and the outbox event is delivered by the sweep.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const retry = await post('delivery-receipts', receipt(sent.id, 'DeliveredToTerminal'));
      expect(await retry.json()).toEqual({ accepted: 0, duplicates: 1 });
      expect((await sms.getMessage(sent.id))!.status).toBe('delivered');
      await waitFor(() => Listeners.receipts.length >= 1, 5_000, 'the sweep');
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(Listeners.receipts.map((e) => e.messageId)).toEqual([sent.id]);
    });

    it('the take answered with an error (a failover): 503, nothing recorded; the retry is applied and emitted once', async () => {
      const sms = await startOnProxy('failed-take:');
      const sent = await sms.send({ to: '+2250700000001', text: 'x' });
      const failed = proxy!.failCommand(
        scriptTouching('failed-take:taken:'),
        'READONLY You can’t write against a read only replica.',
      );
      const first = await post('delivery-receipts', receipt(sent.id, 'DeliveredToTerminal'));
      await failed;
      expect(first.status).toBe(503);
      expect(first.headers.get('retry-after')).toBe('5');
      expect((await sms.getMessage(sent.id))!.status).toBe('submitted');
      const retry = await post('delivery-receipts', receipt(sent.id, 'DeliveredToTerminal'));
      expect(await retry.json()).toEqual({ accepted: 1, duplicates: 0 });
      await waitFor(() => Listeners.receipts.length >= 1, 3_000, 'the listener');
      await settle();
      expect(Listeners.receipts).toHaveLength(1);
      expect((await sms.getMessage(sent.id))!.status).toBe('delivered');
    });

    it('the save of a sent SMS runs twice (its reply lost, ioredis resends it): stored once and counted once in the report counters', async () => {
      // Counting on (as on a store this version has run a while), so the report reads the counters.
      const direct = new Redis(redis.url);
      await direct.set('save-replay:agg-start', '0');
      direct.disconnect();
      const sms = await startOnProxy('save-replay:');
      const stats = app!.app.get(OrangeSmsStatsService);
      const dropped = proxy!.dropReply(scriptTouching('save-replay:msgs'));
      const sent = await sms.send({ to: '+2250700000001', text: 'x' });
      await dropped;
      expect(proxy!.commands.filter(scriptTouching('save-replay:msgs'))).toHaveLength(2);
      expect(await sms.listMessages({ limit: Infinity })).toHaveLength(1);
      const counted = await stats.getDeliveryStats();
      expect(counted).toMatchObject({ total: 1, byStatus: expect.objectContaining({ submitted: 1 }) });
      expect((await post('delivery-receipts', receipt(sent.id, 'DeliveredToTerminal'))).status).toBe(200);
      await waitFor(() => Listeners.receipts.length >= 1, 3_000, 'the listener');
      const after = await stats.getDeliveryStats();
      expect(after).toMatchObject({ total: 1, byStatus: expect.objectContaining({ submitted: 0, delivered: 1 }) });
    });

    it('an inbound SMS whose take reply is lost is in the inbox once; one whose take failed is not, until Orange’s retry', async () => {
      await startOnProxy('inbox-faults:');
      const inbox = app!.app.get(OrangeSmsInboxService);
      const dropped = proxy!.dropReply(scriptTouching('inbox-faults:taken:'));
      const lost = await post('inbound', inbound('+2250700000011', 'HELLO', 'lost-1'));
      await dropped;
      expect(lost.status).toBe(200);
      const failed = proxy!.failCommand(
        scriptTouching('inbox-faults:taken:'),
        'READONLY You can’t write against a read only replica.',
      );
      const refused = await post('inbound', inbound('+2250700000012', 'HELP', 'failed-1'));
      await failed;
      expect(refused.status).toBe(503);
      expect((await inbox.list()).items.map((m) => m.id)).toEqual(['id:lost-1']);
      expect((await post('inbound', inbound('+2250700000012', 'HELP', 'failed-1'))).status).toBe(200);
      expect((await post('inbound', inbound('+2250700000011', 'HELLO', 'lost-1'))).status).toBe(200);
      expect((await inbox.list()).items.map((m) => m.id).sort()).toEqual(['id:failed-1', 'id:lost-1']);
      await settle();
      expect(Listeners.inbound.map((e) => e.text).sort()).toEqual(['HELLO', 'HELP']);
    });

    it('an event taken by an instance that died before delivering it is delivered by a live instance’s sweep', async () => {
      const client = new Redis(redis.url);
      try {
        // The dead instance: it took the STOP (acknowledged to Orange) and never ran the listeners.
        const dead = new RedisOrangeSmsStore(client, { keyPrefix: 'sweep:' });
        const taken = await dead.takeNotification({
          key: 'mo:id:dead-1',
          attempt: 'dead-attempt',
          dedupeTtlMs: 60_000,
          optOut: { number: 'tel:+2250700000077', optedOut: true },
          event: {
            id: 'mo:id:dead-1',
            kind: 'inbound',
            state: 'pending',
            attempts: 0,
            createdAt: new Date(),
            leaseUntil: new Date(Date.now() + 300),
            data: {
              from: 'tel:+2250700000077',
              senderKind: 'number',
              to: '+2250000',
              text: 'STOP',
              messageId: 'dead-1',
              receivedAt: new Date(),
              raw: {},
            },
          },
        });
        expect(taken.fresh).toBe(true);
        const started = Date.now();
        app = await startTestApp(emulator, {
          providers: [Listeners],
          options: {
            redis: { url: redis.url, keyPrefix: 'sweep:' },
            listenerRetry: { leaseMs: 300, sweepIntervalMs: 200 },
          },
          wireCallbacks: false,
        });
        // Lease 300 ms + sweep every 200 ms: delivered within about half a second, once.
        await waitFor(() => Listeners.inbound.length >= 1, 5_000, 'the sweep');
        await new Promise((resolve) => setTimeout(resolve, 600));
        expect(Listeners.inbound.map((e) => e.messageId)).toEqual(['dead-1']);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(await dead.listEvents()).toEqual([]);
      } finally {
        client.disconnect();
      }
    });
  });
});
