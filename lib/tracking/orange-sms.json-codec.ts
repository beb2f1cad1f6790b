import type { InboundSms } from '../interfaces/orange-sms.inbox.interfaces.js';
import type { OrangeSmsStoredEvent } from '../interfaces/orange-sms.event.interfaces.js';
import type { TrackedSms } from '../interfaces/orange-sms.tracking.interfaces.js';

/** JSON in Redis; the Date fields are revived by name on the way out. */
export function encode(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * `encode` for the records every notification writes, with their dates turned into ISO text first:
 * V8's JSON.stringify leaves its fast path on an object with a `toJSON`, and a Date has one (about
 * twice the time for an event).
 */
export function encodeEvent(event: OrangeSmsStoredEvent): string {
  const data = event.data;
  return JSON.stringify({
    ...event,
    createdAt: isoText(event.createdAt),
    ...(event.leaseUntil !== undefined ? { leaseUntil: isoText(event.leaseUntil) } : {}),
    data: {
      ...data,
      receivedAt: isoText(data.receivedAt),
      ...('sentAt' in data && data.sentAt !== undefined ? { sentAt: isoText(data.sentAt) } : {}),
    },
  });
}

export function encodeInbound(message: InboundSms): string {
  return JSON.stringify({
    ...message,
    receivedAt: isoText(message.receivedAt),
    ...(message.sentAt !== undefined ? { sentAt: isoText(message.sentAt) } : {}),
    ...(message.handledAt !== undefined ? { handledAt: isoText(message.handledAt) } : {}),
  });
}

/** What JSON.stringify writes for a Date (null when invalid); anything else as it is. */
function isoText(value: Date | string): string | null {
  if (!(value instanceof Date)) return value;
  return Number.isNaN(value.getTime()) ? null : value.toISOString();
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
