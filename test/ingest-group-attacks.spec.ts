import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  DeliveryReceiptEvent,
  InboundSmsEvent,
  OnDeliveryReceipt,
  OnInboundSms,
  ORANGE_SMS_STORE,
  OrangeSmsEventDispatcher,
  OrangeSmsService,
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
import { receiptEvent, receiptTake, trackedSms } from './support/tracked-sms.js';
import { WebhookInstance } from './support/webhook-instance.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An inbound take, with an opt-out change when `optedOut` is given. */
const inboundTake = (
  key: string,
  number: string,
  optedOut?: boolean,
  dedupeTtlMs = 60_000,
): OrangeSmsNotificationTake => ({
  key: `mo:${key}`,
  attempt: randomUUID(),
  dedupeTtlMs,
  ...(optedOut === undefined ? {} : { optOut: { number, optedOut } }),
  event: { ...receiptEvent(key), id: `mo:${key}` },
});
const summary = (taken: OrangeSmsNotificationTaken) => ({
  fresh: taken.fresh,
  stale: taken.stale ?? false,
  event: taken.event?.id,
  status: taken.message?.status,
});

/**
 * Attacks on the grouped ingest (one script per group of takes, the outbox deletes riding in it),
 * straight on the store through the fault proxy, so the test knows which group each write went in.
 */
