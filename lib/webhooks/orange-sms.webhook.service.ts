import { Inject, Injectable, Logger } from '@nestjs/common';
import { ORANGE_SMS_STORE, type OrangeSmsStore } from '../tracking/orange-sms.store.js';
import { ORANGE_SMS_LOGGER_CONTEXT } from '../orange-sms.constants.js';
import { OrangeSmsEventPublisher } from '../events/orange-sms.event-publisher.js';
import { DeliveryReceiptEvent, InboundSmsEvent, OrangeSmsEvents } from '../events/orange-sms.events.js';
import { maskPhoneNumber } from '../sending/orange-sms.addresses.js';
import { parseDeliveryReceiptNotification, parseInboundSmsNotification } from './orange-sms.webhook-parsers.js';

export interface OrangeSmsWebhookResult {
  /** Notifications in the body that were accepted. */
  accepted: number;
}

/**
 * Handles a parsed-JSON callback body from Orange. The generated controller calls it; a host that
 * turns the controller off (`webhooks: { enabled: false }`) calls it from its own routes. Throws
 * `OrangeSmsValidationError` (→ 400) for a body that is not Orange's.
 */
@Injectable()
export class OrangeSmsWebhookService {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);

  constructor(
    private readonly events: OrangeSmsEventPublisher,
    @Inject(ORANGE_SMS_STORE) private readonly store: OrangeSmsStore,
  ) {}

  async handleDeliveryReceipt(body: unknown): Promise<OrangeSmsWebhookResult> {
    const receipts = parseDeliveryReceiptNotification(body);
    const receivedAt = new Date();
    for (const receipt of receipts) {
      this.logger.debug(
        `Delivery receipt ${receipt.status} for SMS ${receipt.messageId} to ${maskPhoneNumber(receipt.to)}`,
      );
      const { message } = await this.store.applyDeliveryStatus(receipt.messageId, {
        deliveryStatus: receipt.status,
        at: receivedAt,
      });
      this.events.publish(
        OrangeSmsEvents.DeliveryReceipt,
        new DeliveryReceiptEvent({
          messageId: receipt.messageId,
          to: receipt.to,
          status: receipt.status,
          callbackData: receipt.messageId,
          message,
          receivedAt,
          raw: body,
        }),
      );
    }
    return { accepted: receipts.length };
  }

  async handleInboundSms(body: unknown): Promise<OrangeSmsWebhookResult> {
    const messages = parseInboundSmsNotification(body);
    const receivedAt = new Date();
    for (const message of messages) {
      this.logger.debug(`Inbound SMS from ${maskPhoneNumber(message.from)} to ${message.to}`);
      this.events.publish(
        OrangeSmsEvents.InboundSms,
        new InboundSmsEvent({
          from: message.from,
          to: message.to,
          text: message.text,
          messageId: message.messageId,
          receivedAt,
          raw: body,
        }),
      );
    }
    return { accepted: messages.length };
  }
}
