import { OrangeSmsError } from '../errors/orange-sms.errors.js';
import type { SendSmsInput, SentSms } from '../sending/orange-sms.interfaces.js';
import type { TrackedSms } from '../tracking/orange-sms.tracked-sms.js';

/** Event names emitted through `@nestjs/event-emitter`. */
export const OrangeSmsEvents = {
  SmsSent: 'orange-sms.sms.sent',
  SmsFailed: 'orange-sms.sms.failed',
  DeliveryReceipt: 'orange-sms.delivery-receipt',
  InboundSms: 'orange-sms.inbound',
} as const;

export type OrangeSmsEventName = (typeof OrangeSmsEvents)[keyof typeof OrangeSmsEvents];

/** Orange's `deliveryStatus` values (API reference §3.4). */
export type OrangeDeliveryStatus =
  'DeliveredToTerminal' | 'DeliveredToNetwork' | 'MessageWaiting' | 'DeliveryUncertain' | 'DeliveryImpossible';

export class SmsSentEvent {
  constructor(readonly message: SentSms) {}
}

export class SmsFailedEvent {
  /** Recipient as given, normalised to `tel:+…` when it was valid. */
  readonly to!: string;
  readonly error!: OrangeSmsError;
  readonly reference?: string;

  constructor(init: Pick<SmsFailedEvent, 'to' | 'error' | 'reference'>) {
    Object.assign(this, init);
  }
}

export class DeliveryReceiptEvent {
  /** Orange's message id (the receipt's `callbackData`). */
  readonly messageId!: string;
  /** Recipient, `tel:+…`. */
  readonly to!: string;
  readonly status!: OrangeDeliveryStatus;
  /** The handset received it. */
  readonly delivered: boolean;
  /** No later receipt is expected: delivered or impossible. */
  readonly final: boolean;
  /** The tracked message after this receipt, when the store knows it. */
  readonly message?: TrackedSms;
  readonly callbackData?: string;
  readonly receivedAt!: Date;
  /** Orange's notification body as received. */
  readonly raw: unknown;

  constructor(init: Omit<DeliveryReceiptEvent, 'delivered' | 'final'>) {
    Object.assign(this, init);
    this.delivered = init.status === 'DeliveredToTerminal';
    this.final = init.status === 'DeliveredToTerminal' || init.status === 'DeliveryImpossible';
  }
}

/** Answers the sender of an inbound SMS; options as for `send`, the recipient being the sender. */
export type InboundSmsReply = (text: string, options?: Omit<SendSmsInput, 'to' | 'text'>) => Promise<SentSms>;

export class InboundSmsEvent {
  /** Subscriber, `tel:+…`. */
  readonly from!: string;
  /** Your short code or number, as Orange sent it. */
  readonly to!: string;
  readonly text!: string;
  /** First word of the text, trimmed and upper-cased (`" stop please"` → `STOP`). */
  readonly keyword: string;
  readonly messageId?: string;
  readonly receivedAt!: Date;
  /** Orange's notification body as received. */
  readonly raw: unknown;

  readonly #reply?: InboundSmsReply;

  constructor(init: Omit<InboundSmsEvent, 'keyword' | 'reply'>, reply?: InboundSmsReply) {
    Object.assign(this, init);
    this.keyword = keywordOf(init.text);
    this.#reply = reply;
  }

  /** Sends an SMS back to `from` through `OrangeSmsService.send` (pacing, retries, tracking included). */
  reply(text: string, options?: Omit<SendSmsInput, 'to' | 'text'>): Promise<SentSms> {
    if (!this.#reply)
      return Promise.reject(new OrangeSmsError('reply() is only available on events emitted by the module'));
    return this.#reply(text, options);
  }
}

export function keywordOf(text: string): string {
  return (text.trim().split(/\s+/, 1)[0] ?? '').toUpperCase();
}