describe('grouped ingest on Redis: order, dedupe, cap and failure within groups', () => {
  let redis: TestRedis;
  let proxy: RedisFaultProxy;
  let client: Redis;
  let store: RedisOrangeSmsStore;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis.stop());
  const open = async (keyPrefix: string, messages: string[]) => {
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    client = new Redis(proxy.url, { maxRetriesPerRequest: 1 });
    store = new RedisOrangeSmsStore(client, { keyPrefix });
    for (const id of messages) await store.saveMessage(trackedSms(id));
  };
  afterEach(async () => {
    client.disconnect();
    await proxy.close();
  });
  const groupsTouching = (fragment: string) => proxy.commands.filter(scriptTouching(fragment));

  // Catches: the takes of a group run in reverse (STOP/START end reversed, the stale one flips),
  // results handed back shifted by the deletes (each caller gets another's answer), the attempt check
  // taken out of the script (the same receipt twice in a group is fresh twice), the deletes run after
  // the takes (the new event of a notification taken again is deleted with the old one).
  it('one group: receipts of one message both ways, STOP then START, the same receipt twice, a delete of an event taken again', async () => {
    await open('order:', ['n1', 'n2', 'n3']);
    await store.saveEvent(receiptEvent('old'));
    // mo:again was taken and delivered earlier; its dedupe record is gone (1 ms) when Orange sends it again.
    await store.takeNotification(inboundTake('again', 'tel:+2250700000003', undefined, 1));
    await sleep(20);

    const first = store.takeNotification(receiptTake('n3', 'DeliveredToTerminal'));
    // All of these are added while `first` is on its way: they go together in the next script.
    const group = [
      store.takeNotification(receiptTake('n1', 'DeliveredToNetwork')),
      store.takeNotification(receiptTake('n1', 'DeliveredToTerminal')),
      store.deleteEvent('old'),
      store.takeNotification(receiptTake('n2', 'DeliveredToTerminal')),
      store.takeNotification(receiptTake('n2', 'DeliveredToNetwork')),
      store.takeNotification(inboundTake('stop-a', 'tel:+2250700000001', true)),
      store.deleteEvent('mo:again'),
      store.takeNotification(inboundTake('start-a', 'tel:+2250700000001', false)),
      store.takeNotification(inboundTake('start-b', 'tel:+2250700000002', false)),
      store.takeNotification(inboundTake('stop-b', 'tel:+2250700000002', true)),
      // Orange resends quickly: the same receipt, a new attempt, in the same group.
      store.takeNotification(receiptTake('n2', 'DeliveredToTerminal')),
      // A resend of the one in the group before.
      store.takeNotification(receiptTake('n3', 'DeliveredToTerminal')),
      store.takeNotification(inboundTake('again', 'tel:+2250700000003')),
    ];
    expect(summary(await first)).toEqual({
      fresh: true,
      stale: false,
      event: 'dr:n3:DeliveredToTerminal',
      status: 'delivered',
    });
    const results = await Promise.all(group);
    // It was one group: one script carried all of them.
    expect(groupsTouching('order:taken:dr:n1:')).toHaveLength(1);
    expect(groupsTouching('order:taken:dr:n1:')[0]).toEqual(
      expect.arrayContaining(['order:taken:mo:stop-b', 'order:taken:mo:again', 'old', 'mo:again']),
    );
    expect(results.map((taken) => (taken === undefined ? undefined : summary(taken)))).toEqual([
      { fresh: true, stale: false, event: 'dr:n1:DeliveredToNetwork', status: 'delivered_to_network' },
      { fresh: true, stale: false, event: 'dr:n1:DeliveredToTerminal', status: 'delivered' },
      undefined,
      { fresh: true, stale: false, event: 'dr:n2:DeliveredToTerminal', status: 'delivered' },
      { fresh: true, stale: true, event: undefined, status: 'delivered' },
      { fresh: true, stale: false, event: 'mo:stop-a', status: undefined },
      undefined,
      { fresh: true, stale: false, event: 'mo:start-a', status: undefined },
      { fresh: true, stale: false, event: 'mo:start-b', status: undefined },
      { fresh: true, stale: false, event: 'mo:stop-b', status: undefined },
      { fresh: false, stale: false, event: undefined, status: undefined },
      { fresh: false, stale: false, event: undefined, status: undefined },
      { fresh: true, stale: false, event: 'mo:again', status: undefined },
    ]);
    // In the order they arrived: the last word of each number wins.
    expect(await store.isOptedOut('tel:+2250700000001')).toBe(false);
    expect(await store.isOptedOut('tel:+2250700000002')).toBe(true);
    const n1 = (await store.getMessage('n1'))!;
    expect(n1.history.map((entry) => entry.status)).toEqual(['submitted', 'delivered_to_network', 'delivered']);
    const n2 = (await store.getMessage('n2'))!;
    expect(n2.history.map((entry) => entry.status)).toEqual(['submitted', 'delivered']);
    expect((await store.listEvents()).map((event) => event.id).sort()).toEqual([
      'dr:n1:DeliveredToNetwork',
      'dr:n1:DeliveredToTerminal',
      'dr:n2:DeliveredToTerminal',
      'dr:n3:DeliveredToTerminal',
      'mo:again',
      'mo:start-a',
      'mo:start-b',
      'mo:stop-a',
      'mo:stop-b',
    ]);
  });

  // Catches: the cap not applied (one big group fails: 120 rejected), a failure rejecting the writes
  // still waiting as well, results mapped onto the wrong group.
  it('121 takes at once go in groups of at most 50; a failed group rejects exactly its own, the others are applied once', async () => {
    const ids = Array.from({ length: 121 }, (_, i) => `c${i}`);
    await open('cap:', ids);
    const failed = proxy.failCommand(scriptTouching('cap:taken:dr:c60:'), 'OOM command not allowed (test)');
    const takes = ids.map((id) => store.takeNotification(receiptTake(id, 'DeliveredToTerminal')));
    const settled = await Promise.allSettled(takes);
    await failed;
    const scripts = groupsTouching('cap:taken:');
    // c0 alone, then c1..c50, c51..c100 (failed), c101..c120.
    expect(scripts.map((command) => command.filter((part) => part.startsWith('cap:taken:')).length)).toEqual([
      1, 50, 50, 20,
    ]);
    const rejected = ids.filter((_, i) => settled[i]!.status === 'rejected');
    expect(rejected).toEqual(ids.slice(51, 101));
    for (const [i, outcome] of settled.entries()) {
      if (outcome.status === 'fulfilled') expect(outcome.value.event?.id).toBe(`dr:c${i}:DeliveredToTerminal`);
    }
    // Orange's retries of the rejected ones are taken now, once.
    const retried = await Promise.all(
      rejected.map((id) => store.takeNotification(receiptTake(id, 'DeliveredToTerminal'))),
    );
    expect(retried.every((taken) => taken.fresh && taken.event !== undefined)).toBe(true);
    for (const id of ids) {
      const message = (await store.getMessage(id))!;
      expect(message.history.filter((entry) => entry.status === 'delivered')).toHaveLength(1);
    }
    expect(await store.listEvents()).toHaveLength(121);
  });

  // Broke before the fix (pcall per take in TAKE_NOTIFICATIONS): one take that raised inside the
  // script failed its whole group. A message stored by a newer version with a status this one does
  // not rank (a rolling upgrade) makes `advance` raise in Lua; the takes before it in the group were
  // committed, those after it not, and every caller of the group got the error (503 for each body):
  // one bad message took down the receipts grouped with it, again on each of Orange's retries.
  // Catches: the pcall taken out (all three rejected, p3 not taken), the error marker read as a
  // result (p2 resolves).
  it('a take that raises inside the script fails only itself; the others of its group and the delete are done', async () => {
    await open('poison:', ['p1', 'p2', 'p3']);
    await client.set('poison:msg:p2', JSON.stringify({ ...trackedSms('p2'), status: 'from_a_newer_version' }));
    await store.saveEvent(receiptEvent('old'));
    const first = store.takeNotification(receiptTake('p0', 'DeliveredToTerminal'));
    const group = [
      store.takeNotification(receiptTake('p1', 'DeliveredToTerminal')),
      store.takeNotification(receiptTake('p2', 'DeliveredToTerminal')),
      store.deleteEvent('old'),
      store.takeNotification(receiptTake('p3', 'DeliveredToTerminal')),
    ];
    await first;
    const settled = await Promise.allSettled(group);
    expect(groupsTouching('poison:taken:dr:p1:')).toHaveLength(1);
    expect(groupsTouching('poison:taken:dr:p1:')[0]).toEqual(
      expect.arrayContaining(['poison:taken:dr:p3:DeliveredToTerminal', 'old']),
    );
    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toContain('dr:p2:DeliveredToTerminal');
    expect((await store.listEvents()).map((event) => event.id).sort()).toEqual([
      'dr:p0:DeliveredToTerminal',
      'dr:p1:DeliveredToTerminal',
      'dr:p3:DeliveredToTerminal',
    ]);
    for (const id of ['p1', 'p3']) expect((await store.getMessage(id))!.status).toBe('delivered');
    // p2 fails alone, again, and leaves nothing behind (no dedupe record: a later retry can take it).
    await expect(store.takeNotification(receiptTake('p2', 'DeliveredToTerminal'))).rejects.toThrow('p2');
    expect(await client.exists('poison:taken:dr:p2:DeliveredToTerminal')).toBe(0);
  });
});

