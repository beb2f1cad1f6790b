import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import type { InboundSenderKind, OrangeDeliveryStatus } from '../events/orange-sms.events.js';
import { parseOrangeDate } from '../stats/orange-sms.admin-normalisers.js';
import { isRecord } from '../common/orange-sms.json-helpers.js';
import { STATUS_FROM_ORANGE } from '../tracking/orange-sms.status.js';

export interface ParsedDeliveryReceipt {
  /** Orange's message id, carried as `callbackData`. */
  messageId: string;
  /** Recipient, `tel:+…`. */
  to: string;
  status: OrangeDeliveryStatus;
}

export interface ParsedInboundSms {
  /** `tel:+…` when the number is known, else Orange's anonymous reference (`acr:…`) as sent. */
  from: string;
  senderKind: InboundSenderKind;
  /** Orange's anonymous reference when the sender came as `acr:…` (also when the number is known). */
  senderReference?: string;
  to: string;
  text: string;
  messageId?: string;
  /** Orange's `dateTime`, or undefined when absent or unreadable (then see `sentAtRaw`). */
  sentAt?: Date;
  /** Orange's `dateTime` text when it could not be read as a date: kept, never refused. */
  sentAtRaw?: string;
  /** Orange's top-level `callbackData` of the notification, when present. */
  callbackData?: string;
}

export interface InboundParseContext {
  /** IANA zone of zone-less `dateTime` values (option `orangeTimeZone`). Default UTC. */
  timeZone?: string;
  /** The request headers: `x-orange-ise2` carries the subscriber's number when Orange sends `acr:`. */
  headers?: Record<string, string | string[] | undefined>;
}

/** Header in which Orange puts the subscriber's number when the body has an `acr:` reference (§12). */
export const ORANGE_SUBSCRIBER_NUMBER_HEADER = 'x-orange-ise2';

const DELIVERY_STATUSES: ReadonlySet<string> = new Set(Object.keys(STATUS_FROM_ORANGE));

/**
 * Orange's `deliveryInfoNotification` (API reference §3.3). Tolerant where clients disagree:
 * `deliveryInfo` as an object or a list, and an extra `delivery` level around `deliveryStatus`.
 * Throws `OrangeSmsValidationError` naming the bad field.
 */
export function parseDeliveryReceiptNotification(body: unknown): ParsedDeliveryReceipt[] {
  const notification = objectAt(body, 'deliveryInfoNotification');
  const callbackData = notification.callbackData;
  if (typeof callbackData !== 'string' || callbackData.trim() === '') {
    throw new OrangeSmsValidationError(
      'deliveryInfoNotification.callbackData',
      'missing: it must carry the message id of the send',
    );
  }
  const infos = Array.isArray(notification.deliveryInfo) ? notification.deliveryInfo : [notification.deliveryInfo];
  if (infos.length === 0)
    throw new OrangeSmsValidationError('deliveryInfoNotification.deliveryInfo', 'is an empty list');
  return infos.map((info, index) => {
    const path = `deliveryInfoNotification.deliveryInfo${Array.isArray(notification.deliveryInfo) ? `[${index}]` : ''}`;
    if (!isRecord(info)) throw new OrangeSmsValidationError(path, 'missing or not an object');
    const status = info.deliveryStatus ?? (isRecord(info.delivery) ? info.delivery.deliveryStatus : undefined);
    if (typeof status !== 'string' || !DELIVERY_STATUSES.has(status)) {
      throw new OrangeSmsValidationError(
        `${path}.deliveryStatus`,
        `expected one of ${[...DELIVERY_STATUSES].join(', ')}`,
      );
    }
    return {
      messageId: callbackData.trim(),
      to: telAddress(info.address, `${path}.address`),
      status: status as OrangeDeliveryStatus,
    };
  });
}

/**
 * Orange's `inboundSMSMessageNotification` (API reference §4 and §12); `inboundSMSMessage` as object
 * or list. A real notification is never refused: an `acr:` sender (anonymous reference) is taken,
 * with the number from the `x-orange-ise2` header when present; a zone-less `dateTime` is read in
 * `timeZone`; an unreadable one is kept as `sentAtRaw`. Only a body that is not Orange's throws.
 */
