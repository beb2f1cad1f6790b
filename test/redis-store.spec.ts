import { Redis } from 'ioredis';
import { RedisOrangeSmsStore } from '../lib/redis/index.js';
import type { TrackedSms } from '../lib/interfaces/orange-sms.tracking.interfaces.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { inboundEvent } from './support/stored-events.js';
import { trackedSms } from './support/tracked-sms.js';

const message = (id: string, submittedAt = new Date()): TrackedSms =>
  trackedSms(id, submittedAt, {
    resourceUrl: `https://api.orange.com/smsmessaging/v1/outbound/tel:+2250000/requests/${id}`,
    reference: `ref-${id}`,
    country: 'CIV',
  });

describe('RedisOrangeSmsStore (a real redis-server)', () => {
  let redis: TestRedis;
  let clientA: Redis;
  let clientB: Redis;
  let replicaA: RedisOrangeSmsStore;
  let replicaB: RedisOrangeSmsStore;

  beforeAll(async () => {
    redis = await startRedis();
    clientA = new Redis(redis.url);
    clientB = new Redis(redis.url);
    replicaA = new RedisOrangeSmsStore(clientA, { keyPrefix: 'test:' });
    replicaB = new RedisOrangeSmsStore(clientB, { keyPrefix: 'test:' });
  });
  afterAll(async () => {
    await clientA.quit();
    await clientB.quit();
    await redis.stop();
  });

  it('a message saved by one replica is read by another, dates intact', async () => {
    const saved = message('m1');
    await replicaA.saveMessage(saved);
    expect(await replicaB.getMessage('m1')).toEqual(saved);
    expect(await replicaB.getMessage('nope')).toBeUndefined();
  });

  it('two replicas racing on receipts: the status only moves forward and always ends delivered (a late DeliveredToTerminal overrides failed)', async () => {
    for (let round = 0; round < 20; round++) {
      const id = `race-${round}`;
      await replicaA.saveMessage(message(id));
      const at = new Date();
      const results = await Promise.all([
        replicaA.applyDeliveryStatus(id, { deliveryStatus: 'DeliveredToTerminal', at }),
        replicaB.applyDeliveryStatus(id, { deliveryStatus: 'DeliveryImpossible', at }),
        replicaA.applyDeliveryStatus(id, { deliveryStatus: 'MessageWaiting', at }),
        replicaB.applyDeliveryStatus(id, { deliveryStatus: 'DeliveredToNetwork', at }),
      ]);
      const final = (await replicaA.getMessage(id))!;
      // Whatever the order, DeliveredToTerminal wins: it applies, and it is never left.
      expect(final.status).toBe('delivered');
      expect(results[0]!.applied).toBe(true);
      const statuses = final.history.map((h) => h.status);
      expect(statuses[0]).toBe('submitted');
      expect(statuses.at(-1)).toBe(final.status);
      expect(new Set(statuses).size).toBe(statuses.length);
    }
  });

  it('a receipt that arrives before its message (on another replica) is applied when the message is saved', async () => {
    expect(
      await replicaB.applyDeliveryStatus('early-1', { deliveryStatus: 'DeliveredToTerminal', at: new Date() }),
    ).toEqual({ applied: false });
    await replicaA.saveMessage(message('early-1'));
    expect((await replicaB.getMessage('early-1'))!).toMatchObject({
      status: 'delivered',
      deliveryStatus: 'DeliveredToTerminal',
    });
  });

  it('lists most recent first with filters', async () => {
    const base = Date.now() + 60_000;
    await replicaA.saveMessage({ ...message('l1', new Date(base)), reference: 'list' });
    await replicaA.saveMessage({ ...message('l2', new Date(base + 1)), reference: 'list' });
    expect((await replicaB.listMessages({ reference: 'list' })).map((m) => m.id)).toEqual(['l2', 'l1']);
    expect((await replicaB.listMessages({ since: new Date(base + 1) })).map((m) => m.id)).toEqual(['l2']);
    expect((await replicaB.listMessages({ limit: 1 })).map((m) => m.id)).toEqual(['l2']);
  });

  it('a notification is taken by exactly one of many concurrent attempts on two replicas', async () => {
    const takes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? replicaA : replicaB).takeNotification({
          key: 'mo:id:race',
          attempt: `attempt-${i}`,
          dedupeTtlMs: 60_000,
          event: inboundEvent('mo:id:race'),
        }),
      ),
    );
    expect(takes.filter((taken) => taken.fresh)).toHaveLength(1);
    expect(takes.filter((taken) => taken.event)).toHaveLength(1);
    expect((await replicaA.listEvents()).map((event) => event.id)).toEqual(['mo:id:race']);
    await replicaB.deleteEvent('mo:id:race');
  });

  it('opt-out list and event outbox are shared', async () => {
    await replicaA.setOptedOut('tel:+2250700000009', true);
    expect(await replicaB.isOptedOut('tel:+2250700000009')).toBe(true);
    await replicaB.setOptedOut('tel:+2250700000009', false);
    expect(await replicaA.isOptedOut('tel:+2250700000009')).toBe(false);

    const createdAt = new Date();
    await replicaA.saveEvent({
      id: 'e1',
      kind: 'inbound',
      state: 'failed',
      attempts: 4,
      createdAt,
      data: { from: 'tel:+1', to: '+2', text: 'x', receivedAt: createdAt, raw: { a: 1 } },
    });
    expect(await replicaB.listEvents({ state: 'failed' })).toEqual([
      {
        id: 'e1',
        kind: 'inbound',
        state: 'failed',
        attempts: 4,
        createdAt,
        data: { from: 'tel:+1', to: '+2', text: 'x', receivedAt: createdAt, raw: { a: 1 } },
      },
    ]);
    await replicaB.deleteEvent('e1');
    expect(await replicaA.listEvents()).toEqual([]);
  });
});
