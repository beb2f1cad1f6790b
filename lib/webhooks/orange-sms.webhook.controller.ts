import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  Logger,
  type OnModuleInit,
  Post,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { ORANGE_SMS_LOGGER_CONTEXT } from '../orange-sms.constants.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsWebhooksConfig } from './orange-sms.webhook-config.js';
import { OrangeSmsWebhookGuard } from './orange-sms.webhook.guard.js';
import { type OrangeSmsWebhookResult, OrangeSmsWebhookService } from './orange-sms.webhook.service.js';

/**
 * One controller class per module registration, so the path and the host's class decorators are
 * those of that registration. Bodies are typed `unknown`: a global `ValidationPipe` leaves them
 * alone, and our own parsers say precisely what is wrong.
 */
export function createOrangeSmsWebhookController(config: OrangeSmsWebhooksConfig): Type<unknown> {
  @Controller(config.path)
  @UseGuards(OrangeSmsWebhookGuard)
  class OrangeSmsWebhookController implements OnModuleInit {
    constructor(
      private readonly webhooks: OrangeSmsWebhookService,
      private readonly telemetry: OrangeSmsTelemetry,
    ) {}

    onModuleInit(): void {
      const base = `/${config.path}`;
      new Logger(ORANGE_SMS_LOGGER_CONTEXT).log(
        `Orange SMS webhooks: POST ${base}/delivery-receipts and POST ${base}/inbound (before any global prefix)`,
      );
    }

    /** Orange `deliveryInfoNotification`. */
    @Post('delivery-receipts')
    @HttpCode(200)
    deliveryReceipts(@Body() body: unknown): Promise<OrangeSmsWebhookResult> {
      return observed(this.telemetry, 'delivery-receipts', () => this.webhooks.handleDeliveryReceipt(body));
    }

    /** Orange `inboundSMSMessageNotification`. */
    @Post('inbound')
    @HttpCode(200)
    inbound(@Body() body: unknown): Promise<OrangeSmsWebhookResult> {
      return observed(this.telemetry, 'inbound', () => this.webhooks.handleInboundSms(body));
    }
  }
  for (const decorate of config.decorators) decorate(OrangeSmsWebhookController);
  return OrangeSmsWebhookController;
}

/** Maps a body that is not Orange's to 400, and reports each request's outcome. */
async function observed(
  telemetry: OrangeSmsTelemetry,
  route: 'delivery-receipts' | 'inbound',
  handle: () => Promise<OrangeSmsWebhookResult>,
): Promise<OrangeSmsWebhookResult> {
  try {
    const result = await handle();
    telemetry.emit({
      type: 'webhook',
      route,
      outcome: result.accepted === 0 && result.duplicates > 0 ? 'duplicate' : 'accepted',
    });
    return result;
  } catch (error) {
    const invalid = error instanceof OrangeSmsValidationError;
    telemetry.emit({ type: 'webhook', route, outcome: invalid ? 'invalid' : 'error' });
    if (invalid) throw new BadRequestException(error.message);
    throw error;
  }
}
