import type { OrangeSmsStoredEvent } from '../../lib/interfaces/orange-sms.event.interfaces.js';

/** A pending inbound outbox event with id `id`, for the store specs. */
export function inboundEvent(id: string): OrangeSmsStoredEvent {
  return {
    id,
    kind: 'inbound',
    state: 'pending',
    attempts: 0,
    createdAt: new Date(),
    data: { from: 'tel:+2250700000001', to: '+2250000', text: 'HI', receivedAt: new Date(), raw: {} },
  };
}
