import type { InboundSenderKind } from '../interfaces/orange-sms.event.interfaces.js';
import { isFinalDeliveryStatus } from '../tracking/orange-sms.status.js';
import { OrangeSmsError, OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import type { SendSmsInput, SentSms } from '../interfaces/orange-sms.message.interfaces.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';
import type { OrangeDeliveryStatus } from '../tracking/orange-sms.status.js';

/** Event names emitted through `@nestjs/event-emitter`. */
export const OrangeSmsEvents = {
  SmsSent: 'orange-sms.sms.sent',
  SmsFailed: 'orange-sms.sms.failed',
  DeliveryReceipt: 'orange-sms.delivery-receipt',
  InboundSms: 'orange-sms.inbound',
} as const;

export type OrangeSmsEventName = (typeof OrangeSmsEvents)[keyof typeof OrangeSmsEvents];

export type { OrangeDeliveryStatus } from '../tracking/orange-sms.status.js';

export class SmsSentEvent {
  constructor(readonly message: SentSms) {}
}

export class SmsFailedEvent {
  /** Recipient as given, normalised to `tel:+…` when it was valid. */
  readonly to!: string;
  readonly error!: OrangeSmsError;
  readonly reference?: string;
  /** The Orange app it was to be sent from (`default` for the top-level credentials). */
  readonly account: string = 'default';

  constructor(init: Pick<SmsFailedEvent, 'to' | 'error' | 'reference'> & { account?: string }) {
    Object.assign(this, init);
    this.account = init.account ?? 'default';
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
  /**
   * No later receipt is expected: delivered or impossible (`isFinalStatus`). An impossible one may
   * still be followed by DeliveredToTerminal, which then moves the message to `delivered`.
   */
  readonly final: boolean;
  /** The tracked message after this receipt, when the store knows it. */
  readonly message?: TrackedSms;
  readonly callbackData?: string;
  readonly receivedAt!: Date;
  /** Orange's notification body as received. */
  readonly raw: unknown;
  /** The Orange account whose route took it (`default` for the top-level routes). */
  readonly account: string;

  constructor(init: Omit<DeliveryReceiptEvent, 'delivered' | 'final' | 'account'> & { account?: string }) {
    Object.assign(this, init);
    this.account = init.account ?? 'default';
    this.delivered = init.status === 'DeliveredToTerminal';
    this.final = isFinalDeliveryStatus(init.status);
  }
}

/** Answers the sender of an inbound SMS; options as for `send`, the recipient being the sender. */
export type InboundSmsReply = (text: string, options?: Omit<SendSmsInput, 'to' | 'text'>) => Promise<SentSms>;

export type { InboundSenderKind };

export class InboundSmsEvent {
  /** Subscriber: `tel:+…`, or Orange's `acr:…` reference when `senderKind` is `anonymous`. */
  readonly from!: string;
  /** `number` or `anonymous` (see `InboundSenderKind`). Events recorded before this field: `number`. */
  readonly senderKind: InboundSenderKind;
  /** Orange's `acr:…` reference when the body carried one (also when the number came in a header). */
  readonly senderReference?: string;
  /** Your short code or number, as Orange sent it. */
  readonly to!: string;
  readonly text!: string;
  /** First word of the text, trimmed and upper-cased (`" stop please"` → `STOP`). */
  readonly keyword: string;
  readonly messageId?: string;
  /** Orange's `dateTime` (a zone-less one read in `orangeTimeZone`), when present and readable. */
  readonly sentAt?: Date;
  /** Orange's `dateTime` text when it could not be read as a date. */
  readonly sentAtRaw?: string;
  /** The notification's top-level `callbackData`, when Orange sent one (also kept in `raw`). */
  readonly callbackData?: string;
  readonly receivedAt!: Date;
  /** Orange's notification body as received. */
  readonly raw: unknown;
  /** The Orange account whose route took it (`default` for the top-level routes); `reply()` sends from it. */
  readonly account: string;

  readonly #reply?: InboundSmsReply;

  constructor(
    init: Omit<InboundSmsEvent, 'keyword' | 'reply' | 'senderKind' | 'account'> & {
      senderKind?: InboundSenderKind;
      account?: string;
    },
    reply?: InboundSmsReply,
  ) {
    Object.assign(this, init);
    this.account = init.account ?? 'default';
    // A shared store may hand dates back as ISO text.
    if (init.sentAt !== undefined) this.sentAt = new Date(init.sentAt);
    this.senderKind = init.senderKind ?? 'number';
    this.keyword = keywordOf(init.text);
    this.#reply = reply;
  }

  /**
   * Sends an SMS back to `from` from the same account, through `OrangeSmsService.send` (pacing,
   * retries, tracking included).
   * Rejects with `OrangeSmsValidationError` (field `to`) for an anonymous sender: Orange documents no
   * sending to an `acr:` reference, only to `tel:+…` numbers.
   */
  reply(text: string, options?: Omit<SendSmsInput, 'to' | 'text'>): Promise<SentSms> {
    if (this.senderKind === 'anonymous')
      return Promise.reject(
        new OrangeSmsValidationError(
          'to',
          "the sender is an anonymous Orange reference (acr:); Orange's API sends only to tel:+ numbers, " +
            'so this message cannot be answered by SMS (ask Orange to send the x-orange-ise2 number header)',
        ),
      );
    if (!this.#reply)
      return Promise.reject(new OrangeSmsError('reply() is only available on events emitted by the module'));
    return this.#reply(text, options);
  }
}

export function keywordOf(text: string): string {
  return (text.trim().split(/\s+/, 1)[0] ?? '').toUpperCase();
}
