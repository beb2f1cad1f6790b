import { Inject, Injectable } from '@nestjs/common';
import { normaliseRecipient } from '../addresses/orange-sms.addresses.js';
import { checkDate } from '../common/orange-sms.dates.js';
import { pageLimit } from '../tracking/orange-sms.inbox-paging.js';
import { OrangeSmsConfigurationError, OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import type {
  InboundSms,
  OrangeSmsConversationEntry,
  OrangeSmsConversationOptions,
  OrangeSmsInboxFilter,
  OrangeSmsInboxPage,
} from '../interfaces/orange-sms.inbox.interfaces.js';
import type { OrangeSmsStore } from '../interfaces/orange-sms.store.interfaces.js';
import { ORANGE_SMS_SENDING_CONFIG, ORANGE_SMS_STORE } from '../orange-sms.constants.js';
import type { OrangeSmsSendingConfig } from '../orange-sms.options.js';

type InboxStore = Required<Pick<OrangeSmsStore, 'getInbound' | 'listInbound' | 'markInboundHandled'>> & OrangeSmsStore;

/**
 * The inbound SMS your app received, as an agent works through them: list and filter (a page at a
 * time), mark handled, and the conversation with one number (what you sent and what it sent, in
 * time order). Records are written by the webhook with the notification itself, so the inbox holds
 * exactly what was acknowledged to Orange.
 */
@Injectable()
export class OrangeSmsInboxService {
  constructor(
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    @Inject(ORANGE_SMS_SENDING_CONFIG) private readonly sending: OrangeSmsSendingConfig,
  ) {}

  /** Most recent first; pass `nextCursor` back as `cursor` for the next page. */
  async list(filter: OrangeSmsInboxFilter = {}): Promise<OrangeSmsInboxPage> {
    const from = filter.from === undefined ? undefined : this.sender(filter.from, 'from');
    checkDate('since', filter.since);
    checkDate('until', filter.until);
    return this.inbox().listInbound({ ...filter, ...(from !== undefined ? { from } : {}) });
  }

  async get(id: string): Promise<InboundSms | undefined> {
    return this.inbox().getInbound(checkId(id));
  }

  /** Marks it handled (once: the first time is kept). Rejects for an id the inbox does not hold. */
  async markHandled(id: string): Promise<InboundSms> {
    const message = await this.inbox().markInboundHandled(checkId(id), new Date());
    if (!message) throw new OrangeSmsValidationError('id', 'no inbound SMS with this id in the inbox');
    return message;
  }

  /**
   * Outbound and inbound messages with `phone`, oldest first: the `limit` most recent before
   * `before`. Outbound ones come from the message store, so they are there as long as it keeps them.
   */
  async conversation(phone: string, options: OrangeSmsConversationOptions = {}): Promise<OrangeSmsConversationEntry[]> {
    const number = this.sender(phone, 'phone');
    const limit = pageLimit(options.limit);
    checkDate('before', options.before);
    const [sent, received] = await Promise.all([
      this.store.listMessages({ to: number, ...(options.before ? { until: options.before } : {}), limit }),
      this.inbox().listInbound({ from: number, ...(options.before ? { until: options.before } : {}), limit }),
    ]);
    const entries: OrangeSmsConversationEntry[] = [
      ...sent.map((message) => ({ direction: 'outbound' as const, at: message.submittedAt, message })),
      ...received.items.map((message) => ({ direction: 'inbound' as const, at: message.receivedAt, message })),
    ];
    // The most recent `limit`, then in reading order.
    entries.sort((a, b) => b.at.getTime() - a.at.getTime());
    return entries.slice(0, limit).reverse();
  }

  /** `tel:+…` as stored; Orange's anonymous references (`acr:…`) as received. */
  private sender(value: string, field: string): string {
    if (typeof value === 'string' && value.trim().startsWith('acr:')) return value.trim();
    return normaliseRecipient(value, field, this.sending.defaultCountry);
  }

  private inbox(): InboxStore {
    const store = this.store;
    if (
      typeof store.getInbound !== 'function' ||
      typeof store.listInbound !== 'function' ||
      typeof store.markInboundHandled !== 'function'
    ) {
      throw new OrangeSmsConfigurationError([
        {
          field: 'store',
          reason: 'this store keeps no inbound SMS (getInbound, listInbound, markInboundHandled): the inbox needs them',
        },
      ]);
    }
    return store as InboxStore;
  }
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '') throw new OrangeSmsValidationError('id', 'expected an inbound id');
  return id;
}