@Injectable()
class Counted {
  static receipts = new Map<string, number>();
  static inbound = new Map<string, number>();
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    const key = `${event.messageId}:${event.status}`;
    Counted.receipts.set(key, (Counted.receipts.get(key) ?? 0) + 1);
  }
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    const key = `${String(event.from).replace(/^tel:/, '')}:${event.text}`;
    Counted.inbound.set(key, (Counted.inbound.get(key) ?? 0) + 1);
  }
}

/**
 * Over HTTP, with a short command timeout (300 ms) and a quick sweep: the far end counts. Every
 * notification is posted until it is answered 200 (as Orange retries); then each must have been
 * accepted exactly once over all answers, applied once, and reached its listener.
 */
describe('grouped ingest over HTTP under faults: late group replies, cut connections, many at once', () => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis;
  let proxy: RedisFaultProxy;
  let app: TestApp;
  let sms: OrangeSmsService;
  let store: OrangeSmsStore;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    redis = await startRedis();
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    app = await startTestApp(emulator, {
      providers: [Counted],
      options: {
        rateLimit: false,
        redis: { url: proxy.url, keyPrefix: 'attack:', commandTimeoutMs: 300 },
        listenerRetry: { leaseMs: 500, sweepIntervalMs: 200 },
      },
      wireCallbacks: false,
    });
    sms = app.app.get(OrangeSmsService);
    store = app.app.get<OrangeSmsStore>(ORANGE_SMS_STORE);
  });
  afterAll(async () => {
    await app.close();
    await proxy.close();
    await emulator.stop();
    await redis.stop();
  });

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${app.url}/orange-sms/webhooks/${path}?token=${WEBHOOK_SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = response.status === 200 ? ((await response.json()) as { accepted: number }) : undefined;
    return { status: response.status, accepted: json?.accepted ?? 0 };
  };
  const receipts = (id: string, statuses: string[]) => ({
    deliveryInfoNotification: {
      callbackData: id,
      deliveryInfo: statuses.map((deliveryStatus) => ({ address: 'tel:+2250700000001', deliveryStatus })),
    },
  });
  const inbound = (from: string, text: string, messageId: string) => ({
    inboundSMSMessageNotification: {
      inboundSMSMessage: { senderAddress: `tel:${from}`, destinationAddress: '+2250000', message: text, messageId },
    },
  });
  /** A body, how many notifications it carries, and how many of them the store holds already. */
  type Post = { path: string; body: unknown; notifications: number; applied?: () => Promise<number> };
  const receiptsApplied = (id: string, statuses: string[]) => async () => {
    const history = (await sms.getMessage(id))!.history.map((entry) => entry.deliveryStatus);
    return statuses.filter((status) => history.includes(status as never)).length;
  };
  /**
   * Posts every body at once; then, as Orange does, posts again those not answered 200 (after the
   * late groups landed) until each is. Returns the statuses of the first round and the accepted
   * count of every body over all rounds.
   */
  const deliverAll = async (posts: Post[], during?: () => void) => {
    const accepted = posts.map(() => 0);
    let pending = posts.map((_, i) => i);
    const firstStatuses: number[] = [];
    for (let round = 0; pending.length > 0 && round < 6; round++) {
      // What each body's notifications already did before this attempt (the late groups landed).
      const before = await Promise.all(pending.map((i) => posts[i]!.applied?.()));
      const answers = Promise.all(pending.map((i) => post(posts[i]!.path, posts[i]!.body)));
      if (round === 0) during?.();
      const results = await answers;
      if (round === 0) firstStatuses.push(...results.map((r) => r.status));
      const next: number[] = [];
      results.forEach((result, k) => {
        accepted[pending[k]!]! += result.accepted;
        // Answered 200: exactly those not taken before are accepted now (a retry of one whose group
        // ran is a duplicate; one this attempt took is not reported as a duplicate).
        const already = before[k];
        if (result.status === 200 && already !== undefined) {
          expect(result.accepted).toBe(posts[pending[k]!]!.notifications - already);
        }
        if (result.status !== 200) next.push(pending[k]!);
      });
      expect(results.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      pending = next;
      if (pending.length > 0) await sleep(1_200);
    }
    expect(pending).toEqual([]);
    return { firstStatuses, accepted };
  };
  const outboxEmpties = async () => {
    const deadline = Date.now() + 8_000;
    while ((await store.listEvents()).length > 0 && Date.now() < deadline) {
      await app.app.get(OrangeSmsEventDispatcher).whenIdle();
      await sleep(100);
    }
    expect(await store.listEvents()).toEqual([]);
  };
  const send = (count: number, prefix: string) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        sms.send({ to: `+2250700${prefix}${String(i).padStart(4, '0')}`, text: 'x' }),
      ),
    );

  // Catches: the attempt check taken out of the script (a retry of a take whose group timed out but
  // ran is accepted again: accepted sums to more than one), a group's takes dropped when its caller
  // gave up (listener or delivered entry missing).
  it('a group’s reply comes after the command timeout, takes queued behind it time out before being sent: retries are duplicates, every listener runs, the STOP holds', async () => {
    const sent = await send(24, '10');
    // Two-receipt bodies (Orange batches): each body's takes go one after the other, in different groups.
    const posts: Post[] = sent.map((message, i) => {
      const statuses = i % 3 === 0 ? ['DeliveredToNetwork', 'DeliveredToTerminal'] : ['DeliveredToTerminal'];
      return {
        path: 'delivery-receipts',
        body: receipts(message.id, statuses),
        notifications: statuses.length,
        applied: receiptsApplied(message.id, statuses),
      };
    });
    posts.push({ path: 'inbound', body: inbound('+2250700009001', 'STOP', 'late-stop'), notifications: 1 });
    posts.push({ path: 'inbound', body: inbound('+2250700009002', 'STOP', 'late-stop-2'), notifications: 1 });
    posts.push({ path: 'inbound', body: inbound('+2250700009002', 'START', 'late-start-2'), notifications: 1 });
    // The group carrying the 6th receipt answers 1 s late (and every reply behind it on that connection).
    const delayed = proxy.delayReply(scriptTouching(`taken:dr:${sent[5]!.id}:`), 1_000);
    const { firstStatuses, accepted } = await deliverAll(posts);
    await delayed;
    expect(firstStatuses.filter((status) => status === 503).length).toBeGreaterThan(1);
    // Never accepted twice over all of Orange's attempts (a 503 whose group ran reads as a duplicate).
    expect(accepted.every((count, i) => count <= posts[i]!.notifications)).toBe(true);
    for (const [i, message] of sent.entries()) {
      const stored = (await sms.getMessage(message.id))!;
      expect(stored.status).toBe('delivered');
      expect(stored.history.filter((entry) => entry.status === 'delivered')).toHaveLength(1);
      await waitFor(() => (Counted.receipts.get(`${message.id}:DeliveredToTerminal`) ?? 0) >= 1, 5_000, 'the sweep');
      if (i % 3 === 0) expect(Counted.receipts.get(`${message.id}:DeliveredToNetwork`)).toBeGreaterThanOrEqual(1);
    }
    await waitFor(() => (Counted.inbound.get('+2250700009001:STOP') ?? 0) >= 1, 5_000, 'the STOP listener');
    expect(await store.isOptedOut('tel:+2250700009001')).toBe(true);
    await outboxEmpties();
  });

  // Catches: a resent group answered as a duplicate (the accepted count drops below one), deletes
  // lost with a cut group (the outbox does not empty), takes of a cut group left unresolved (a body
  // hangs past the round).
  it('200 receipts at once, one group’s reply lost, every connection cut mid-load, then Redis paused past the timeout: each accepted once, applied once, listened to', async () => {
    const sent = await send(200, '20');
    const posts: Post[] = sent.map((message) => ({
      path: 'delivery-receipts',
      body: receipts(message.id, ['DeliveredToTerminal']),
      notifications: 1,
      applied: receiptsApplied(message.id, ['DeliveredToTerminal']),
    }));
    // The group carrying the 151st loses its reply (ioredis resends it on a new connection).
    const dropped = proxy.dropReply(scriptTouching(`taken:dr:${sent[150]!.id}:`));
    const { firstStatuses, accepted } = await deliverAll(posts, () => {
      setTimeout(() => proxy.cutAll(), 30);
      setTimeout(() => proxy.pause(), 80);
      setTimeout(() => proxy.resume(), 600);
    });
    await dropped;
    expect(firstStatuses.filter((status) => status === 503).length).toBeGreaterThan(0);
    expect(accepted.every((count) => count <= 1)).toBe(true);
    for (const message of sent) {
      const stored = (await sms.getMessage(message.id))!;
      expect(stored.history.filter((entry) => entry.status === 'delivered')).toHaveLength(1);
    }
    const missing = () => sent.filter((message) => !Counted.receipts.get(`${message.id}:DeliveredToTerminal`));
    await waitFor(() => missing().length === 0, 8_000, 'every listener').catch(async (error) => {
      const events = await store.listEvents();
      console.log(
        'MISSING',
        missing().length,
        'outbox',
        events.length,
        JSON.stringify(events.slice(0, 2)),
        missing()
          .slice(0, 3)
          .map((m) => m.id),
        accepted.filter((c) => c === 0).length,
      );
      throw error;
    });
    await outboxEmpties();
  });
});

