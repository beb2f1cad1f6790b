import type { Redis } from 'ioredis';
import type { OrangeSmsDepartureSlot, OrangeSmsRateLimiter } from '../http/orange-sms.rate-limiter.js';
import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';
import { describeEndpoint, storeError, withDeadline } from './orange-sms.redis-backend.js';

/** Same guard as the in-process limiter: spacing 1 % wider than 1/rate absorbs arrival jitter. */
const GUARD = 1.01;
/**
 * The sliding window is 30 ms wider than a second. A send written up to MAX_DEPARTURE_LATENESS_MS
 * after its slot, followed by sends on time, leaves 25 ms for what happens between the write and
 * Orange's clock (socket, network, Orange's own event loop). Measured with three instances on a
 * 2-core machine: 10 ms let a sixth send into one second at the emulator (0.987 R), 15 ms held on a
 * quiet machine (0.979 R), and 20 ms let a sixth in now and then while the whole test suite ran.
 * It caps the sustained rate at R / 1.03 ≈ 0.97 R.
 */
const WINDOW_GUARD = 1.03;
/**
 * How much a sample of Redis's clock loses in precision per ms of age: Redis reads the wall clock,
 * which NTP may slew by up to 500 ppm against our monotonic clock.
 */
const DRIFT_PER_MS = 0.0005;
/** How far ahead a slot may be reserved, in windows: what lost state must assume was planned. */
const HORIZON_WINDOWS = 1;

