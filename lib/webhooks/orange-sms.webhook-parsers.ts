import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import type { OrangeDeliveryStatus } from '../events/orange-sms.events.js';

export interface ParsedDeliveryReceipt {
  /** Orange's message id, carried as `callbackData`. */
  messageId: string;
  /** Recipient, `tel:+…`. */
  to: string;
  status: OrangeDeliveryStatus;
}

export interface ParsedInboundSms {
  from: string;
  to: string;
  text: string;
  messageId?: string;
  /** Orange's `dateTime`, or undefined when absent. */
  sentAt?: Date;
}

const DELIVERY_STATUSES: ReadonlySet<string> = new Set<OrangeDeliveryStatus>([
  'DeliveredToTerminal',
  'DeliveredToNetwork',
  'MessageWaiting',
  'DeliveryUncertain',
  'DeliveryImpossible',
]);

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

/** Orange's `inboundSMSMessageNotification` (API reference §4); `inboundSMSMessage` as object or list. */
export function parseInboundSmsNotification(body: unknown): ParsedInboundSms[] {
  const notification = objectAt(body, 'inboundSMSMessageNotification');
  const raw = notification.inboundSMSMessage;
  const messages = Array.isArray(raw) ? raw : [raw];
  if (messages.length === 0) {
    throw new OrangeSmsValidationError('inboundSMSMessageNotification.inboundSMSMessage', 'is an empty list');
  }
  return messages.map((message, index) => {
    const path = `inboundSMSMessageNotification.inboundSMSMessage${Array.isArray(raw) ? `[${index}]` : ''}`;
    if (!isRecord(message)) throw new OrangeSmsValidationError(path, 'missing or not an object');
    if (typeof message.message !== 'string')
      throw new OrangeSmsValidationError(`${path}.message`, 'missing or not a string');
    if (typeof message.destinationAddress !== 'string' || message.destinationAddress.trim() === '') {
      throw new OrangeSmsValidationError(`${path}.destinationAddress`, 'missing or not a string');
    }
    let sentAt: Date | undefined;
    if (message.dateTime !== undefined && message.dateTime !== null) {
      sentAt = new Date(String(message.dateTime));
      if (Number.isNaN(sentAt.getTime()))
        throw new OrangeSmsValidationError(`${path}.dateTime`, 'not an ISO-8601 date');
    }
    const messageId = message.messageId;
    return {
      from: telAddress(message.senderAddress, `${path}.senderAddress`),
      to: message.destinationAddress.trim(),
      text: message.message,
      ...(typeof messageId === 'string' || typeof messageId === 'number' ? { messageId: String(messageId) } : {}),
      ...(sentAt ? { sentAt } : {}),
    };
  });
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
