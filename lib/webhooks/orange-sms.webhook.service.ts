import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ORANGE_SMS_LOGGER_CONTEXT, ORANGE_SMS_RESOLVED_OPTIONS } from '../orange-sms.constants.js';
import { OrangeSmsEventDispatcher } from '../events/orange-sms.event-dispatcher.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { keywordOf } from '../events/orange-sms.events.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import { maskPhoneNumber } from '../sending/orange-sms.addresses.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import { ORANGE_SMS_STORE, type OrangeSmsStore } from '../tracking/orange-sms.store.js';
import type { OrangeSmsStoredEvent } from '../tracking/orange-sms.stored-event.js';
import { parseDeliveryReceiptNotification, parseInboundSmsNotification } from './orange-sms.webhook-parsers.js';

export interface OrangeSmsWebhookResult {
  /** Notifications in the body taken for the first time. */
  accepted: number;
  /** Notifications already taken before (Orange sent them again): acknowledged, not emitted again. */
  duplicates: number;
}

/** Orange says receipts arrive within 24 h; repeats are recognised at least that long. */
const DEDUPE_TTL_MS = 24 * 3_600_000;

/**
 * Handles a parsed-JSON callback body from Orange. The generated controller calls it; a host that
 * turns the controller off (`webhooks: { enabled: false }`) calls it from its own routes, behind
 * `OrangeSmsWebhookGuard`. Throws `OrangeSmsValidationError` (→ 400) for a body that is not Orange's.
 *
 * Order, for each notification: dedupe (atomic), store (state machine, opt-out), outbox; the route
 * answers 200 only after all three, and the listeners run after that, with redelivery on failure.
 * A store failure propagates (→ 5xx), so nothing is acknowledged that was not recorded.
 */
@Injectable()
export class OrangeSmsWebhookService {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
    private readonly dispatcher: OrangeSmsEventDispatcher,
    @Inject(ORANGE_SMS_RESOLVED_OPTIONS) private readonly options: OrangeSmsResolvedOptions,
    private readonly telemetry: OrangeSmsTelemetry,
  ) {}

  async handleDeliveryReceipt(body: unknown): Promise<OrangeSmsWebhookResult> {
    const receipts = parseDeliveryReceiptNotification(body);
    const receivedAt = new Date();
    const result: OrangeSmsWebhookResult = { accepted: 0, duplicates: 0 };
    const recorded: OrangeSmsStoredEvent[] = [];
    for (const receipt of receipts) {
      const id = `dr:${receipt.messageId}:${receipt.status}`;
      const fresh = await this.store.markSeen(id, DEDUPE_TTL_MS);
      this.telemetry.emit({ type: 'receipt', status: receipt.status, duplicate: !fresh });
      if (!fresh) {
        result.duplicates++;
        continue;
      }
      result.accepted++;
      const { message, applied } = await this.store.applyDeliveryStatus(receipt.messageId, {
        deliveryStatus: receipt.status,
        at: receivedAt,
      });
      if (message && !applied) {
        // Late or out of order (e.g. DeliveredToNetwork after DeliveredToTerminal): nothing changed.
        this.logger.debug(
          `Stale receipt ${receipt.status} for SMS ${safeLogText(receipt.messageId)} (now ${message.status}) ignored`,
        );
        continue;
      }
      this.logger.debug(
        `Delivery receipt ${receipt.status} for SMS ${safeLogText(receipt.messageId)} to ${maskPhoneNumber(receipt.to)}`,
      );
      const event: OrangeSmsStoredEvent = {
        id,
        kind: 'delivery-receipt',
        state: 'pending',
        attempts: 0,
        createdAt: receivedAt,
        data: { ...receipt, callbackData: receipt.messageId, receivedAt, raw: body },
      };
      await this.dispatcher.record(event);
      recorded.push(event);
    }
    for (const event of recorded) this.dispatcher.dispatchSoon(event);
    return result;
  }

  async handleInboundSms(
    body: unknown,
    headers?: Record<string, string | string[] | undefined>,
  ): Promise<OrangeSmsWebhookResult> {
    const messages = parseInboundSmsNotification(body, { timeZone: this.options.orangeTimeZone, headers });
    const receivedAt = new Date();
    const result: OrangeSmsWebhookResult = { accepted: 0, duplicates: 0 };
    const recorded: OrangeSmsStoredEvent[] = [];
    for (const message of messages) {
      const id = `mo:${inboundKey(message)}`;
      const fresh = await this.store.markSeen(id, DEDUPE_TTL_MS);
      this.telemetry.emit({ type: 'inbound', duplicate: !fresh });
      if (!fresh) {
        result.duplicates++;
        continue;
      }
      result.accepted++;
      await this.applyOptOut(message.from, keywordOf(message.text));
      this.logger.debug(`Inbound SMS from ${maskPhoneNumber(message.from)} to ${safeLogText(message.to)}`);
      const event: OrangeSmsStoredEvent = {
        id,
        kind: 'inbound',
        state: 'pending',
        attempts: 0,
        createdAt: receivedAt,
        data: {
          from: message.from,
          senderKind: message.senderKind,
          ...(message.senderReference !== undefined ? { senderReference: message.senderReference } : {}),
          ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
          ...(message.sentAtRaw !== undefined ? { sentAtRaw: message.sentAtRaw } : {}),
          ...(message.callbackData !== undefined ? { callbackData: message.callbackData } : {}),
          to: message.to,
          text: message.text,
          ...(message.messageId !== undefined ? { messageId: message.messageId } : {}),
          receivedAt,
          raw: body,
        },
      };
      await this.dispatcher.record(event);
      recorded.push(event);
    }
    for (const event of recorded) this.dispatcher.dispatchSoon(event);
    return result;
  }

  private async applyOptOut(from: string, keyword: string): Promise<void> {
    const optOut = this.options.optOut;
    if (!optOut) return;
    if (optOut.stopKeywords.includes(keyword)) {
      await this.store.setOptedOut(from, true);
      this.logger.log(`${maskPhoneNumber(from)} opted out (${safeLogText(keyword)})`);
    } else if (optOut.startKeywords.includes(keyword)) {
      await this.store.setOptedOut(from, false);
      this.logger.log(`${maskPhoneNumber(from)} opted back in (${safeLogText(keyword)})`);
    }
  }
}

/**
 * Orange's `messageId` when it sends one; else a hash of sender, text and Orange's timestamp. With
 * neither an id nor a timestamp two identical texts cannot be told from a repeat, so each is kept.
 */
function inboundKey(message: { from: string; to: string; text: string; messageId?: string; sentAt?: Date }): string {
  if (message.messageId !== undefined) return `id:${message.messageId}`;
  if (message.sentAt === undefined) return `unique:${randomUUID()}`;
  return createHash('sha256')
    .update(`${message.from}\n${message.to}\n${message.sentAt.toISOString()}\n${message.text}`)
    .digest('base64url');
}
