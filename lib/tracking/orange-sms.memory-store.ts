import type { OrangeSmsStore } from './orange-sms.store.js';
import { nextStatus } from './orange-sms.status.js';
import type {
  OrangeSmsMessageFilter,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
} from './orange-sms.tracked-sms.js';

export interface OrangeSmsMemoryStoreOptions {
  /** Messages kept; past it the oldest are evicted. Default 10,000. */
  maxMessages?: number;
}

/**
 * The default store: one process, bounded. A Map keeps insertion order, so the oldest message is the
 * first key and eviction is O(1). Callers get copies, never the stored objects.
 */
export class OrangeSmsMemoryStore implements OrangeSmsStore {
  readonly maxMessages: number;
  private readonly messages = new Map<string, TrackedSms>();

  constructor(options: OrangeSmsMemoryStoreOptions = {}) {
    const max = options.maxMessages ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('maxMessages must be a positive integer');
    this.maxMessages = max;
  }

  get size(): number {
    return this.messages.size;
  }

  async saveMessage(message: TrackedSms): Promise<void> {
    this.messages.delete(message.id);
    this.messages.set(message.id, copy(message));
    while (this.messages.size > this.maxMessages) {
      this.messages.delete(this.messages.keys().next().value!);
    }
  }

  async getMessage(id: string): Promise<TrackedSms | undefined> {
    const message = this.messages.get(id);
    return message && copy(message);
  }

  async listMessages(filter: OrangeSmsMessageFilter = {}): Promise<TrackedSms[]> {
    const limit = filter.limit ?? 100;
    const statuses = filter.status === undefined ? undefined : ([] as string[]).concat(filter.status);
    const result: TrackedSms[] = [];
    const all = [...this.messages.values()];
    for (let i = all.length - 1; i >= 0 && result.length < limit; i--) {
      const message = all[i]!;
      if (filter.to !== undefined && message.to !== filter.to) continue;
      if (statuses && !statuses.includes(message.status)) continue;
      if (filter.reference !== undefined && message.reference !== filter.reference) continue;
      if (filter.since && message.submittedAt < filter.since) continue;
      if (filter.until && message.submittedAt >= filter.until) continue;
      result.push(copy(message));
    }
    return result;
  }

  async applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult> {
    const message = this.messages.get(id);
    if (!message) return { applied: false };
    const status = nextStatus(message.status, update.deliveryStatus);
    if (status === undefined) return { message: copy(message), applied: false };
    message.status = status;
    message.deliveryStatus = update.deliveryStatus;
    message.updatedAt = update.at;
    if (status === 'delivered') message.deliveredAt = update.at;
    message.history.push({ status, deliveryStatus: update.deliveryStatus, at: update.at });
    return { message: copy(message), applied: true };
  }
}

function copy(message: TrackedSms): TrackedSms {
  return { ...message, history: message.history.map((entry) => ({ ...entry })) };
}
