import type { TrackedSms } from '../../lib/index.js';
import { randomUUID } from 'node:crypto';
import type { OrangeSmsStoredEvent } from '../../lib/interfaces/orange-sms.event.interfaces.js';
import type { OrangeSmsNotificationTake } from '../../lib/interfaces/orange-sms.tracking.interfaces.js';

/** A stored message as a send leaves it (submitted, one history entry), for store-level tests. */
export function trackedSms(id: string, submittedAt = new Date(), fields: Partial<TrackedSms> = {}): TrackedSms {
  return {
    id,
    to: 'tel:+2250700000001',
    senderAddress: 'tel:+2250000',
    text: 'hello',
    segments: 1,
    encoding: 'GSM-7',
    status: 'submitted',
    submittedAt,
    updatedAt: submittedAt,
    resourceUrl: `https://api/${id}`,
    history: [{ status: 'submitted', at: submittedAt }],
    ...fields,
  };
}

/** A pending delivery-receipt outbox event for message `id`. */
export function receiptEvent(id: string): OrangeSmsStoredEvent {
  return {
    id,
    kind: 'delivery-receipt',
    state: 'pending',
    attempts: 0,
    createdAt: new Date(),
    data: {
      messageId: id,
      address: 'tel:+2250700000001',
      deliveryStatus: 'DeliveredToTerminal',
      receivedAt: new Date(),
    },
  } as unknown as OrangeSmsStoredEvent;
}

/** A take of a receipt for message `id` as the webhook builds it (event id = dedupe key). */
export function receiptTake(
  id: string,
  status: 'DeliveredToNetwork' | 'DeliveredToTerminal' = 'DeliveredToTerminal',
  attempt: string = randomUUID(),
): OrangeSmsNotificationTake {
  return {
    key: `dr:${id}:${status}`,
    attempt,
    dedupeTtlMs: 60_000,
    receipt: { messageId: id, update: { deliveryStatus: status, at: new Date() } },
    event: { ...receiptEvent(id), id: `dr:${id}:${status}` },
  };
}
