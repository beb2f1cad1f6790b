import type { OrangeDeliveryStatus } from '../events/orange-sms.events.js';
import type { SentSms } from '../sending/orange-sms.interfaces.js';
import type { OrangeSmsStatus } from './orange-sms.status.js';

export interface TrackedSmsHistoryEntry {
  status: OrangeSmsStatus;
  /** Orange's raw status, absent for `submitted`. */
  deliveryStatus?: OrangeDeliveryStatus;
  at: Date;
}

/** A sent message as the store keeps it, with its delivery status. */
export interface TrackedSms extends Omit<SentSms, 'status'> {
  status: OrangeSmsStatus;
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
