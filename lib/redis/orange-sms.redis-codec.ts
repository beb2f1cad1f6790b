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
