import type { Redis } from 'ioredis';
import type { OrangeSmsRateLimiter } from '../http/orange-sms.rate-limiter.js';
import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';

/** Same guard as the in-process limiter: spacing 1 % wider than 1/rate absorbs arrival jitter. */
const GUARD = 1.01;
/** Within the guard's 10 ms a second: a later departure takes a new slot. */
const MAX_LATENESS_MS = 10;

/**
 * Reserves the next departure slot for the whole fleet, on Redis's clock (replicas' clocks differ):
 * a token bucket (GCRA: rate `perSecond`, capacity `burst`) plus a cap of `perSecond` reservations in
 * any sliding window. Slots are handed out in call order, so the caller sleeps exactly until its slot:
 * one round trip per send, no polling.
 * KEYS: state hash, reservations sorted set. ARGV: interval µs, burst, window µs, window limit.
 * Returns the wait in µs.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
if tat < now then tat = now end
local slot = tat - (burst - 1) * interval
if slot < now then slot = now end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
if redis.call('ZCARD', KEYS[2]) >= limit then
  local kth = redis.call('ZRANGE', KEYS[2], -limit, -limit, 'WITHSCORES')
  local earliest = tonumber(kth[2]) + window
  if slot < earliest then slot = earliest end
end
local newTat = tat
if slot > newTat then newTat = slot end
newTat = newTat + interval
redis.call('HSET', KEYS[1], 'tat', newTat)
redis.call('ZADD', KEYS[2], slot, slot .. ':' .. redis.call('INCR', KEYS[1] .. ':seq'))
redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(limit + 1))
local ttl = math.ceil((newTat - now + window) / 1000) + 1000
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[1] .. ':seq', ttl)
return slot - now
`;

export class RedisOrangeSmsRateLimiter implements OrangeSmsRateLimiter {
  private readonly keys: [string, string];
  private readonly args: number[];
  private closed = false;
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; reject: (error: Error) => void }>();

  constructor(
    private readonly redis: Redis,
    options: Required<OrangeSmsRateLimitOptions>,
    /** Credential set: the limit is Orange's per application. */
    credentialKey: string,
    keyPrefix = 'orange-sms:',
  ) {
    const limit = Math.max(1, Math.floor(options.perSecond));
    this.keys = [`${keyPrefix}rate:${credentialKey}`, `${keyPrefix}rate:${credentialKey}:slots`];
    this.args = [
      Math.round((1_000_000 * GUARD) / options.perSecond),
      Math.min(options.burst, limit),
      Math.round(1_000_000 * GUARD),
      limit,
    ];
  }

  async acquire(): Promise<void> {
    for (;;) {
      if (this.closed) throw new Error('Orange SMS rate limiter closed');
      const waitMs = Number(await this.redis.eval(RESERVE, 2, ...this.keys, ...this.args)) / 1000;
      if (waitMs <= 0) return;
      const target = performance.now() + waitMs;
      await this.sleep(waitMs);
      // Slots are recorded as planned: leaving much later than planned (a busy event loop) could
      // bunch this send with the next ones. Such a slot is dropped and a new one reserved.
      if (performance.now() - target <= MAX_LATENESS_MS) return;
    }
  }

  private sleep(waitMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeping.delete(entry);
          resolve();
        }, Math.ceil(waitMs)),
        reject,
      };
      this.sleeping.add(entry);
    });
  }

  close(): void {
    this.closed = true;
    for (const entry of this.sleeping) {
      clearTimeout(entry.timer);
      entry.reject(new Error('Orange SMS rate limiter closed'));
    }
    this.sleeping.clear();
  }
}
