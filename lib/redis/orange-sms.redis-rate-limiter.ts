import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type OrangeSmsDeparture,
  type OrangeSmsRateLimiter,
  PACING_WINDOW_MS,
} from '../http/orange-sms.rate-limiter.js';
import type { OrangeSmsRateLimitOptions } from '../orange-sms.options.js';
import { describeEndpoint, storeError, withDeadline } from './orange-sms.redis-backend.js';
import { luaScript, runScript } from './orange-sms.redis-script.js';

/**
 * How long lost state is read as the worst case. A send let go before the state vanished (FLUSHALL,
 * eviction, a failover to a replica that had not received it) is assumed to reach Orange within this
 * long; until then it may still arrive, and `limit` sends may have just done so.
 */
const LOST_STATE_ARRIVAL_MS = 1000;
/** How often a waiter asks again while the send it waits on has not been settled (Orange is slow). */
const IN_FLIGHT_POLL_MS = 25;
/** Kept past an attempt's timeout before an unsettled send (its instance died) stops counting. */
const LEASE_MARGIN_MS = 1000;
/**
 * The state outlives idle periods by far: state that expired would read as lost, and the next send
 * would wait the worst case (about 2 s) after every quiet spell.
 */
const STATE_TTL_MS = 24 * 3600 * 1000;

/**
 * Lets one send go now for the whole fleet, or says how long to wait, on Redis's clock: a token bucket
 * (GCRA: rate `perSecond`, capacity `burst`) for the spacing, plus fewer than `limit` sends counting
 * in the last window. A send counts from when its instance settles it (Orange's reply is in: SETTLE
 * runs after it, on Redis's clock), and while unsettled it counts as arriving at any moment, until its
 * lease runs out (its instance died or lost Redis mid-call). Every step is causal: Orange counted the
 * send before it replied, the reply came before SETTLE read Redis's clock, and the next send is
 * written after DEPART read Redis's clock at least a window later. So no clock but Redis's is trusted,
 * and no second at Orange holds more than `limit`, however requests are delayed on their way.
 *
 * All the state is one hash (`tat` and the sends that may count), so it is kept or lost whole. Lost
 * state cannot be told from a first start, so both are read as the worst case: the first send waits
 * LOST_STATE_ARRIVAL_MS + the window (a new fleet's first send waits about 2 s).
 * Numbers are written with %.0f: Lua's default number format keeps 14 digits, not a µs timestamp.
 * Entries: `token,countedUs,leaseUs` joined by `;` (countedUs 0 while unsettled).
 * KEYS: state hash. ARGV: interval µs, burst, window µs, limit, lost-state gap µs, lease µs, token,
 * in-flight poll µs, state TTL ms. Returns { 0 } when the send may go (recorded under the token), else { µs to wait }.
 */
const DEPART = luaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tat', 'entries')
local tat = tonumber(state[1])
if tat == nil then
  -- An empty bucket at the floor, remembered as such: the first send goes at the floor.
  local floor = now + tonumber(ARGV[5]) + window
  tat = floor + (burst - 1) * interval
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'entries', '')
  redis.call('PEXPIRE', KEYS[1], ARGV[9])
  return { string.format('%.0f', floor - now) }
end
-- Replayed (ioredis resends a command whose reply was lost): its first run let the send go.
if string.find(';' .. (state[2] or ''), ';' .. ARGV[7] .. ',', 1, true) then return { 0 } end
local kept = {}
local counting = {}
local pending = false
for entry in string.gmatch(state[2] or '', '[^;]+') do
  local token, counted, lease = string.match(entry, '([^,]+),([^,]+),([^,]+)')
  counted = tonumber(counted)
  lease = tonumber(lease)
  local at = counted
  if counted == 0 then
    if lease > now then at = nil else at = lease end
  end
  if at == nil then
    table.insert(kept, entry)
    pending = true
    table.insert(counting, math.huge)
  elseif at > now - window then
    table.insert(kept, entry)
    table.insert(counting, at)
  end
