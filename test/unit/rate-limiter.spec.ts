import { jest } from '@jest/globals';
import { OrangeSmsLocalRateLimiter, PACING_WINDOW_MS } from '../../lib/http/orange-sms.rate-limiter.js';

/** Flushes resolved promises and the callbacks they chain (microtasks only). */
async function settled(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('OrangeSmsLocalRateLimiter on a fake clock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /**
   * `count` sends at `perSecond` with burst `burst`, each answered `replyMs` after it was let go.
   * Returns when each was let go and when each was settled, on the fake clock.
   */
  async function run(perSecond: number, burst: number, count: number, replyMs: number) {
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond, burst }, () => Date.now());
    const released: number[] = [];
    const answered: number[] = [];
    const all = Array.from({ length: count }, (_, i) =>
      limiter.acquire().then((departure) => {
        released[i] = Date.now();
        setTimeout(() => {
          answered[i] = Date.now();
          departure.settle();
        }, replyMs);
      }),
    );
    for (let step = 0; step < 10_000 && answered.filter((t) => t !== undefined).length < count; step++) {
      await settled();
      jest.advanceTimersByTime(1);
    }
    await Promise.all(all);
    return { released, answered };
  }

  it('5/s: every sixth send leaves a full window after the reply to the first one of its run, never before', async () => {
    const { released, answered } = await run(5, 1, 16, 40);
    expect(released).toHaveLength(16);
    for (let i = 5; i < 16; i++) expect(released[i]!).toBeGreaterThanOrEqual(answered[i - 5]! + PACING_WINDOW_MS);
    // The bucket keeps a 1/rate spacing too.
    for (let i = 1; i < 16; i++) expect(released[i]! - released[i - 1]!).toBeGreaterThanOrEqual(200);
    // With a quick reply, the window costs only that reply's time: run of 5 every 1,002 + 40 ms.
    expect(released[15]! - released[0]!).toBeLessThanOrEqual(3 * (PACING_WINDOW_MS + 40) + 1);
  });

  it('a send still waiting for its reply keeps its place in the window however long it takes', async () => {
    const now = { value: 0 };
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond: 2, burst: 2 }, () => now.value);
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    second.settle();
    const letGo: number[] = [];
    void limiter.acquire().then(() => letGo.push(now.value));
    void limiter.acquire().then(() => letGo.push(now.value));
    // Ten seconds pass: the second send's place is free again, the first is still on its way.
    now.value = 10_000;
    jest.advanceTimersByTime(10_000);
    await settled();
    expect(letGo).toEqual([10_000]);
    first.settle();
    await settled();
    expect(letGo).toEqual([10_000]);
    now.value = 10_000 + PACING_WINDOW_MS - 1;
    jest.advanceTimersByTime(PACING_WINDOW_MS - 1);
    await settled();
    expect(letGo).toEqual([10_000]);
    now.value = 10_000 + PACING_WINDOW_MS;
    jest.advanceTimersByTime(1);
    await settled();
    expect(letGo).toEqual([10_000, 10_000 + PACING_WINDOW_MS]);
  });

  it('settling twice counts the send once', async () => {
    const now = { value: 0 };
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond: 1, burst: 1 }, () => now.value);
    const departure = await limiter.acquire();
    departure.settle();
    now.value = 5_000;
    departure.settle();
    let nextAt: number | undefined;
    void limiter.acquire().then(() => (nextAt = now.value));
    await settled();
    expect(nextAt).toBe(5_000);
  });

  it('a burst of 3 releases exactly 3 at once after idling, then one per interval', async () => {
    const now = 10_000;
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond: 5, burst: 3 }, () => now);
    const released: number[] = [];
    const waits = Array.from({ length: 4 }, (_, i) =>
      limiter.acquire().then(
        () => released.push(i),
        () => undefined,
      ),
    );
    await settled();
    expect(released).toEqual([0, 1, 2]);
    limiter.close();
    await Promise.all(waits);
    expect(released).toEqual([0, 1, 2]);
  });
});

describe('OrangeSmsLocalRateLimiter', () => {
  it('serves waiters in order, and close() rejects those still waiting', async () => {
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond: 5, burst: 1 });
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) =>
      limiter.acquire().then((departure) => {
        order.push(i);
        departure.settle();
      }),
    );
    await Promise.all(waits.slice(0, 2));
    const last = limiter.acquire();
    limiter.close();
    await expect(last).rejects.toThrow('closed');
    await waits[2]!.catch(() => undefined);
    expect(order.slice(0, 2)).toEqual([0, 1]);
  });
});