describe('an instance SIGKILLed with a group on its way and takes queued behind it (build first: uses dist/)', () => {
  const SECRET = 'group-kill-secret-0123456789';
  let redis: TestRedis;
  let proxy: RedisFaultProxy;
  let a: WebhookInstance | undefined;
  let b: WebhookInstance | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
  });
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await proxy.close();
    await redis.stop();
  });
  const post = (port: number, id: string) =>
    fetch(`http://127.0.0.1:${port}/orange-sms/webhooks/delivery-receipts?token=${SECRET}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        deliveryInfoNotification: {
          callbackData: id,
          deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
        },
      }),
    }).then(
      (response) => response.status,
      () => 0,
    );

  // Catches: the attempt check taken out of the script (B's retry of a receipt A's group took is
  // accepted again instead of read as a duplicate).
  it('the group ran on Redis, the instance died before answering; Orange’s retries to B: each applied once, each listener run by B', async () => {
    const env = (url: string) => ({
      REDIS_URL: url,
      KEY_PREFIX: 'group-kill:',
      WEBHOOK_SECRET: SECRET,
      LEASE_MS: '600',
      SWEEP_MS: '200',
      LISTENER: 'count',
      SLOW_MS: '0',
    });
    a = new WebhookInstance(env(proxy.url));
    b = new WebhookInstance(env(redis.url));
    const [portA, portB] = await Promise.all([a.port(), b.port()]);
    const ids = Array.from({ length: 30 }, (_, i) => `kill-${i}`);
    // A's group carrying kill-0 runs on Redis but its reply is held; the rest queue behind it in A.
    void proxy.delayReply(scriptTouching('group-kill:taken:dr:kill-0:'), 5_000);
    const first = post(portA, ids[0]!);
    await waitFor(() => proxy.commands.some(scriptTouching('group-kill:taken:dr:kill-0:')), 10_000, 'the group');
    const rest = ids.slice(1).map((id) => post(portA, id));
    // Let A's next group (the queued ones) go out too, then kill A: nothing it took was answered.
    await sleep(300);
    await a.kill();
    const answeredByA = await Promise.all([first, ...rest]);
    expect(answeredByA.filter((status) => status === 200)).toEqual([]);
    const direct = new Redis(redis.url);
    try {
      // Which of them A's groups took on Redis before it died (never answered).
      const takenByA = await Promise.all(
        ids.map(async (id) => (await direct.exists(`group-kill:taken:dr:${id}:DeliveredToTerminal`)) === 1),
      );
      expect(takenByA.filter(Boolean).length).toBeGreaterThan(0);
      // Orange retries every one of them, this time reaching B: those A took are duplicates.
      const answers = await Promise.all(
        ids.map((id) =>
          fetch(`http://127.0.0.1:${portB}/orange-sms/webhooks/delivery-receipts?token=${SECRET}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              deliveryInfoNotification: {
                callbackData: id,
                deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
              },
            }),
          }).then((response) => response.json()),
        ),
      );
      expect(answers).toEqual(takenByA.map((taken) => ({ accepted: taken ? 0 : 1, duplicates: taken ? 1 : 0 })));
      await waitFor(() => ids.every((id) => b!.count('finished', id) >= 1), 10_000, 'B delivering each');
      // No message stored: each receipt waits in its early list, queued exactly once.
      for (const id of ids) expect(await direct.llen(`group-kill:early:${id}`)).toBe(1);
      const deadline = Date.now() + 5_000;
      while ((await direct.hlen('group-kill:events')) > 0 && Date.now() < deadline) await sleep(100);
      expect(await direct.hlen('group-kill:events')).toBe(0);
    } finally {
      direct.disconnect();
    }
  }, 40_000);
});
