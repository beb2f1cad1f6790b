/**
 * The fleet pacing's state on a real Redis: a send let go and not yet answered keeps its place for
 * every instance; one whose instance died stops counting when its lease runs out; lost state is read
 * as the worst case.
 */
import { Redis } from 'ioredis';
import { OrangeSmsStoreError } from '../lib/index.js';
import { RedisOrangeSmsRateLimiter } from '../lib/redis/orange-sms.redis-rate-limiter.js';
import { startRedisFaultProxy } from './support/redis-fault-proxy.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { waitFor } from './support/test-app.js';

describe('fleet pacing on Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  const limiters: RedisOrangeSmsRateLimiter[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  afterEach(() => limiters.splice(0).forEach((limiter) => limiter.close()));
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
  });

  /** One instance's limiter for the app `app`: 1 send per second, attempts time out after `attemptMs`. */
  function instance(app: string, attemptMs = 10_000): RedisOrangeSmsRateLimiter {
    const limiter = new RedisOrangeSmsRateLimiter(client, { perSecond: 1, burst: 1 }, app, 'test:', 2_000, attemptMs);
    limiters.push(limiter);
    return limiter;
  }

  it('a send in flight on one instance holds the others back until it is answered, then for a window', async () => {
    const [a, b] = [instance('in-flight'), instance('in-flight')];
    const first = await a.acquire();
    let secondAt: number | undefined;
    const second = b.acquire().then((departure) => {
      secondAt = Date.now();
      return departure;
    });
    // Far longer than the rate's 1 s: the first send is still on its way, so the second waits.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(secondAt).toBeUndefined();
    const answeredAt = Date.now();
    first.settle();
    (await second).settle();
    // Redis and this process read the same host clock; Redis read it after `answeredAt`.
    expect(secondAt! - answeredAt).toBeGreaterThanOrEqual(1_000);
  }, 15_000);

  it('an instance that died with a send in flight holds its place only until the lease (attempt timeout + 1 s)', async () => {
    const dead = instance('lease', 500);
    const startedAt = Date.now();
    await dead.acquire(); // never settled: the instance died mid-call
    const takenAt = Date.now();
    const live = instance('lease', 500);
    const departure = await live.acquire();
    departure.settle();
    const waited = Date.now() - takenAt;
    // The lease (1.5 s) then the window (1 s); before it, the place was held.
    expect(waited).toBeGreaterThanOrEqual(2_400);
    // Not held for ever: well under the 10 s it would be with the default attempt timeout.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  }, 20_000);

  it('after FLUSHALL the first send waits the worst case: sends let go just before may still arrive', async () => {
    const a = instance('lost');
    (await a.acquire()).settle();
    await client.flushall();
    const before = Date.now();
    (await a.acquire()).settle();
    expect(Date.now() - before).toBeGreaterThanOrEqual(1_900);
  }, 15_000);

  it('Redis stuck: twenty callers waiting in line all fail with OrangeSmsStoreError within one bound, not one bound each', async () => {
    const proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    const through = new Redis(proxy.url);
    try {
      const limiter = new RedisOrangeSmsRateLimiter(through, { perSecond: 1, burst: 1 }, 'stuck', 'test:', 300);
      limiters.push(limiter);
      await through.ping();
      proxy.pause();
      const started = Date.now();
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => limiter.acquire()));
      const elapsed = Date.now() - started;
      expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(20).fill('rejected'));
      for (const outcome of outcomes) {
        expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(OrangeSmsStoreError);
      }
      // One after the other would take 20 × 300 ms.
      expect(elapsed).toBeLessThan(3_000);
    } finally {
      proxy.resume();
      through.disconnect();
      await proxy.close();
    }
  }, 15_000);

  it('a settle replayed later (its reply lost, ioredis resends it) or after the state is gone changes nothing', async () => {
    const proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    const through = new Redis(proxy.url);
    try {
      const limiter = new RedisOrangeSmsRateLimiter(through, { perSecond: 1, burst: 1 }, 'replay', 'test:');
      limiters.push(limiter);
      (await limiter.acquire()).settle();
      const key = 'test:pacer:replay';
      // SETTLE: [EVAL body | EVALSHA sha, 1, key, token] (DEPART has more arguments).
      const isSettle = (command: string[]) =>
        /^EVAL(SHA)?$/.test(command[0]!) && command[3] === key && command.length === 5;
      await waitFor(() => proxy.commands.some(isSettle));
      const settle = proxy.commands.find(isSettle)!;
      const settled = await client.hget(key, 'entries');
      expect(settled).toMatch(/^[0-9a-z]+,[1-9][0-9]+,[0-9]+$/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(await client.call(settle[0]!, settle[1]!, 1, key, settle[4]!)).toBe(0);
      expect(await client.hget(key, 'entries')).toBe(settled);
      await client.del(key);
      expect(await client.call(settle[0]!, settle[1]!, 1, key, settle[4]!)).toBe(0);
      expect(await client.exists(key)).toBe(0);
    } finally {
      through.disconnect();
      await proxy.close();
    }
  }, 15_000);
});
