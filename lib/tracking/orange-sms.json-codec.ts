import type { InboundSms } from '../interfaces/orange-sms.inbox.interfaces.js';
import type { OrangeSmsStoredEvent } from '../interfaces/orange-sms.event.interfaces.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';

/** JSON in Redis; the Date fields are revived by name on the way out. */
export function encode(value: unknown): string {
  return JSON.stringify(value);
}

export function decodeMessage(json: string): TrackedSms {
  const message = JSON.parse(json) as TrackedSms;
  message.submittedAt = new Date(message.submittedAt);
  message.updatedAt = new Date(message.updatedAt);
  if (message.deliveredAt) message.deliveredAt = new Date(message.deliveredAt);
  // Lua's cjson writes an empty array as {}; history is never empty, but stay safe.
  message.history = (Array.isArray(message.history) ? message.history : []).map((entry) => ({
    ...entry,
    at: new Date(entry.at),
  }));
  return message;
}

export function decodeEvent(json: string): OrangeSmsStoredEvent {
  const event = JSON.parse(json) as OrangeSmsStoredEvent;
  event.createdAt = new Date(event.createdAt);
  if (event.leaseUntil) event.leaseUntil = new Date(event.leaseUntil);
  event.data.receivedAt = new Date(event.data.receivedAt);
  return event;
}

export function decodeInbound(json: string): InboundSms {
  const message = JSON.parse(json) as InboundSms;
  message.receivedAt = new Date(message.receivedAt);
  if (message.sentAt) message.sentAt = new Date(message.sentAt);
  if (message.handledAt) message.handledAt = new Date(message.handledAt);
  return message;
}
