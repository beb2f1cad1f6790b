import type {
  InboundSms,
  OrangeSmsInboxFilter,
  OrangeSmsInboxPage,
} from '../interfaces/orange-sms.inbox.interfaces.js';
import { isAfterMessage, messageOrder } from './orange-sms.message-paging.js';
import {
  decodeInboxCursor,
  encodeInboxCursor,
  inboxOrder,
  isAfter,
  matchesInboxFilter,
  pageLimit,
} from './orange-sms.inbox-paging.js';
import type { OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import { applyStatusUpdate } from './orange-sms.status.js';
import type { OrangeSmsStoredEvent } from '../interfaces/orange-sms.event.interfaces.js';
import type { OrangeSmsMemoryStoreOptions } from '../interfaces/orange-sms.memory-store.interfaces.js';
import type {
  OrangeSmsMessageFilter,
  OrangeSmsNotificationTake,
  OrangeSmsNotificationTaken,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
} from '../interfaces/orange-sms.tracking.interfaces.js';

/** How long a receipt waits for its message to be stored. */
const EARLY_RECEIPT_TTL_MS = 24 * 3_600_000;

/**
 * The default store: one process, bounded everywhere. Maps keep insertion order, so the oldest entry
 * is the first key and eviction is O(1). Callers get copies, never the stored objects.
 */
export class OrangeSmsMemoryStore implements OrangeSmsStore {
  readonly maxMessages: number;
  private readonly maxSeenKeys: number;
  private readonly maxEarlyReceipts: number;
  private readonly maxEvents: number;
  private readonly maxInbound: number;
  /** Inbound SMS by id, oldest first. */
  private readonly inbound = new Map<string, InboundSms>();
  private readonly messages = new Map<string, TrackedSms>();
  private readonly earlyReceipts = new Map<string, { updates: OrangeSmsStatusUpdate[]; expiresAt: number }>();
  private readonly optedOut = new Set<string>();
  private readonly events = new Map<string, OrangeSmsStoredEvent>();
  /** Notifications taken: by which attempt, and what it answered (a replay answers the same). */
  private readonly taken = new Map<
    string,
    { attempt: string; expiresAt: number; answer: OrangeSmsNotificationTaken }
  >();
  /** Outbox event id → claimed until (ms since epoch). */
  private readonly claims = new Map<string, number>();

  constructor(options: OrangeSmsMemoryStoreOptions = {}) {
    this.maxMessages = positiveInteger('maxMessages', options.maxMessages, 10_000);
    this.maxSeenKeys = positiveInteger('maxSeenKeys', options.maxSeenKeys, 100_000);
    this.maxEarlyReceipts = positiveInteger('maxEarlyReceipts', options.maxEarlyReceipts, 10_000);
    this.maxEvents = positiveInteger('maxEvents', options.maxEvents, 10_000);
    this.maxInbound = positiveInteger('maxInbound', options.maxInbound, 10_000);
  }

  get size(): number {
    return this.messages.size;
  }

  async saveMessage(message: TrackedSms): Promise<void> {
    this.messages.delete(message.id);
    const stored = copy(message);
    this.messages.set(message.id, stored);
    evictOldest(this.messages, this.maxMessages);
    const early = this.earlyReceipts.get(message.id);
    if (early) {
      this.earlyReceipts.delete(message.id);
      if (early.expiresAt > Date.now()) for (const update of early.updates) applyStatusUpdate(stored, update);
    }
  }

  async getMessage(id: string): Promise<TrackedSms | undefined> {
    const message = this.messages.get(id);
    return message && copy(message);
  }

  async listMessages(filter: OrangeSmsMessageFilter = {}): Promise<TrackedSms[]> {
    const limit = filter.limit ?? 100;
    const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
    const matching: TrackedSms[] = [];
    for (const message of this.messages.values()) {
      if (filter.to !== undefined && message.to !== filter.to) continue;
      if (statuses && !statuses.includes(message.status)) continue;
      if (filter.reference !== undefined && message.reference !== filter.reference) continue;
      if (filter.since && message.submittedAt < filter.since) continue;
      if (filter.until && message.submittedAt >= filter.until) continue;
      if (!isAfterMessage(message, filter.after)) continue;
      matching.push(message);
    }
    // Insertion order is nearly submit order; sorting makes ties (same millisecond) follow the ids,
    // as the cursor expects.
    return matching.sort(messageOrder).slice(0, limit).map(copy);
  }

  async applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult> {
    const message = this.messages.get(id);
    if (!message) {
      this.keepEarly(id, update);
      return { applied: false };
    }
    const applied = applyStatusUpdate(message, update);
    return { message: copy(message), applied };
  }

  /** A receipt for a message not stored yet: applied when `saveMessage` brings it. */
  private keepEarly(id: string, update: OrangeSmsStatusUpdate): void {
    const early = this.earlyReceipts.get(id) ?? { updates: [], expiresAt: Date.now() + EARLY_RECEIPT_TTL_MS };
    early.updates.push(update);
    this.earlyReceipts.delete(id);
    this.earlyReceipts.set(id, early);
    evictOldest(this.earlyReceipts, this.maxEarlyReceipts);
  }

  async takeNotification(take: OrangeSmsNotificationTake): Promise<OrangeSmsNotificationTaken> {
    // Synchronous from here to the return: nothing else runs in between, so it is atomic.
    const now = Date.now();
    const taken = this.taken.get(take.key);
    if (taken && taken.expiresAt > now) {
      if (taken.attempt !== take.attempt) return { fresh: false };
      const event = this.events.get(take.key);
      return { ...taken.answer, ...(event ? { event: structuredClone(event) } : {}) };
    }
    const answer: OrangeSmsNotificationTaken = { fresh: true };
    let record = true;
    if (take.receipt) {
      const message = this.messages.get(take.receipt.messageId);
      if (message) {
        record = applyStatusUpdate(message, take.receipt.update);
        answer.message = copy(message);
        if (!record) answer.stale = true;
      } else {
        this.keepEarly(take.receipt.messageId, take.receipt.update);
      }
    }
    if (take.optOut) {
      if (take.optOut.optedOut) this.optedOut.add(take.optOut.number);
      else this.optedOut.delete(take.optOut.number);
    }
    if (take.inbound && !this.inbound.has(take.inbound.id)) {
      this.inbound.set(take.inbound.id, copyInbound(take.inbound));
      evictOldest(this.inbound, this.maxInbound);
    }
    if (record) this.putEvent(take.event);
    this.taken.delete(take.key);
    this.taken.set(take.key, { attempt: take.attempt, expiresAt: now + take.dedupeTtlMs, answer });
    // Drop expired keys from the old end, then the oldest past the cap.
    for (const [oldKey, old] of this.taken) {
      if (old.expiresAt > now) break;
      this.taken.delete(oldKey);
    }
    evictOldest(this.taken, this.maxSeenKeys);
    // The caller's own event object: it built it for this take and the store keeps a copy.
    return record ? { ...answer, event: take.event } : answer;
  }

  async getInbound(id: string): Promise<InboundSms | undefined> {
    const message = this.inbound.get(id);
    return message && copyInbound(message);
  }

  /** A scan of at most `maxInbound` records: the memory store is bounded, not indexed. */
  async listInbound(filter: OrangeSmsInboxFilter): Promise<OrangeSmsInboxPage> {
    const limit = pageLimit(filter.limit);
    const after = decodeInboxCursor(filter.cursor);
    const matching = [...this.inbound.values()]
      .filter((message) => matchesInboxFilter(message, filter) && isAfter(message, after))
      .sort(inboxOrder);
    const items = matching.slice(0, limit).map(copyInbound);
    return matching.length > limit ? { items, nextCursor: encodeInboxCursor(items[items.length - 1]!) } : { items };
  }

  async markInboundHandled(id: string, at: Date): Promise<InboundSms | undefined> {
    const message = this.inbound.get(id);
    if (!message) return undefined;
    if (!message.handled) {
      message.handled = true;
      message.handledAt = new Date(at);
    }
    return copyInbound(message);
  }

  async claimEvent(id: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const claimedUntil = this.claims.get(id);
    if (claimedUntil !== undefined && claimedUntil > now) return false;
    this.claims.set(id, now + leaseMs);
    evictOldest(this.claims, this.maxEvents);
    return true;
  }

  async setOptedOut(number: string, optedOut: boolean): Promise<void> {
    if (optedOut) this.optedOut.add(number);
    else this.optedOut.delete(number);
  }

  async isOptedOut(number: string): Promise<boolean> {
    return this.optedOut.has(number);
  }

  async saveEvent(event: OrangeSmsStoredEvent): Promise<void> {
    this.putEvent(event);
  }

  private putEvent(event: OrangeSmsStoredEvent): void {
    // Callers build a new event object for each save and never change it: a shallow copy suffices.
    this.events.delete(event.id);
    this.events.set(event.id, { ...event, data: { ...event.data } } as OrangeSmsStoredEvent);
    if (this.events.size > this.maxEvents) {
      for (const [id, stored] of this.events) {
        if (stored.state === 'failed') {
          this.events.delete(id);
          break;
        }
      }
    }
  }

  async deleteEvent(id: string): Promise<void> {
    this.events.delete(id);
  }

  async listEvents(filter: { state?: OrangeSmsStoredEvent['state'] } = {}): Promise<OrangeSmsStoredEvent[]> {
    return [...this.events.values()]
      .filter((event) => filter.state === undefined || event.state === filter.state)
      .map((event) => structuredClone(event));
  }
}

/** The state machine step shared by live receipts and early ones replayed at save time. */

/** One iterator for the whole batch: `keys().next()` per entry re-walks deleted slots at the front. */
function evictOldest(map: Map<string, unknown>, max: number): void {
  if (map.size <= max) return;
  const keys = map.keys();
  while (map.size > max) map.delete(keys.next().value!);
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isInteger(result) || result < 1) throw new RangeError(`${name} must be a positive integer`);
  return result;
}

function copy(message: TrackedSms): TrackedSms {
  return { ...message, history: message.history.map((entry) => ({ ...entry })) };
}

/** A copy with its own Dates (structuredClone's would belong to another realm under jest's VM). */
function copyInbound(message: InboundSms): InboundSms {
  return {
    ...message,
    receivedAt: new Date(message.receivedAt),
    ...(message.sentAt ? { sentAt: new Date(message.sentAt) } : {}),
    ...(message.handledAt ? { handledAt: new Date(message.handledAt) } : {}),
  };
}
