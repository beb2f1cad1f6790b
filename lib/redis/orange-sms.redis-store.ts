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
import { decodeEvent, decodeInbound, decodeMessage, encode } from '../tracking/orange-sms.json-codec.js';
import type {
  InboundSms,
  OrangeSmsInboxFilter,
  OrangeSmsInboxPage,
} from '../interfaces/orange-sms.inbox.interfaces.js';
import {
  decodeInboxCursor,
  encodeInboxCursor,
  inboxOrder,
  isAfter,
  matchesInboxFilter,
  pageLimit,
} from '../tracking/orange-sms.inbox-paging.js';

export interface RedisOrangeSmsStoreOptions {
  /** Prefix of every key. Default `orange-sms:`. */
  keyPrefix?: string;
  /** How long a message is kept. Default 30 days. */
  messageTtlSeconds?: number;
}

/**
 * The state machine step in Lua, shared by both scripts: moves the decoded `message` to `status` when
 * its rank is higher (ranks come from the TypeScript state machine, so the rules live in one place).
 * Returns the new JSON, or nil when the receipt does not move it forward.
 */
const ADVANCE_STATUS = `
local function advance(message, ranks, status, deliveryStatus, at)
  if ranks[status] <= ranks[message.status] then return nil end
  message.status = status
  message.deliveryStatus = deliveryStatus
  message.updatedAt = at
  if status == 'delivered' then message.deliveredAt = at end
  if type(message.history) ~= 'table' or next(message.history) == nil then message.history = {} end
  table.insert(message.history, { status = status, deliveryStatus = deliveryStatus, at = at })
  return cjson.encode(message)
end
`;

/**
 * Applies a receipt atomically: the status only moves forward (the ranks come from the TypeScript
 * state machine as an argument, so the rules live in one place: `failed` gives way to `delivered`). A receipt for a
 * message not stored yet is queued under `early:<id>` and applied by `saveMessage`.
 * KEYS: message, early list. ARGV: incoming status, Orange status, at (ISO), ranks JSON, early TTL (ms).
 */
const APPLY_STATUS = `${ADVANCE_STATUS}
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
`;

/**
 * Takes one notification whole (see `OrangeSmsStore.takeNotification`): dedupe, status change or
 * opt-out, outbox record, in one script. The dedupe record holds the attempt that took it and its
 * answer, so the same attempt resent by ioredis after a lost reply answers as the first time did.
 * KEYS: taken, message, early list, opt-out set, events hash, inbound record, inbound index.
 * ARGV: attempt, dedupe TTL (ms), has receipt ('1'|''), incoming status, Orange status, at (ISO),
 * ranks JSON, early TTL (ms), opt-out ('1' in, '0' out, '' none), opt-out number, event id, event JSON,
 * inbound JSON (or ''), inbound received at (ms), inbound id, record TTL (s).
 * Returns { fresh, stale, message JSON | false, event JSON | false }.
 */
const TAKE_NOTIFICATION = `${ADVANCE_STATUS}
local taken = redis.call('GET', KEYS[1])
if taken then
  local attempt, stale = string.match(taken, '^(.*)|(%d)$')
  if attempt ~= ARGV[1] then return { 0, 0, false, false } end
  local message = false
  if ARGV[3] == '1' then message = redis.call('GET', KEYS[2]) end
  return { 1, tonumber(stale), message, redis.call('HGET', KEYS[5], ARGV[11]) }
end
local stale = 0
local message = false
if ARGV[3] == '1' then
  local json = redis.call('GET', KEYS[2])
  if not json then
    redis.call('RPUSH', KEYS[3], cjson.encode({ deliveryStatus = ARGV[5], at = ARGV[6] }))
    redis.call('PEXPIRE', KEYS[3], ARGV[8])
  else
    message = advance(cjson.decode(json), cjson.decode(ARGV[7]), ARGV[4], ARGV[5], ARGV[6])
    if message then
      redis.call('SET', KEYS[2], message, 'KEEPTTL')
    else
      stale = 1
      message = json
    end
  end
end
if ARGV[9] == '1' then redis.call('SADD', KEYS[4], ARGV[10]) end
if ARGV[9] == '0' then redis.call('SREM', KEYS[4], ARGV[10]) end
if ARGV[13] ~= '' and redis.call('SET', KEYS[6], ARGV[13], 'EX', ARGV[16], 'NX') then
  redis.call('ZADD', KEYS[7], ARGV[14], ARGV[15])
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', tonumber(ARGV[14]) - tonumber(ARGV[16]) * 1000)
end
local event = false
if stale == 0 then
  redis.call('HSET', KEYS[5], ARGV[11], ARGV[12])
  event = ARGV[12]
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. stale, 'PX', ARGV[2])
return { 1, stale, message, event }
`;

/**
 * Marks an inbound SMS handled, once: a second call returns it unchanged.
 * KEYS: inbound record. ARGV: handled at (ISO). Returns the record's JSON, or false when unknown.
 */
