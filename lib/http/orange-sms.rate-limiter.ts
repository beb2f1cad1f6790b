import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';

/** Injection token of the send pacing in use. */
export const ORANGE_SMS_RATE_LIMITER = 'ORANGE_SMS_RATE_LIMITER';

/** Paces sends toward Orange. The default is in-process; a shared one makes the rate hold for a fleet. */
export interface OrangeSmsRateLimiter {
  /** Resolves when one more send may leave now. */
  acquire(): Promise<void>;
  close?(): void;
}

/** Spacing kept 1 % wider than 1/rate, so network jitter on arrival cannot fit one send too many in a second. */
const GUARD = 1.01;

/**
 * Token bucket (rate `perSecond`, capacity `burst`) plus a sliding one-second window: however bursts
 * and refills line up, no window of one second ever sees more than `perSecond` departures. Waiters
 * are served in order from one timer.
 */
export class OrangeSmsLocalRateLimiter implements OrangeSmsRateLimiter {
  private readonly intervalMs: number;
  private readonly windowMs = 1000 * GUARD;
  private readonly windowLimit: number;
  private readonly departures: number[] = [];
  private tokens: number;
  private refilledAt: number;
  private readonly queue: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly options: Required<OrangeSmsRateLimitOptions>,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = (1000 * GUARD) / options.perSecond;
    this.windowLimit = Math.max(1, Math.floor(options.perSecond));
    this.tokens = Math.min(options.burst, this.windowLimit);
    this.refilledAt = this.now();
  }

  acquire(): Promise<void> {
    if (this.queue.length === 0 && this.waitMs(this.now()) === 0) {
      this.take(this.now());
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
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
      if (wait > 0) {
        this.timer = setTimeout(this.drain, Math.ceil(wait));
        return;
      }
      this.take(now);
      this.queue.shift()!.resolve();
    }
  };

  private waitMs(now: number): number {
    this.refill(now);
    const forToken = this.tokens >= 1 ? 0 : (1 - this.tokens) * this.intervalMs;
    const oldest = this.departures.length >= this.windowLimit ? this.departures[0]! : undefined;
    const forWindow = oldest === undefined ? 0 : oldest + this.windowMs - now;
    return Math.max(0, forToken, forWindow);
  }

  private take(now: number): void {
    this.tokens -= 1;
    this.departures.push(now);
    if (this.departures.length > this.windowLimit) this.departures.shift();
  }

  private refill(now: number): void {
    const capacity = Math.min(this.options.burst, this.windowLimit);
    this.tokens = Math.min(capacity, this.tokens + (now - this.refilledAt) / this.intervalMs);
    this.refilledAt = now;
  }
}

/** `rateLimit: false`: no pacing (benchmarks, or a proxy that paces for you). */
export class OrangeSmsUnlimitedRateLimiter implements OrangeSmsRateLimiter {
  acquire(): Promise<void> {
    return Promise.resolve();
  }
}
