import { OrangeSmsLocalRateLimiter } from '../../lib/http/orange-sms.rate-limiter.js';
import { maxInWindow } from '../support/windows.js';

describe('OrangeSmsLocalRateLimiter', () => {
  async function run(perSecond: number, burst: number, count: number, idleFirst = 0) {
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond, burst });
    if (idleFirst) await new Promise((resolve) => setTimeout(resolve, idleFirst));
    const times: number[] = [];
    // The departures as the limiter released them (its slots), not when each caller's callback got to
    // run: a busy event loop delays an observer, which says nothing about the spacing decided.
    await Promise.all(
      Array.from({ length: count }, () => limiter.acquire().then((slot) => times.push(slot.plannedAt))),
    );
    return { times };
  }

  // How close to the rate it sustains is measured by `npm run bench` (tests assert no timings).
  it('5/s: no one-second window holds more than 5, and no two sends leave closer than 1/rate', async () => {
    const { times } = await run(5, 1, 16);
    expect(maxInWindow(times)).toBeLessThanOrEqual(5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200);
  });

  it('50/s with a burst of 10: the burst leaves at once, yet no window exceeds 50', async () => {
    const { times } = await run(50, 10, 120, 300);
    const first = times[0]!;
    expect(times.filter((t) => t - first < 5).length).toBeGreaterThanOrEqual(10);
    expect(maxInWindow(times)).toBeLessThanOrEqual(50);
  });

  it('serves waiters in order, and close() rejects those still waiting', async () => {
    const limiter = new OrangeSmsLocalRateLimiter({ perSecond: 5, burst: 1 });
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) => limiter.acquire().then(() => order.push(i)));
    await Promise.all(waits.slice(0, 2));
    const last = limiter.acquire();
    limiter.close();
    await expect(last).rejects.toThrow('closed');
    await waits[2]!.catch(() => undefined);
    expect(order.slice(0, 2)).toEqual([0, 1]);
  });
});

describe('OrangeSmsLocalRateLimiter on a fake clock', () => {
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
    await Promise.resolve();
    await Promise.resolve();
    expect(released).toEqual([0, 1, 2]);
    limiter.close();
    await Promise.all(waits);
    expect(released).toEqual([0, 1, 2]);
  });
});
