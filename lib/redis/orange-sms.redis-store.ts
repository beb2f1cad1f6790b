import type { Redis } from 'ioredis';
import type { OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import { STATUS_FROM_ORANGE, STATUS_RANK } from '../tracking/orange-sms.status.js';
import type { OrangeSmsStoredEvent } from '../interfaces/orange-sms.event.interfaces.js';
import type {
  OrangeSmsMessageFilter,
  OrangeSmsNotificationTake,
  OrangeSmsNotificationTaken,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
} from '../interfaces/orange-sms.tracking.interfaces.js';
import type { OrangeSmsAggregateQuery, OrangeSmsAggregateRow } from '../interfaces/orange-sms.aggregate.interfaces.js';
import { CounterAggregator, DELIVERY_BUCKET_LOG, HOUR_MS } from './orange-sms.redis-aggregates.js';
import {
  decodeEvent,
  decodeInbound,
  decodeMessage,
  encode,
  encodeEvent,
  encodeInbound,
} from '../tracking/orange-sms.json-codec.js';
import type {
  InboundSms,
  OrangeSmsInboxFilter,
  OrangeSmsInboxPage,
} from '../interfaces/orange-sms.inbox.interfaces.js';
import { isAfterMessage, messagePages } from '../tracking/orange-sms.message-paging.js';
import {
  decodeInboxCursor,
  encodeInboxCursor,
  inboxOrder,
  isAfter,
  matchesInboxFilter,
  pageLimit,
} from '../tracking/orange-sms.inbox-paging.js';
import { luaScript, runScript } from './orange-sms.redis-script.js';
import { GroupedWrites } from '../common/orange-sms.grouped-writes.js';

export interface RedisOrangeSmsStoreOptions {
  /** Prefix of every key. Default `orange-sms:`. */
  keyPrefix?: string;
  /** How long a message is kept. Default 30 days. */
  messageTtlSeconds?: number;
  /**
   * How long the hourly report counters are kept (they outlive the messages: reports over whole
   * hours read them). Default 400 days.
   */
  counterTtlSeconds?: number;
  /**
   * A notification still waiting for its group's script after this long is not sent (its caller has
   * given up: the webhook answered 503 and Orange sends it again), so a Redis stall does not pile up
   * work. Default: no limit; the module's Redis backend sets its `commandTimeoutMs`.
   */
  maxTakeWaitMs?: number;
}

/**
 * Report counters, kept by the same scripts that change a message, so they always agree with the
 * messages: per hour of submit time (UTC), a hash `<prefix>agg:<hour ms>` of
 * `c|status|country|account|sender` (messages), `u|status|country|account|sender` (units) and
 * `d|country|account|bucket|sender` (delivered ones per delivery-time bucket, for the median), plus the
 * sorted set `<prefix>agg-hours` of the hours that have counters. Counting starts at the hour after
 * this version first saved a message (`<prefix>agg-start`): earlier hours are read from the messages.
 * The prefix, the counters' TTL (s) and the bucket ratio's log come from the first ARGV of each
 * script that uses them, through the globals set by `agg_setup`.
 */
const AGGREGATE_COUNTERS = `
local agg = {}
local function agg_setup(prefix, ttl, log_ratio)
  agg.prefix = prefix
  agg.ttl = tonumber(ttl)
  agg.log_ratio = tonumber(log_ratio)
  agg.start = tonumber(redis.call('GET', prefix .. 'agg-start') or '')
end
local function epoch_ms(iso)
  local y, mo, d, h, mi, s, ms = string.match(iso, '^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)%.?(%d*)')
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * ((mo + 9) % 12) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  return ((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60000 + tonumber(s) * 1000 + (tonumber(ms) or 0)
end
local function count_move(message, status, sign)
  if not agg.prefix or not agg.start then return end
  local submitted = epoch_ms(tostring(message.submittedAt))
  if not submitted or submitted < agg.start then return end
  local hour = math.floor(submitted / 3600000) * 3600000
  local key = agg.prefix .. 'agg:' .. string.format('%.0f', hour)
  local country = type(message.country) == 'string' and message.country or ''
  local sender = type(message.senderName) == 'string' and message.senderName or ''
  local account = type(message.account) == 'string' and message.account or 'default'
  local tail = '|' .. country .. '|' .. account .. '|' .. sender
  redis.call('HINCRBY', key, 'c|' .. status .. tail, sign)
  redis.call('HINCRBY', key, 'u|' .. status .. tail, sign * (tonumber(message.segments) or 0))
  if status == 'delivered' and type(message.deliveredAt) == 'string' then
    local delivered = epoch_ms(message.deliveredAt)
    if delivered then
      local elapsed = delivered - submitted
      local bucket = 0
      if elapsed >= 1 then bucket = math.floor(math.log(elapsed) / agg.log_ratio) + 1 end
      redis.call('HINCRBY', key, 'd|' .. country .. '|' .. account .. '|' .. bucket .. '|' .. sender, sign)
    end
  end
  redis.call('EXPIRE', key, agg.ttl)
  redis.call('ZADD', agg.prefix .. 'agg-hours', hour, hour)
  redis.call('ZREMRANGEBYSCORE', agg.prefix .. 'agg-hours', '-inf', hour - agg.ttl * 1000)
end
`;

/**
 * The state machine step in Lua, shared by both scripts: moves the decoded `message` to `status` when
 * its rank is higher (ranks come from the TypeScript state machine, so the rules live in one place).
 * Returns the new JSON, or nil when the receipt does not move it forward.
 */
const ADVANCE_STATUS = `
${AGGREGATE_COUNTERS}
local function advance(message, ranks, status, deliveryStatus, at)
  if ranks[status] <= ranks[message.status] then return nil end
  local before = message.status
  message.status = status
  message.deliveryStatus = deliveryStatus
  message.updatedAt = at
  if status == 'delivered' then message.deliveredAt = at end
  if type(message.history) ~= 'table' or next(message.history) == nil then message.history = {} end
  table.insert(message.history, { status = status, deliveryStatus = deliveryStatus, at = at })
  count_move(message, before, -1)
  count_move(message, status, 1)
  return cjson.encode(message)
end
`;

/**
 * Applies a receipt atomically: the status only moves forward (the ranks come from the TypeScript
 * state machine as an argument, so the rules live in one place: `failed` gives way to `delivered`). A receipt for a
 * message not stored yet is queued under `early:<id>` and applied by `saveMessage`.
 * KEYS: message, early list. ARGV: incoming status, Orange status, at (ISO), ranks JSON, early TTL (ms),
 * then the counters' prefix, TTL and bucket log.
 */
const APPLY_STATUS = luaScript(`${ADVANCE_STATUS}
agg_setup(ARGV[6], ARGV[7], ARGV[8])
local json = redis.call('GET', KEYS[1])
if not json then
  redis.call('RPUSH', KEYS[2], cjson.encode({ deliveryStatus = ARGV[2], at = ARGV[3] }))
  redis.call('PEXPIRE', KEYS[2], ARGV[5])
  return { 0, false }
end
local updated = advance(cjson.decode(json), cjson.decode(ARGV[4]), ARGV[1], ARGV[2], ARGV[3])
if not updated then return { 0, json } end
redis.call('SET', KEYS[1], updated, 'KEEPTTL')
return { 1, updated }
`);

/**
 * Takes a group of notifications, each whole (see `OrangeSmsStore.takeNotification`): per
 * notification, dedupe, status change or opt-out and outbox record, in order, as if each were its own
 * script; and first deletes the outbox events delivered since the last group. The dedupe record holds
 * the attempt that took it and its answer, so the same group resent by ioredis after a lost reply
 * answers as the first run did (and deleting again changes nothing).
 * KEYS: opt-out set, events hash, inbound index, then per notification: taken, message, early list,
 * inbound record.
 * ARGV: ranks JSON, early TTL (ms), record TTL (s), the counters' prefix, TTL and bucket log, then per
 * notification (13 each): attempt, dedupe TTL (ms), has receipt ('1'|''), incoming status, Orange
 * status, at (ISO), opt-out ('1' in, '0' out, '' none), opt-out number, event id, event JSON, inbound
 * JSON (or ''), inbound received at (ms), inbound id; then the ids of the delivered events.
 * Returns per notification { fresh, stale, message JSON | false, its event still in the outbox (1|0) },
 * or { -1, 0, error text, 0 } for a take that raised (e.g. a message whose status this version does
 * not rank): only its caller fails, not the rest of the group. It sets no dedupe record, so Orange's
 * retry takes it again; what it wrote before raising stays, as in a script of its own (Redis does not
 * roll back a script that raises).
 */
const TAKE_NOTIFICATIONS = luaScript(`${ADVANCE_STATUS}
agg_setup(ARGV[4], ARGV[5], ARGV[6])
local ranks = nil
local function take(k, a)
  local taken = redis.call('GET', KEYS[k])
  if taken then
    local attempt, stale = string.match(taken, '^(.*)|(%d)$')
    if attempt ~= ARGV[a] then return { 0, 0, false, 0 } end
    local message = false
    if ARGV[a + 2] == '1' then message = redis.call('GET', KEYS[k + 1]) end
    return { 1, tonumber(stale), message, redis.call('HEXISTS', KEYS[2], ARGV[a + 8]) }
  end
  local stale = 0
  local message = false
  if ARGV[a + 2] == '1' then
    local json = redis.call('GET', KEYS[k + 1])
    if not json then
      redis.call('RPUSH', KEYS[k + 2], cjson.encode({ deliveryStatus = ARGV[a + 4], at = ARGV[a + 5] }))
      redis.call('PEXPIRE', KEYS[k + 2], ARGV[2])
    else
      ranks = ranks or cjson.decode(ARGV[1])
      message = advance(cjson.decode(json), ranks, ARGV[a + 3], ARGV[a + 4], ARGV[a + 5])
      if message then
        redis.call('SET', KEYS[k + 1], message, 'KEEPTTL')
      else
        stale = 1
        message = json
      end
    end
  end
  if ARGV[a + 6] == '1' then redis.call('SADD', KEYS[1], ARGV[a + 7]) end
  if ARGV[a + 6] == '0' then redis.call('SREM', KEYS[1], ARGV[a + 7]) end
  if ARGV[a + 10] ~= '' and redis.call('SET', KEYS[k + 3], ARGV[a + 10], 'EX', ARGV[3], 'NX') then
    redis.call('ZADD', KEYS[3], ARGV[a + 11], ARGV[a + 12])
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', tonumber(ARGV[a + 11]) - tonumber(ARGV[3]) * 1000)
  end
  local recorded = 0
  if stale == 0 then
    redis.call('HSET', KEYS[2], ARGV[a + 8], ARGV[a + 9])
    recorded = 1
  end
  redis.call('SET', KEYS[k], ARGV[a] .. '|' .. stale, 'PX', ARGV[a + 1])
  return { 1, stale, message, recorded }
end
local count = (#KEYS - 3) / 4
local delivered = 7 + count * 13
if #ARGV >= delivered then redis.call('HDEL', KEYS[2], unpack(ARGV, delivered, #ARGV)) end
local results = {}
for i = 0, count - 1 do
  -- One take that raises (a message this version cannot read) fails only its own caller.
  local ok, result = pcall(take, 4 + i * 4, 7 + i * 13)
  if not ok then result = { -1, 0, type(result) == 'table' and result.err or tostring(result), 0 } end
  results[i + 1] = result
end
return results
`);

/**
 * Stores a message whole: the record, its place in the index, the receipts that came before it
 * (another replica took them; applied in time order) and its counters. Saving an id again replaces it
 * and moves its counters, so a replay counts it once.
 * KEYS: message, index, early list. ARGV: message JSON, TTL (s), submitted at (ms), index cut-off (ms),
 * ranks JSON, the counters' prefix, TTL and bucket log, the next hour (ms, where counting starts when
 * it has not yet), Orange's statuses to ours (JSON).
 */
const SAVE_MESSAGE = luaScript(`${ADVANCE_STATUS}
if not redis.call('GET', ARGV[6] .. 'agg-start') then redis.call('SET', ARGV[6] .. 'agg-start', ARGV[9]) end
agg_setup(ARGV[6], ARGV[7], ARGV[8])
local old = redis.call('GET', KEYS[1])
if old then
  local previous = cjson.decode(old)
  count_move(previous, previous.status, -1)
end
local message = cjson.decode(ARGV[1])
count_move(message, message.status, 1)
local json = ARGV[1]
local early = redis.call('LRANGE', KEYS[3], 0, -1)
local updates = {}
for _, raw in ipairs(early) do table.insert(updates, cjson.decode(raw)) end
table.sort(updates, function(a, b) return a.at < b.at end)
local ranks = cjson.decode(ARGV[5])
local from_orange = cjson.decode(ARGV[10])
for _, update in ipairs(updates) do
  local status = from_orange[update.deliveryStatus]
  if status then
    local updated = advance(message, ranks, status, update.deliveryStatus, update.at)
    if updated then json = updated end
  end
end
redis.call('SET', KEYS[1], json, 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], message.id)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[4])
redis.call('DEL', KEYS[3])
return 1
`);

/**
 * Marks an inbound SMS handled, once: a second call returns it unchanged.
 * KEYS: inbound record. ARGV: handled at (ISO). Returns the record's JSON, or false when unknown.
 */
const MARK_INBOUND_HANDLED = luaScript(`
local json = redis.call('GET', KEYS[1])
if not json then return false end
local message = cjson.decode(json)
if message.handled then return json end
message.handled = true
message.handledAt = ARGV[1]
json = cjson.encode(message)
redis.call('SET', KEYS[1], json, 'KEEPTTL')
return json
`);

/**
 * Most writes (takes and deletes) one group carries: a take holds Redis (single-threaded) for about
 * 25 µs, so a group for at most about a millisecond.
 */
const INGEST_GROUP_MAX = 50;

/** A notification to take, or an outbox event delivered (to delete). */
type IngestWrite = { take: OrangeSmsNotificationTake } | { delivered: string };

/** How long a receipt waits for its message to be stored. */
const EARLY_RECEIPT_TTL_MS = 24 * 3_600_000;

/** Orange's statuses to ours, for the save script's early receipts. */
const FROM_ORANGE_JSON = JSON.stringify(STATUS_FROM_ORANGE);

/**
 * `OrangeSmsStore` on Redis, shared by every instance: messages (JSON, with a TTL) indexed by submit
 * time, atomic status transitions and notification takes (Lua), the opt-out set and the event outbox
 * (a hash). Keys: `<prefix>msg:<id>`, `<prefix>msgs` (sorted set), `<prefix>early:<id>`,
 * `<prefix>taken:<key>` (dedupe: attempt and answer), `<prefix>claim:<event id>`, `<prefix>optout`,
 * `<prefix>events`.
 */
export class RedisOrangeSmsStore implements OrangeSmsStore {
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly counterTtlSeconds: number;
  private readonly maxTakeWaitMs: number;
  private readonly ranks = JSON.stringify(STATUS_RANK);

  constructor(
    private readonly redis: Redis,
    options: RedisOrangeSmsStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'orange-sms:';
    this.ttlSeconds = options.messageTtlSeconds ?? 30 * 86_400;
    this.counterTtlSeconds = options.counterTtlSeconds ?? 400 * 86_400;
    this.maxTakeWaitMs = options.maxTakeWaitMs ?? Infinity;
  }

  async saveMessage(message: TrackedSms): Promise<void> {
    await runScript(
      this.redis,
      SAVE_MESSAGE,
      3,
      this.key('msg', message.id),
      this.key('msgs'),
      this.key('early', message.id),
      encode(message),
      this.ttlSeconds,
      message.submittedAt.getTime(),
      Date.now() - this.ttlSeconds * 1000,
      this.ranks,
      ...this.counterArgs(),
      Math.ceil(Date.now() / HOUR_MS) * HOUR_MS,
      FROM_ORANGE_JSON,
    );
  }

  async getMessage(id: string): Promise<TrackedSms | undefined> {
    const json = await this.redis.get(this.key('msg', id));
    return json === null ? undefined : decodeMessage(json);
  }

  async listMessages(filter: OrangeSmsMessageFilter = {}): Promise<TrackedSms[]> {
    const limit = filter.limit ?? 100;
    const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
    // A cursor's instant is included (ties at it are filtered by id below).
    const upper = Math.min(
      filter.until ? filter.until.getTime() - 1 : Infinity,
      filter.after ? filter.after.submittedAt.getTime() : Infinity,
    );
    const max = upper === Infinity ? '+inf' : String(upper);
    const min = filter.since ? String(filter.since.getTime()) : '-inf';
    const result: TrackedSms[] = [];
    const page = 500;
    for (let offset = 0; result.length < limit; offset += page) {
      const ids = await this.redis.zrevrangebyscore(this.key('msgs'), max, min, 'LIMIT', offset, page);
      if (ids.length === 0) break;
      const values = await this.redis.mget(ids.map((id) => this.key('msg', id)));
      const expired: string[] = [];
      values.forEach((json, index) => {
        if (json === null) {
          expired.push(ids[index]!);
          return;
        }
        if (result.length >= limit) return;
        const message = decodeMessage(json);
        if (filter.to !== undefined && message.to !== filter.to) return;
        if (statuses && !statuses.includes(message.status)) return;
        if (filter.reference !== undefined && message.reference !== filter.reference) return;
        if (!isAfterMessage(message, filter.after)) return;
        result.push(message);
      });
      if (expired.length > 0) await this.redis.zrem(this.key('msgs'), ...expired);
      if (ids.length < page) break;
    }
    return result;
  }

  /**
   * From the hourly counters for the whole hours of the window since counting started; the messages
   * themselves for the rest (the window's partial first and last hours, older hours, or every hour in
   * a zone whose periods do not start on the hour). Medians are within 0.5 % (see `deliveryBucket`).
   */
  async aggregateMessages(query: OrangeSmsAggregateQuery): Promise<OrangeSmsAggregateRow[]> {
    const aggregator = new CounterAggregator(query);
    const since = query.since?.getTime() ?? -Infinity;
    const until = query.until?.getTime() ?? Infinity;
    const counted = Number((await this.redis.get(this.key('agg-start'))) ?? Infinity);
    const firstHour = Math.max(Math.ceil(since / HOUR_MS) * HOUR_MS, counted);
    const endHour = Math.floor(until / HOUR_MS) * HOUR_MS;
    let scans: Array<[number, number]> = [[since, until]];
    if (firstHour < endHour) {
      const hours = (
        await this.redis.zrangebyscore(
          this.key('agg-hours'),
          String(firstHour),
          endHour === Infinity ? '+inf' : `(${endHour}`,
        )
      ).map(Number);
      if (hours.every((hour) => aggregator.fitsOnePeriod(hour))) {
        const pipeline = this.redis.pipeline();
        for (const hour of hours) pipeline.hgetall(this.key('agg', String(hour)));
        const results = (await pipeline.exec()) ?? [];
        results.forEach(([error, fields], index) => {
          if (error) throw error;
          aggregator.addCounters(hours[index]!, fields as Record<string, string>);
        });
        scans = [
          [since, firstHour],
          [endHour, until],
        ];
      }
    }
    for (const [from, to] of scans) {
      if (from >= to) continue;
      const window = {
        ...(Number.isFinite(from) ? { since: new Date(from) } : {}),
        ...(Number.isFinite(to) ? { until: new Date(to) } : {}),
      };
      for await (const page of messagePages(this, window)) for (const message of page) aggregator.addMessage(message);
    }
    return aggregator.build();
  }

  /** The counters' arguments to the scripts: prefix, TTL (s), bucket log. */
  private counterArgs(): [string, number, number] {
    return [this.prefix, this.counterTtlSeconds, DELIVERY_BUCKET_LOG];
  }

  async applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult> {
    const [applied, json] = (await runScript(
      this.redis,
      APPLY_STATUS,
      2,
      this.key('msg', id),
      this.key('early', id),
      STATUS_FROM_ORANGE[update.deliveryStatus],
      update.deliveryStatus,
      update.at.toISOString(),
      this.ranks,
      EARLY_RECEIPT_TTL_MS,
      ...this.counterArgs(),
    )) as [number, string | null];
    return json ? { message: decodeMessage(json), applied: applied === 1 } : { applied: false };
  }

  /** Grouped with the others on their way and the outbox deletes: see `TAKE_NOTIFICATIONS`. */
  takeNotification(take: OrangeSmsNotificationTake): Promise<OrangeSmsNotificationTaken> {
    return this.ingestWrites.add({ take }) as Promise<OrangeSmsNotificationTaken>;
  }

  /**
   * The ingest path's writes, one group at a time: takes that arrive while a group is on its way go
   * together in the next, with the outbox events delivered meanwhile (one round trip for many
   * receipts under load; alone, one at once).
   */
  private readonly ingestWrites = new GroupedWrites<IngestWrite, OrangeSmsNotificationTaken | undefined>(
    (writes) => this.writeIngestGroup(writes),
    INGEST_GROUP_MAX,
    (write, waitedMs) =>
      'take' in write && waitedMs > this.maxTakeWaitMs
        ? new Error(`the take of ${write.take.key} waited ${waitedMs} ms for Redis and was not sent`)
        : undefined,
  );

  private async writeIngestGroup(
    writes: IngestWrite[],
  ): Promise<Array<OrangeSmsNotificationTaken | Error | undefined>> {
    const takes: OrangeSmsNotificationTake[] = [];
    const delivered: string[] = [];
    for (const write of writes) {
      if ('take' in write) takes.push(write.take);
      else delivered.push(write.delivered);
    }
    if (takes.length === 0) {
      await this.redis.hdel(this.key('events'), ...delivered);
      return [];
    }
    const taken = await this.takeGroup(takes, delivered);
    return writes.map((write) => ('take' in write ? taken.shift() : undefined));
  }

  private async takeGroup(
    takes: OrangeSmsNotificationTake[],
    delivered: string[],
  ): Promise<Array<OrangeSmsNotificationTaken | Error>> {
    const keys: string[] = [this.key('optout'), this.key('events'), this.key('inbox')];
    const args: Array<string | number> = [this.ranks, EARLY_RECEIPT_TTL_MS, this.ttlSeconds, ...this.counterArgs()];
    for (const take of takes) {
      const receipt = take.receipt;
      keys.push(
        this.key('taken', take.key),
        this.key('msg', receipt?.messageId ?? ''),
        this.key('early', receipt?.messageId ?? ''),
        this.key('inbound', take.inbound?.id ?? ''),
      );
      args.push(
        take.attempt,
        Math.ceil(take.dedupeTtlMs),
        receipt ? '1' : '',
        receipt ? STATUS_FROM_ORANGE[receipt.update.deliveryStatus] : '',
        receipt?.update.deliveryStatus ?? '',
        receipt?.update.at.toISOString() ?? '',
        take.optOut ? (take.optOut.optedOut ? '1' : '0') : '',
        take.optOut?.number ?? '',
        take.event.id,
        encodeEvent(take.event),
        take.inbound ? encodeInbound(take.inbound) : '',
        take.inbound?.receivedAt.getTime() ?? 0,
        take.inbound?.id ?? '',
      );
    }
    const results = (await runScript(
      this.redis,
      TAKE_NOTIFICATIONS,
      keys.length,
      ...keys,
      ...args,
      ...delivered,
    )) as Array<[number, number, string | null, number]>;
    return results.map(([fresh, stale, message, recorded], index) => {
      if (fresh === -1) return new Error(`ERR the take of ${takes[index]!.key} failed in the script: ${message}`);
      if (fresh !== 1) return { fresh: false };
      return {
        fresh: true,
        ...(stale === 1 ? { stale: true } : {}),
        ...(message ? { message: decodeMessage(message) } : {}),
        // The event in the outbox is the one this attempt wrote: no need to read it back.
        ...(recorded === 1 ? { event: takes[index]!.event } : {}),
      };
    });
  }

  async getInbound(id: string): Promise<InboundSms | undefined> {
    const json = await this.redis.get(this.key('inbound', id));
    return json === null ? undefined : decodeInbound(json);
  }

  /** Walks the index from the cursor, most recent first, reading records a batch at a time. */
  async listInbound(filter: OrangeSmsInboxFilter): Promise<OrangeSmsInboxPage> {
    const limit = pageLimit(filter.limit);
    const after = decodeInboxCursor(filter.cursor);
    const upper = Math.min(after?.at ?? Infinity, filter.until ? filter.until.getTime() - 1 : Infinity);
    const max = upper === Infinity ? '+inf' : String(upper);
    const min = filter.since ? String(filter.since.getTime()) : '-inf';
    const found: InboundSms[] = [];
    const batch = 200;
    for (let offset = 0; ; offset += batch) {
      const entries = await this.redis.zrevrangebyscore(
        this.key('inbox'),
        max,
        min,
        'WITHSCORES',
        'LIMIT',
        offset,
        batch,
      );
      const ids = entries.filter((_, index) => index % 2 === 0);
      if (ids.length === 0) break;
      const values = await this.redis.mget(ids.map((id) => this.key('inbound', id)));
      const expired: string[] = [];
      values.forEach((json, index) => {
        if (json === null) expired.push(ids[index]!);
        else {
          const message = decodeInbound(json);
          if (isAfter(message, after) && matchesInboxFilter(message, filter)) found.push(message);
        }
      });
      if (expired.length > 0) await this.redis.zrem(this.key('inbox'), ...expired);
      if (ids.length < batch) break;
      // Enough, and what is left is older than the last item kept (no tie at the page's edge).
      found.sort(inboxOrder);
      const lowest = Number(entries[entries.length - 1]);
      if (found.length > limit && lowest < found[limit - 1]!.receivedAt.getTime()) break;
    }
    found.sort(inboxOrder);
    const items = found.slice(0, limit);
    return found.length > limit ? { items, nextCursor: encodeInboxCursor(items[items.length - 1]!) } : { items };
  }

  async markInboundHandled(id: string, at: Date): Promise<InboundSms | undefined> {
    const json = (await runScript(this.redis, MARK_INBOUND_HANDLED, 1, this.key('inbound', id), at.toISOString())) as
      string | null;
    return json ? decodeInbound(json) : undefined;
  }

  async claimEvent(id: string, leaseMs: number): Promise<boolean> {
    return (await this.redis.set(this.key('claim', id), '1', 'PX', Math.ceil(leaseMs), 'NX')) === 'OK';
  }

  async setOptedOut(number: string, optedOut: boolean): Promise<void> {
    if (optedOut) await this.redis.sadd(this.key('optout'), number);
    else await this.redis.srem(this.key('optout'), number);
  }

  async isOptedOut(number: string): Promise<boolean> {
    return (await this.redis.sismember(this.key('optout'), number)) === 1;
  }

  async saveEvent(event: OrangeSmsStoredEvent): Promise<void> {
    await this.redis.hset(this.key('events'), event.id, encodeEvent(event));
  }

  /**
   * Delivered events are deleted together, by the next group of takes (or one HDEL when none is
   * waiting): see `ingestWrites`.
   */
  async deleteEvent(id: string): Promise<void> {
    await this.ingestWrites.add({ delivered: id });
  }

  async listEvents(filter: { state?: OrangeSmsStoredEvent['state'] } = {}): Promise<OrangeSmsStoredEvent[]> {
    const values = await this.redis.hvals(this.key('events'));
    return values.map(decodeEvent).filter((event) => filter.state === undefined || event.state === filter.state);
  }

  private key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }
}