end
local wait = tat - (burst - 1) * interval - now
if #counting >= limit then
  table.sort(counting)
  local frees = counting[#counting - limit + 1]
  if frees == math.huge then
    if wait < tonumber(ARGV[8]) then wait = tonumber(ARGV[8]) end
  elseif frees + window - now > wait then
    wait = frees + window - now
  end
end
if wait > 0 then return { string.format('%.0f', wait) } end
if tat < now then tat = now end
tat = tat + interval
table.insert(kept, ARGV[7] .. ',0,' .. string.format('%.0f', now + tonumber(ARGV[6])))
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'entries', table.concat(kept, ';'))
redis.call('PEXPIRE', KEYS[1], ARGV[9])
return { 0 }
`);

/**
 * Marks a send as answered: it counts from now, on Redis's clock. Replayed (ioredis resends after a
 * lost reply), or after the state was lost, it changes nothing. KEYS: state hash. ARGV: token.
 */
const SETTLE = luaScript(`
local entries = redis.call('HGET', KEYS[1], 'entries')
if not entries then return 0 end
-- Searched with the separator in front, so one token never matches the tail of another.
entries = ';' .. entries
local prefix = ';' .. ARGV[1] .. ',0,'
local from = string.find(entries, prefix, 1, true)
if from == nil then return 0 end
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
local to = string.find(entries, ';', from + 1, true)
local rest = ''
if to ~= nil then rest = string.sub(entries, to) end
local lease = string.sub(entries, from + #prefix, (to or (#entries + 1)) - 1)
local settled = string.sub(entries, 1, from - 1) .. ';' .. ARGV[1] .. ',' .. now .. ',' .. lease .. rest
redis.call('HSET', KEYS[1], 'entries', string.sub(settled, 2))
return 1
`);

/**
 * The fleet's pacing of one Orange app. Callers of this process wait in line here and only the first
 * asks Redis, sleeping exactly as long as Redis says, so waiting costs one round trip per send.
 */
export class RedisOrangeSmsRateLimiter implements OrangeSmsRateLimiter {
  private readonly key: string;
  private readonly departArgs: Array<number | string>;
  private readonly tokenPrefix = randomBytes(6).toString('hex');
  private sequence = 0;
  private closed = false;
  private readonly line: Array<{ resolve: (departure: OrangeSmsDeparture) => void; reject: (error: Error) => void }> =
    [];
  private serving = false;
  private sleeping?: { timer: NodeJS.Timeout; resolve: () => void };

  constructor(
    private readonly redis: Redis,
    options: Required<OrangeSmsRateLimitOptions>,
    /** Credential set: the limit is Orange's per application. */
    credentialKey: string,
    keyPrefix = 'orange-sms:',
    /** A pacing call that takes longer fails with `OrangeSmsStoreError` (Redis down or stuck). */
    private readonly timeoutMs = 2_000,
    /** How long a send can be on its way to Orange: an unsettled send counts at most this long. */
    attemptTimeoutMs = 10_000,
  ) {
    const limit = Math.max(1, Math.floor(options.perSecond));
    // `:pacer`, not the `pacing:`/`rate:` keys of earlier versions, whose layouts differ.
    this.key = `${keyPrefix}pacer:${credentialKey}`;
    this.departArgs = [
      Math.round(1_000_000 / options.perSecond),
      Math.min(options.burst, limit),
      PACING_WINDOW_MS * 1000,
      limit,
      LOST_STATE_ARRIVAL_MS * 1000,
      (attemptTimeoutMs + LEASE_MARGIN_MS) * 1000,
    ];
  }

  acquire(): Promise<OrangeSmsDeparture> {
    if (this.closed) return Promise.reject(new Error('Orange SMS rate limiter closed'));
    return new Promise<OrangeSmsDeparture>((resolve, reject) => {
      this.line.push({ resolve, reject });
      if (!this.serving) void this.serve();
    });
  }

  close(): void {
    this.closed = true;
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
    for (const waiter of this.line.splice(0)) waiter.reject(new Error('Orange SMS rate limiter closed'));
  }

  /** Serves the line in order: the first waiter asks Redis, sleeps as told, asks again. */
  private async serve(): Promise<void> {
    this.serving = true;
    try {
      while (this.line.length > 0 && !this.closed) {
        const token = `${this.tokenPrefix}${(this.sequence++).toString(36)}`;
        let waitUs: number;
        try {
          waitUs = await this.depart(token);
        } catch (error) {
          // Redis down or stuck: everyone in line fails now, within the bound, not one bound each;
          // callers that come later ask again.
          for (const waiter of this.line.splice(0)) waiter.reject(error as Error);
          continue;
        }
        if (waitUs === 0) {
          this.line.shift()?.resolve({ settle: once(() => this.settle(token)) });
          continue;
        }
        await this.sleep(Math.max(1, Math.ceil(waitUs / 1000)));
      }
    } finally {
      this.serving = false;
    }
  }

  private async depart(token: string): Promise<number> {
    try {
      const [wait] = (await withDeadline(
        runScript(this.redis, DEPART, 1, this.key, ...this.departArgs, token, IN_FLIGHT_POLL_MS * 1000, STATE_TTL_MS),
        this.timeoutMs,
      )) as [string | number];
      return Number(wait);
    } catch (error) {
      throw storeError(error, 'pacing', describeEndpoint(this.redis.options));
    }
  }

  /**
   * Fire and forget: the send is done whatever happens here. Unsettled (Redis unreachable now), it
   * keeps counting until its lease runs out, which only slows the fleet down.
   */
  private settle(token: string): void {
    withDeadline(runScript(this.redis, SETTLE, 1, this.key, token), this.timeoutMs).catch(() => undefined);
  }

  private sleep(waitMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.sleeping = {
        timer: setTimeout(() => {
          this.sleeping = undefined;
          resolve();
        }, waitMs),
        resolve,
      };
    });
  }
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
