import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';

/**
 * One send let go by the pacing. The caller writes its request at once, then settles the departure
 * when Orange's reply is in (or the attempt ended without one): from then on Orange has surely
 * counted the send, so that moment is when it starts to count in the pacing's window.
 */
export interface OrangeSmsDeparture {
  /** Orange has counted the send by now. Idempotent. */
  settle(): void;
}

/** Paces sends toward Orange. The default is in-process; a shared one makes the rate hold for a fleet. */
export interface OrangeSmsRateLimiter {
  /** Resolves when one more send may be written now. A limiter may hand out no departure to settle. */
  acquire(): Promise<OrangeSmsDeparture | void>;
  close?(): void;
}

/**
 * Orange's window as we keep it: a second, plus 2 ms for a server that reads its clock in whole
 * milliseconds (two truncated readings can be up to 1 ms closer than the real gap).
 */
export const PACING_WINDOW_MS = 1002;

/**
 * Token bucket as GCRA (rate `perSecond`, capacity `burst`) for the spacing, plus a sliding window
 * that makes Orange's limit exact: a send is let go only while fewer than `perSecond` sends count in
 * the last window, and a send counts from the moment its departure is settled (Orange's reply is in),
 * or at once and until then while it is still on its way. Orange counted it before it replied, so
 * however the network, Orange's event loop or ours delays one request against another, no window of
 * one second at Orange holds more than `perSecond` sends. The price: each run of `perSecond` sends
 * waits for the first one's round trip (about 0.99 R on a local network; R / (1 + RTT in s) far away).
 * Waiters are served in order from one timer.
 */
export class OrangeSmsLocalRateLimiter implements OrangeSmsRateLimiter {
  private readonly intervalMs: number;
  private readonly windowLimit: number;
  private readonly burst: number;
  /** The sends that may still count in the window: when each started to count (Infinity while in flight). */
  private counted: Array<{ at: number }> = [];
  /** Theoretical arrival time of the next send at the steady rate. */
  private tat: number;
  private readonly queue: Array<{ resolve: (departure: OrangeSmsDeparture) => void; reject: (error: Error) => void }> =
    [];
  private timer?: NodeJS.Timeout;

  constructor(
    options: Required<OrangeSmsRateLimitOptions>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = 1000 / options.perSecond;
    this.windowLimit = Math.max(1, Math.floor(options.perSecond));
    this.burst = Math.min(options.burst, this.windowLimit);
    this.tat = this.now();
  }

  acquire(): Promise<OrangeSmsDeparture> {
    if (this.queue.length === 0 && this.waitMs(this.now()) === 0) return Promise.resolve(this.take(this.now()));
    return new Promise<OrangeSmsDeparture>((resolve, reject) => {
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
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      const now = this.now();
      const wait = this.waitMs(now);
      // Infinity: the window waits for a send in flight; its settle() drains again.
      if (wait === Number.POSITIVE_INFINITY) return;
      if (wait > 0) {
        this.timer = setTimeout(this.drain, Math.max(1, Math.ceil(wait)));
        return;
      }
      this.queue.shift()!.resolve(this.take(now));
    }
  };

  private waitMs(now: number): number {
    const forBucket = this.tat - (this.burst - 1) * this.intervalMs - now;
    this.counted = this.counted.filter((entry) => entry.at > now - PACING_WINDOW_MS);
    let forWindow = 0;
    if (this.counted.length >= this.windowLimit) {
      // The window frees up when enough of the sends in it have aged out of it.
      const times = this.counted.map((entry) => entry.at).sort((a, b) => a - b);
      forWindow = times[this.counted.length - this.windowLimit]! + PACING_WINDOW_MS - now;
    }
    return Math.max(0, forBucket, forWindow);
  }

  private take(now: number): OrangeSmsDeparture {
    this.tat = Math.max(this.tat, now) + this.intervalMs;
    const entry = { at: Number.POSITIVE_INFINITY };
    this.counted.push(entry);
    return {
      settle: () => {
        if (entry.at !== Number.POSITIVE_INFINITY) return;
        entry.at = this.now();
        if (this.queue.length > 0) this.drain();
      },
    };
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
  /** `attemptTimeoutMs`: how long a send can be on its way, so how long an unsettled one may count. */
  rateLimiter(
    options: Required<OrangeSmsRateLimitOptions>,
    credentialKey: string,
    attemptTimeoutMs: number,
  ): OrangeSmsRateLimiter;
}

/** The pacing of one Orange app: none, in this process, or shared by the fleet through Redis. */
export function createRateLimiter(
  rateLimit: Required<OrangeSmsRateLimitOptions> | false,
  credentialKey: string,
  fleet: OrangeSmsFleetPacing | null,
  attemptTimeoutMs: number,
): OrangeSmsRateLimiter {
  if (!rateLimit) return new OrangeSmsUnlimitedRateLimiter();
  return fleet
    ? fleet.rateLimiter(rateLimit, credentialKey, attemptTimeoutMs)
    : new OrangeSmsLocalRateLimiter(rateLimit);
}
