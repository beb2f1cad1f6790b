import type { InboundSms } from './orange-sms.inbox.interfaces.js';
import type { OrangeSmsStoredEvent } from './orange-sms.event.interfaces.js';
import type { OrangeDeliveryStatus } from './orange-sms.status.interfaces.js';
import type { SentSms } from './orange-sms.message.interfaces.js';
import type { OrangeSmsStatus } from './orange-sms.status.interfaces.js';

export interface TrackedSmsHistoryEntry {
  status: OrangeSmsStatus;
  /** Orange's raw status, absent for `submitted`. */
  deliveryStatus?: OrangeDeliveryStatus;
  at: Date;
}

/** A sent message as the store keeps it, with its delivery status. */
export interface TrackedSms extends Omit<SentSms, 'status' | 'account'> {
  status: OrangeSmsStatus;
  /** The Orange app it was sent from; absent on records kept before accounts existed (read: `default`). */
  account?: string;
  /** Orange's last applied `deliveryStatus`. */
  deliveryStatus?: OrangeDeliveryStatus;
  /** ISO alpha-3 of the recipient, when it is an Orange SMS country. */
  country?: string;
  updatedAt: Date;
  /** When the handset received it (`DeliveredToTerminal`). */
  deliveredAt?: Date;
  history: TrackedSmsHistoryEntry[];
}

export interface OrangeSmsMessageFilter {
  /** Recipient, any accepted form is compared as `tel:+…`. */
  to?: string;
  status?: OrangeSmsStatus | readonly OrangeSmsStatus[];
  reference?: string;
  /** Submitted at or after. */
  since?: Date;
  /** Submitted before. */
  until?: Date;
  /** Most recent first; default 100. */
  limit?: number;
  /**
   * Only the messages after this one in that order (submitted before it, or at the same instant with
   * a lower id): what `listMessagesPage`'s cursor stands for. Every store must honour it.
   */
  after?: OrangeSmsMessagePosition;
}

/** A message's place in the most-recent-first order. */
export interface OrangeSmsMessagePosition {
  submittedAt: Date;
  id: string;
}

/** `OrangeSmsService.listMessagesPage`: the filter of `listMessages`, a page at a time. */
export interface OrangeSmsMessagePageFilter extends Omit<OrangeSmsMessageFilter, 'after' | 'limit'> {
  /**
   * Page size, 1 to 1000.
   * @default 50
   */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface OrangeSmsMessagePage {
  items: TrackedSms[];
  /** Present when more messages match: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

export interface OrangeSmsStatusUpdate {
  deliveryStatus: OrangeDeliveryStatus;
  at: Date;
}

export interface OrangeSmsStatusResult {
  /** The message after the update; undefined when the store does not know the id. */
  message?: TrackedSms;
  /** False when the receipt did not move the status forward (late, repeated or after a final one). */
  applied: boolean;
}

/** One notification from Orange to take atomically (see `OrangeSmsStore.takeNotification`). */
export interface OrangeSmsNotificationTake {
  /** Dedupe key of the notification; also the id of its outbox event. */
  key: string;
  /** Unique per handling attempt: what tells a resent command from Orange sending the notification again. */
  attempt: string;
  dedupeTtlMs: number;
  /** A delivery receipt: the status update of that message. */
  receipt?: { messageId: string; update: OrangeSmsStatusUpdate };
  /** An inbound STOP or START: the opt-out change. */
  optOut?: { number: string; optedOut: boolean };
  /** An inbound SMS: its record for the inbox, kept with the rest. */
  inbound?: InboundSms;
  /** The outbox record, written with the rest unless the receipt is stale. */
  event: OrangeSmsStoredEvent;
}

export interface OrangeSmsNotificationTaken {
  /** False for a notification taken before (Orange sent it again): nothing changed. */
  fresh: boolean;
  /** The outbox event to deliver now; absent for a duplicate or a stale receipt. */
  event?: OrangeSmsStoredEvent;
  /** Receipts: the message after the receipt, when the store knows it. */
  message?: TrackedSms;
  /** Receipts: the message was known and the receipt did not move it forward (late or out of order). */
  stale?: boolean;
}