export function parseInboundSmsNotification(body: unknown, context: InboundParseContext = {}): ParsedInboundSms[] {
  const notification = objectAt(body, 'inboundSMSMessageNotification');
  const raw = notification.inboundSMSMessage;
  const messages = Array.isArray(raw) ? raw : [raw];
  if (messages.length === 0) {
    throw new OrangeSmsValidationError('inboundSMSMessageNotification.inboundSMSMessage', 'is an empty list');
  }
  const callbackData = firstString(notification.callbackData, isRecord(body) ? body.callbackData : undefined);
  const headerNumber = subscriberNumberFromHeader(context.headers);
  return messages.map((message, index) => {
    const path = `inboundSMSMessageNotification.inboundSMSMessage${Array.isArray(raw) ? `[${index}]` : ''}`;
    if (!isRecord(message)) throw new OrangeSmsValidationError(path, 'missing or not an object');
    if (typeof message.message !== 'string')
      throw new OrangeSmsValidationError(`${path}.message`, 'missing or not a string');
    if (typeof message.destinationAddress !== 'string' || message.destinationAddress.trim() === '') {
      throw new OrangeSmsValidationError(`${path}.destinationAddress`, 'missing or not a string');
    }
    const sender = inboundSender(message.senderAddress, `${path}.senderAddress`, headerNumber);
    let sentAt: Date | undefined;
    let sentAtRaw: string | undefined;
    if (message.dateTime !== undefined && message.dateTime !== null && message.dateTime !== '') {
      sentAt = parseOrangeDate(String(message.dateTime), context.timeZone ?? 'UTC');
      if (!sentAt) sentAtRaw = String(message.dateTime);
    }
    const messageId = message.messageId;
    return {
      ...sender,
      to: message.destinationAddress.trim(),
      text: message.message,
      ...(typeof messageId === 'string' || typeof messageId === 'number' ? { messageId: String(messageId) } : {}),
      ...(sentAt ? { sentAt } : {}),
      ...(sentAtRaw !== undefined ? { sentAtRaw } : {}),
      ...(callbackData !== undefined ? { callbackData } : {}),
    };
  });
}

/**
 * `tel:+…`/`+…`/digits → a number; `acr:…` (Orange's anonymous customer reference) → the header's
 * number when present, else the reference itself. Anything else is not Orange's.
 */
function inboundSender(
  value: unknown,
  field: string,
  headerNumber: string | undefined,
): Pick<ParsedInboundSms, 'from' | 'senderKind' | 'senderReference'> {
  if (typeof value === 'string' && /^acr:\S+$/i.test(value.trim())) {
    const reference = value.trim();
    return headerNumber
      ? { from: headerNumber, senderKind: 'number', senderReference: reference }
      : { from: reference, senderKind: 'anonymous', senderReference: reference };
  }
  return { from: telAddress(value, field), senderKind: 'number' };
}

function subscriberNumberFromHeader(headers: InboundParseContext['headers']): string | undefined {
  const header = headers?.[ORANGE_SUBSCRIBER_NUMBER_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  try {
    return telAddress(value, ORANGE_SUBSCRIBER_NUMBER_HEADER);
  } catch {
    return undefined; // an unreadable header: keep the reference rather than refuse the message
  }
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value !== '') return value;
  return undefined;
}

function objectAt(body: unknown, key: string): Record<string, unknown> {
  if (!isRecord(body)) throw new OrangeSmsValidationError('body', 'expected a JSON object');
  const value = body[key];
  if (!isRecord(value)) throw new OrangeSmsValidationError(key, 'missing or not an object');
  return value;
}

/** `tel:+2250700000000` or `+2250700000000` → `tel:+2250700000000`. */
function telAddress(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new OrangeSmsValidationError(field, 'missing or not a string');
  const digits = value.trim().replace(/^tel:/i, '');
  if (!/^\+?\d{3,15}$/.test(digits)) throw new OrangeSmsValidationError(field, 'expected tel:+<digits>');
  return `tel:${digits.startsWith('+') ? digits : `+${digits}`}`;
}
