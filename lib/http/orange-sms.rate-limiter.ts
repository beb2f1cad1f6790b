import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';

/** A departure slot handed out by the pacing: when the send was planned to leave. */
export interface OrangeSmsDepartureSlot {
  /** `performance.now()` time of the slot. */
  plannedAt: number;
}

/** Paces sends toward Orange. The default is in-process; a shared one makes the rate hold for a fleet. */
export interface OrangeSmsRateLimiter {
  /**
   * Resolves when one more send may leave now. With a slot, the caller checks just before it writes
   * the request that it is not leaving late (`isLateForSlot`), and takes a new slot if it is.
   */
  acquire(): Promise<OrangeSmsDepartureSlot | void>;
  close?(): void;
}

/**
 * A send written later than this after its slot takes a new one. Slots are recorded as planned, so a
 * late departure (a busy event loop, a slow token or in-flight mark) followed by sends on time could
 * bunch more than R into one second at Orange. Checked at the last moment before the write, so the
 * window's guard only has to cover what happens after it (the socket, the network, Orange's clock).
 */
export const MAX_DEPARTURE_LATENESS_MS = 5;

export function isLateForSlot(slot: OrangeSmsDepartureSlot, now = performance.now()): boolean {
  return now - slot.plannedAt > MAX_DEPARTURE_LATENESS_MS;
}

/** Spacing kept 1 % wider than 1/rate, so network jitter on arrival cannot fit one send too many in a second. */
const GUARD = 1.01;
/**
 * The departure window is 30 ms wider than a second, as in the fleet limiter: on a loaded 2-core
 * machine a 10 ms margin, and now and then a 20 ms one, let Orange (the emulator) count a sixth send
 * in one second. It caps the sustained rate at R / 1.03 ≈ 0.97 R.
 */
const WINDOW_GUARD = 1.03;
/** How early a waiting send may be released (see `drain`). */
const EARLY_MS = 1;

/**
 * Token bucket as GCRA (rate `perSecond`, capacity `burst`) plus a sliding one-second window of
 * actual departures: however bursts and refills line up, no window of one second ever sees more than
 * `perSecond` sends. A send released late (a busy event loop) is never made up for by a shorter gap:
 * the rate may dip under load, it never goes over. Waiters are served in order from one timer.
 */
export class OrangeSmsLocalRateLimiter implements OrangeSmsRateLimiter {
  private readonly intervalMs: number;
  private readonly windowMs = 1000 * WINDOW_GUARD;
  private readonly windowLimit: number;
  private readonly burst: number;
  private readonly departures: number[] = [];
  /** Theoretical arrival time of the next send at the steady rate. */
  private tat: number;
  private readonly queue: Array<{ resolve: (slot: OrangeSmsDepartureSlot) => void; reject: (error: Error) => void }> =
    [];
  private timer?: NodeJS.Timeout;

  constructor(
    options: Required<OrangeSmsRateLimitOptions>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = (1000 * GUARD) / options.perSecond;
    this.windowLimit = Math.max(1, Math.floor(options.perSecond));
    this.burst = Math.min(options.burst, this.windowLimit);
    this.tat = this.now();
  }

  acquire(): Promise<OrangeSmsDepartureSlot> {
    if (this.queue.length === 0 && this.waitMs(this.now()) === 0) {
      return Promise.resolve(this.take(this.now()));
    }
    return new Promise<OrangeSmsDepartureSlot>((resolve, reject) => {
      this.queue.push({ resolve, reject });
      if (!this.timer) this.drain();
    });
  }

  /** Rejects every waiter; used at application shutdown. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.queue.splice(0)) waiter.reject(new Error('Orange SMS rate limiter closed'));
  }

  private drain = (): void => {
    this.timer = undefined;
    while (this.queue.length > 0) {
      const now = this.now();
      const wait = this.waitMs(now);
      // Timers have millisecond granularity: releasing up to 1 ms early keeps the ideal timeline
      // (rounding every wait up lost ~5 % at 50/s); the window's 30 ms guard covers that 1 ms.
      if (wait > EARLY_MS) {
        this.timer = setTimeout(this.drain, Math.max(1, Math.floor(wait)));
        return;
      }
      this.queue.shift()!.resolve(this.take(now));
    }
  };

  private waitMs(now: number): number {
    const forBucket = this.tat - (this.burst - 1) * this.intervalMs - now;
    const oldest = this.departures.length >= this.windowLimit ? this.departures[0]! : undefined;
    const forWindow = oldest === undefined ? 0 : oldest + this.windowMs - now;
    return Math.max(0, forBucket, forWindow);
  }

  private take(now: number): OrangeSmsDepartureSlot {
    this.tat = Math.max(this.tat, now) + this.intervalMs;
    this.departures.push(now);
    if (this.departures.length > this.windowLimit) this.departures.shift();
    return { plannedAt: now };
  }
}

/** `rateLimit: false`: no pacing (benchmarks, or a proxy that paces for you). */
export class OrangeSmsUnlimitedRateLimiter implements OrangeSmsRateLimiter {
  acquire(): Promise<void> {
    return Promise.resolve();
  }
}

/** What makes a fleet-wide limiter (the Redis backend), described by shape so http/ needs no redis/. */
export interface OrangeSmsFleetPacing {
  rateLimiter(options: Required<OrangeSmsRateLimitOptions>, credentialKey: string): OrangeSmsRateLimiter;
}

/** The pacing of one Orange app: none, in this process, or shared by the fleet through Redis. */
export function createRateLimiter(
  rateLimit: Required<OrangeSmsRateLimitOptions> | false,
  credentialKey: string,
  fleet: OrangeSmsFleetPacing | null,
): OrangeSmsRateLimiter {
  if (!rateLimit) return new OrangeSmsUnlimitedRateLimiter();
  return fleet ? fleet.rateLimiter(rateLimit, credentialKey) : new OrangeSmsLocalRateLimiter(rateLimit);
}
