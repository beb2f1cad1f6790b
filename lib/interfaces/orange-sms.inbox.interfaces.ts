import type { InboundSenderKind } from './orange-sms.event.interfaces.js';
import type { TrackedSms } from './orange-sms.tracking.interfaces.js';

/** An inbound SMS as the store keeps it, for `OrangeSmsInboxService`. */
export interface InboundSms {
  /** `id:<Orange's messageId>` when Orange sends one, else a key derived from the message. */
  id: string;
  /** `tel:+…`, or Orange's anonymous reference (`acr:…`, see `senderKind`). */
  from: string;
  /** Your short code or number, as Orange sent it. */
  to: string;
  text: string;
  /** The first word, upper-cased (`STOP`, `BAL`): what keyword filters match. */
  keyword: string;
  senderKind: InboundSenderKind;
  /** When the subscriber sent it, if Orange said. */
  sentAt?: Date;
  receivedAt: Date;
  /** Set by `markHandled`. */
  handled: boolean;
  handledAt?: Date;
  /** The Orange account whose route took it; absent on records kept before accounts (`default`). */
  account?: string;
}

export interface OrangeSmsInboxFilter {
  /** Sender, in any accepted form (`+2250700000001`, `tel:+…`); `acr:…` as received. */
  from?: string;
  to?: string;
  /** First word, any case. */
  keyword?: string;
  handled?: boolean;
  /** Received at or after. */
  since?: Date;
  /** Received before. */
  until?: Date;
  /**
   * Page size, most recent first.
   * @default 50
   */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface OrangeSmsInboxPage {
  items: InboundSms[];
  /** Absent on the last page. */
  nextCursor?: string;
}

/** One line of a conversation with a number, outbound or inbound. */
export type OrangeSmsConversationEntry =
  { direction: 'outbound'; at: Date; message: TrackedSms } | { direction: 'inbound'; at: Date; message: InboundSms };

export interface OrangeSmsConversationOptions {
  /**
   * The most recent messages to return (then given oldest first).
   * @default 50
   */
  limit?: number;
  /** Only messages before this time (to page back). */
  before?: Date;
}