const MARK_INBOUND_HANDLED = `
local json = redis.call('GET', KEYS[1])
if not json then return false end
local message = cjson.decode(json)
if message.handled then return json end
message.handled = true
message.handledAt = ARGV[1]
json = cjson.encode(message)
redis.call('SET', KEYS[1], json, 'KEEPTTL')
return json
`;

/** How long a receipt waits for its message to be stored. */
const EARLY_RECEIPT_TTL_MS = 24 * 3_600_000;

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
  private readonly ranks = JSON.stringify(STATUS_RANK);

  constructor(
    private readonly redis: Redis,
    options: RedisOrangeSmsStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? 'orange-sms:';
    this.ttlSeconds = options.messageTtlSeconds ?? 30 * 86_400;
  }

  async saveMessage(message: TrackedSms): Promise<void> {
    const key = this.key('msg', message.id);
    // One round trip: store, index, and take the receipts that arrived before the message (another
    // replica may have taken them). A receipt after this transaction finds the message itself.
    const results = await this.redis
      .multi()
      .set(key, encode(message), 'EX', this.ttlSeconds)
      .zadd(this.key('msgs'), message.submittedAt.getTime(), message.id)
      .zremrangebyscore(this.key('msgs'), '-inf', Date.now() - this.ttlSeconds * 1000)
      .lrange(this.key('early', message.id), 0, -1)
      .del(this.key('early', message.id))
      .exec();
    const updates = (results?.[3]?.[1] as string[] | undefined) ?? [];
    for (const raw of updates) {
      const update = JSON.parse(raw) as { deliveryStatus: OrangeSmsStatusUpdate['deliveryStatus']; at: string };
      await this.applyDeliveryStatus(message.id, { deliveryStatus: update.deliveryStatus, at: new Date(update.at) });
    }
  }

  async getMessage(id: string): Promise<TrackedSms | undefined> {
    const json = await this.redis.get(this.key('msg', id));
    return json === null ? undefined : decodeMessage(json);
  }

  async listMessages(filter: OrangeSmsMessageFilter = {}): Promise<TrackedSms[]> {
    const limit = filter.limit ?? 100;
    const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
    const max = filter.until ? `(${filter.until.getTime()}` : '+inf';
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
        result.push(message);
      });
      if (expired.length > 0) await this.redis.zrem(this.key('msgs'), ...expired);
      if (ids.length < page) break;
    }
    return result;
  }

  async applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult> {
    const [applied, json] = (await this.redis.eval(
      APPLY_STATUS,
      2,
      this.key('msg', id),
      this.key('early', id),
      STATUS_FROM_ORANGE[update.deliveryStatus],
      update.deliveryStatus,
      update.at.toISOString(),
      this.ranks,
      EARLY_RECEIPT_TTL_MS,
    )) as [number, string | null];
    return json ? { message: decodeMessage(json), applied: applied === 1 } : { applied: false };
  }

  async takeNotification(take: OrangeSmsNotificationTake): Promise<OrangeSmsNotificationTaken> {
    const receipt = take.receipt;
    const [fresh, stale, message, event] = (await this.redis.eval(
      TAKE_NOTIFICATION,
      7,
      this.key('taken', take.key),
      this.key('msg', receipt?.messageId ?? ''),
      this.key('early', receipt?.messageId ?? ''),
      this.key('optout'),
      this.key('events'),
      this.key('inbound', take.inbound?.id ?? ''),
      this.key('inbox'),
      take.attempt,
      Math.ceil(take.dedupeTtlMs),
      receipt ? '1' : '',
      receipt ? STATUS_FROM_ORANGE[receipt.update.deliveryStatus] : '',
      receipt?.update.deliveryStatus ?? '',
      receipt?.update.at.toISOString() ?? '',
      this.ranks,
      EARLY_RECEIPT_TTL_MS,
      take.optOut ? (take.optOut.optedOut ? '1' : '0') : '',
      take.optOut?.number ?? '',
      take.event.id,
      encode(take.event),
      take.inbound ? encode(take.inbound) : '',
      take.inbound?.receivedAt.getTime() ?? 0,
      take.inbound?.id ?? '',
      this.ttlSeconds,
    )) as [number, number, string | null, string | null];
    if (fresh !== 1) return { fresh: false };
    return {
      fresh: true,
      ...(stale === 1 ? { stale: true } : {}),
      ...(message ? { message: decodeMessage(message) } : {}),
      ...(event ? { event: decodeEvent(event) } : {}),
    };
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
    const json = (await this.redis.eval(MARK_INBOUND_HANDLED, 1, this.key('inbound', id), at.toISOString())) as
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
    await this.redis.hset(this.key('events'), event.id, encode(event));
  }

  async deleteEvent(id: string): Promise<void> {
    await this.redis.hdel(this.key('events'), id);
  }

  async listEvents(filter: { state?: OrangeSmsStoredEvent['state'] } = {}): Promise<OrangeSmsStoredEvent[]> {
    const values = await this.redis.hvals(this.key('events'));
    return values.map(decodeEvent).filter((event) => filter.state === undefined || event.state === filter.state);
  }

  private key(...parts: string[]): string {
    return `${this.prefix}${parts.join(':')}`;
  }
}
