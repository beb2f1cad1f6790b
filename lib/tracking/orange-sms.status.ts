import type { OrangeSmsStatusUpdate, TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';
import type { OrangeDeliveryStatus, OrangeSmsStatus } from '../interfaces/orange-sms.status.interfaces.js';

export type { OrangeDeliveryStatus, OrangeSmsStatus };

export const STATUS_FROM_ORANGE: Readonly<Record<OrangeDeliveryStatus, OrangeSmsStatus>> = {
  DeliveredToNetwork: 'delivered_to_network',
  MessageWaiting: 'waiting',
  DeliveryUncertain: 'uncertain',
  DeliveredToTerminal: 'delivered',
  DeliveryImpossible: 'failed',
};

/**
 * Progress order. Receipts can arrive late and out of order, so a status only ever moves forward:
 * network → waiting → uncertain (may still resolve) → failed → delivered. Orange notes that a message
 * reported DeliveryImpossible may still be delivered, so `failed` gives way to `delivered` (and only to
 * it); `delivered` is never left.
 */
export const STATUS_RANK: Readonly<Record<OrangeSmsStatus, number>> = {
  submitted: 0,
  delivered_to_network: 1,
  waiting: 2,
  uncertain: 3,
  failed: 4,
  delivered: 5,
};

export function statusFromDeliveryStatus(deliveryStatus: OrangeDeliveryStatus): OrangeSmsStatus {
  return STATUS_FROM_ORANGE[deliveryStatus];
}

/**
 * The one definition of "final", for the stores, the events and the reports: no later receipt is
 * expected. `failed` is final, yet a late DeliveredToTerminal still moves it to `delivered`.
 */
export const FINAL_STATUSES: readonly OrangeSmsStatus[] = ['delivered', 'failed'];

export function isFinalStatus(status: OrangeSmsStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Whether Orange's status ends the message's receipts (the event's `final`). */
export function isFinalDeliveryStatus(deliveryStatus: OrangeDeliveryStatus): boolean {
  return isFinalStatus(STATUS_FROM_ORANGE[deliveryStatus]);
}

/** The status after a receipt, or undefined when the receipt does not move the message forward. */
export function nextStatus(
  current: OrangeSmsStatus,
  deliveryStatus: OrangeDeliveryStatus,
): OrangeSmsStatus | undefined {
  const incoming = STATUS_FROM_ORANGE[deliveryStatus];
  return STATUS_RANK[incoming] > STATUS_RANK[current] ? incoming : undefined;
}

/**
 * Moves `message` through the state machine for one receipt (in place): status, Orange's status, the
 * time, `deliveredAt` and a history entry. False, and nothing changed, when it does not move it forward.
 */
export function applyStatusUpdate(message: TrackedSms, update: OrangeSmsStatusUpdate): boolean {
  const status = nextStatus(message.status, update.deliveryStatus);
  if (status === undefined) return false;
  message.status = status;
  message.deliveryStatus = update.deliveryStatus;
  message.updatedAt = update.at;
  if (status === 'delivered') message.deliveredAt = update.at;
  message.history.push({ status, deliveryStatus: update.deliveryStatus, at: update.at });
  return true;
}