/**
 * Reserves the next departure slot for the whole fleet, on Redis's clock (replicas' clocks differ):
 * a token bucket (GCRA: rate `perSecond`, capacity `burst`) plus a cap of `perSecond` departures in
 * any sliding window. Slots are handed out in call order, so the caller sleeps exactly until its slot:
 * one round trip per send, no polling.
 *
 * All the state is one hash (`tat` and the last `limit` departures), so it is kept or lost whole.
 * No slot is handed out more than `horizon` ahead: a caller whose slot would lie further is told to
 * come back later and nothing is recorded for it. So every departure planned but not yet made lies
 * within the horizon, and lost state (FLUSHALL, eviction, a failover to a replica that had not received
 * it), which cannot be told from a first start, is read as the worst case: sends may be planned over
 * the whole horizon, and `limit` of them just before its end. The first slot is then horizon + window
 * away, and no second at Orange holds more than the limit even when the sends that really left (or are
 * about to) were never recorded here. A new fleet's first send therefore waits about 2 s.
 * Numbers are written with %.0f: Lua's default number format keeps 14 digits, not a µs timestamp.
 * KEYS: state hash. ARGV: interval µs, burst, window µs, window limit, horizon µs.
 * Returns { µs until the slot, 1, Redis's now in µs } for a reserved slot, { µs until the caller may
 * ask again, 0, now } else.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local horizon = tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'tat', 'departures')
local floor = now
local tat = tonumber(state[1])
local departures = {}
if tat == nil then
  floor = now + horizon + window
  -- An empty bucket at the floor: remembered as such, the first slot stays at the floor.
  tat = floor + (burst - 1) * interval
else
  for value in string.gmatch(state[2] or '', '[^,]+') do
    local departure = tonumber(value)
    if departure > now - window then table.insert(departures, departure) end
  end
end
if tat < floor then tat = floor end
local slot = tat - (burst - 1) * interval
if slot < floor then slot = floor end
if #departures >= limit then
  local earliest = departures[#departures - limit + 1] + window
  if slot < earliest then slot = earliest end
end
if slot - now > horizon then
  if state[1] == false then
    -- Remember the worst-case floor, or a caller beyond the horizon would find no state again.
    redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'departures', '')
    redis.call('PEXPIRE', KEYS[1], math.ceil((tat - now + window) / 1000) + 1000)
  end
  return { string.format('%.0f', slot - now - horizon), 0, string.format('%.0f', now) }
end
local newTat = tat
if slot > newTat then newTat = slot end
newTat = newTat + interval
table.insert(departures, slot)
local kept = {}
for i = math.max(1, #departures - limit + 1), #departures do
  table.insert(kept, string.format('%.0f', departures[i]))
end
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', newTat), 'departures', table.concat(kept, ','))
redis.call('PEXPIRE', KEYS[1], math.ceil((newTat - now + window) / 1000) + 1000)
return { string.format('%.0f', slot - now), 1, string.format('%.0f', now) }
`;

export class RedisOrangeSmsRateLimiter implements OrangeSmsRateLimiter {
  private readonly key: string;
  private readonly args: number[];
  private closed = false;
  private readonly clock = new RedisClockOffset();
  private readonly sleeping = new Set<{ timer: NodeJS.Timeout; reject: (error: Error) => void }>();

  constructor(
    private readonly redis: Redis,
    options: Required<OrangeSmsRateLimitOptions>,
    /** Credential set: the limit is Orange's per application. */
    credentialKey: string,
    keyPrefix = 'orange-sms:',
    /** A reservation that takes longer fails with `OrangeSmsStoreError` (Redis down or stuck). */
    private readonly timeoutMs = 2_000,
  ) {
    const limit = Math.max(1, Math.floor(options.perSecond));
    // `:pacing`, not the `rate:` keys of earlier versions, whose two-key layout could be half-lost.
    this.key = `${keyPrefix}pacing:${credentialKey}`;
    this.args = [
      Math.round((1_000_000 * GUARD) / options.perSecond),
      Math.min(options.burst, limit),
      Math.round(1_000_000 * WINDOW_GUARD),
      limit,
      Math.round(1_000_000 * WINDOW_GUARD * HORIZON_WINDOWS),
    ];
  }

  /** The slot as planned: the caller drops it and asks again when it cannot leave on time. */
  async acquire(): Promise<OrangeSmsDepartureSlot> {
    for (;;) {
      if (this.closed) throw new Error('Orange SMS rate limiter closed');
      const asked = performance.now();
      const [waitUs, reserved, redisNowUs] = await this.reserve();
      const replied = performance.now();
      if (!reserved) {
        // Our slot lies beyond the horizon: ask again when it is within it.
        await this.sleep(Math.max(1, waitUs / 1000));
        continue;
      }
      // The slot on our clock, for the lateness check: a reply read late (a busy event loop) must not
      // move it later, or the send would leave after its recorded slot without counting as late.
      this.clock.observe(redisNowUs / 1000, asked, replied);
      const plannedAt = this.clock.toLocal((redisNowUs + waitUs) / 1000);
      // Rounded up, never released early: the estimate is within half the best round trip plus the
      // drift allowance. (Counting the wait from the reply instead made most sends late for their
      // slot with 24 callers, and the fleet fell to 0.76 R.)
      const waitMs = plannedAt - performance.now();
      if (waitMs > 0) await this.sleep(Math.ceil(waitMs));
      return { plannedAt };
    }
  }

  /** [µs until this caller's slot, true, Redis's now] or [µs until it may ask again, false, now]. */
  private async reserve(): Promise<[number, boolean, number]> {
    try {
      const [wait, reserved, now] = (await withDeadline(
        this.redis.eval(RESERVE, 1, this.key, ...this.args),
        this.timeoutMs,
      )) as [string, number, string];
      return [Number(wait), reserved === 1, Number(now)];
    } catch (error) {
      throw storeError(error, 'pacing', describeEndpoint(this.redis.options));
    }
  }

  private sleep(waitMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeping.delete(entry);
          resolve();
        }, waitMs),
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

/**
 * Redis's clock on ours (`performance.now()`). Redis read its clock somewhere between our ask and its
 * reply, so one sample is off by at most half its round trip: the sample with the shortest round trip
 * is kept, and replaced by a newer one as it ages (clocks drift; the wall clock may be stepped).
 */
export class RedisClockOffset {
  private offsetMs = 0;
  private errorMs = Number.POSITIVE_INFINITY;
  private sampledAt = 0;

  /** Learns from one reply: Redis read `redisNowMs` on its clock between `asked` and `replied` on ours. */
  observe(redisNowMs: number, asked: number, replied: number): void {
    const errorMs = (replied - asked) / 2;
    const agedError = this.errorMs + (replied - this.sampledAt) * DRIFT_PER_MS;
    if (errorMs > agedError) return;
    this.offsetMs = redisNowMs - (asked + errorMs);
    this.errorMs = errorMs;
    this.sampledAt = replied;
  }

  /** `redisMs` (Redis's clock, in ms) as a `performance.now()` time. */
  toLocal(redisMs: number): number {
    return redisMs - this.offsetMs;
  }
}
