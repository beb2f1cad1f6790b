import type { OrangeDeliveryStatus } from './orange-sms.status.interfaces.js';

/**
 * How the sender of an inbound SMS is known: `number` (`from` is `tel:+…`), or `anonymous` (`from` is
 * Orange's anonymous customer reference `acr:…`, e.g. `acr:OrangeAPIToken`, sent without the number).
 */
export type InboundSenderKind = 'number' | 'anonymous';

/** What a delivery-receipt event is rebuilt from. Plain data, so a shared store can serialise it. */
export interface DeliveryReceiptEventData {
  messageId: string;
  to: string;
  status: OrangeDeliveryStatus;
  callbackData?: string;
  receivedAt: Date;
  raw: unknown;
  /** The Orange account whose route took it; absent on events recorded before accounts (`default`). */
  account?: string;
}

export interface InboundSmsEventData {
  from: string;
  senderKind?: InboundSenderKind;
  senderReference?: string;
  to: string;
  text: string;
  messageId?: string;
  sentAt?: Date;
  sentAtRaw?: string;
  callbackData?: string;
  receivedAt: Date;
  raw: unknown;
  /** The Orange account whose route took it; absent on events recorded before accounts (`default`). */
  account?: string;
}

/**
 * A notification from Orange recorded before it is acknowledged (an outbox): removed once every
 * listener succeeded, retried with backoff while they fail, then kept as `failed` for a manual retry.
 */
export type OrangeSmsStoredEvent = {
  /** The dedupe key of the notification. */
  id: string;
  state: 'pending' | 'failed';
  attempts: number;
  createdAt: Date;
  /**
   * Until when the instance that recorded it (or retries it) owns it. An instance that boots
   * delivers the pending events whose lease has run out: those a crashed instance left behind.
   */
  leaseUntil?: Date;
  lastError?: string;
} & ({ kind: 'delivery-receipt'; data: DeliveryReceiptEventData } | { kind: 'inbound'; data: InboundSmsEventData });
