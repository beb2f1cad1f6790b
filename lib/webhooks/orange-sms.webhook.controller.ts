import {
  All,
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  type OnModuleInit,
  Options,
  Param,
  Patch,
  Post,
  Put,
  Res,
  ServiceUnavailableException,
  type Type,
  UseGuards,
} from '@nestjs/common';
import { ORANGE_SMS_LOGGER_CONTEXT } from '../orange-sms.constants.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { OrangeSmsStoreError, OrangeSmsValidationError } from '../errors/orange-sms.errors.js';
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
  class OrangeSmsWebhookController implements OnModuleInit {
    constructor(
      private readonly webhooks: OrangeSmsWebhookService,
      private readonly telemetry: OrangeSmsTelemetry,
    ) {}

    onModuleInit(): void {
      const base = `/${config.path}`;
      new Logger(ORANGE_SMS_LOGGER_CONTEXT).log(
        `Orange SMS webhooks: POST ${base}/delivery-receipts and POST ${base}/inbound, and for each other account ` +
          `POST ${base}/accounts/{account}/delivery-receipts and …/inbound (before any global prefix)`,
      );
    }

    /** Orange `deliveryInfoNotification`. */
    @Post('delivery-receipts')
    @UseGuards(OrangeSmsWebhookGuard)
    @HttpCode(200)
    deliveryReceipts(
      @Body() body: unknown,
      @Res({ passthrough: true }) response: HeaderSettable,
    ): Promise<OrangeSmsWebhookResult> {
      return observed(this.telemetry, 'delivery-receipts', response, () => this.webhooks.handleDeliveryReceipt(body));
    }

    /** Orange `inboundSMSMessageNotification`. */
    @Post('inbound')
    @UseGuards(OrangeSmsWebhookGuard)
    @HttpCode(200)
    inbound(
      @Body() body: unknown,
      @Headers() headers: Record<string, string | string[] | undefined>,
      @Res({ passthrough: true }) response: HeaderSettable,
    ): Promise<OrangeSmsWebhookResult> {
      return observed(this.telemetry, 'inbound', response, () => this.webhooks.handleInboundSms(body, headers));
    }

    /** Another Orange account's receipts, authenticated by that account's `webhookSecret`. */
    @Post('accounts/:account/delivery-receipts')
    @UseGuards(OrangeSmsWebhookGuard)
    @HttpCode(200)
    accountDeliveryReceipts(
      @Param('account') account: string,
      @Body() body: unknown,
      @Res({ passthrough: true }) response: HeaderSettable,
    ): Promise<OrangeSmsWebhookResult> {
      return observed(this.telemetry, 'delivery-receipts', response, () =>
        this.webhooks.handleDeliveryReceipt(body, account),
      );
    }

    /** Another Orange account's inbound SMS, authenticated by that account's `webhookSecret`. */
    @Post('accounts/:account/inbound')
    @UseGuards(OrangeSmsWebhookGuard)
    @HttpCode(200)
    accountInbound(
      @Param('account') account: string,
      @Body() body: unknown,
      @Headers() headers: Record<string, string | string[] | undefined>,
      @Res({ passthrough: true }) response: HeaderSettable,
    ): Promise<OrangeSmsWebhookResult> {
      return observed(this.telemetry, 'inbound', response, () =>
        this.webhooks.handleInboundSms(body, headers, account),
      );
    }

    /**
     * Any other method: 405 with `Allow: POST`, and a fixed message that never echoes the URL (which
     * carries the secret as `?token=`). HEAD is answered by the GET route on Express and Fastify.
     */
    @Get(WEBHOOK_ROUTES)
    getNotAllowed(@Res({ passthrough: true }) response: HeaderSettable): never {
      return methodNotAllowed(response);
    }
    @Put(WEBHOOK_ROUTES)
    putNotAllowed(@Res({ passthrough: true }) response: HeaderSettable): never {
      return methodNotAllowed(response);
    }
    @Patch(WEBHOOK_ROUTES)
    patchNotAllowed(@Res({ passthrough: true }) response: HeaderSettable): never {
      return methodNotAllowed(response);
    }
    @Delete(WEBHOOK_ROUTES)
    deleteNotAllowed(@Res({ passthrough: true }) response: HeaderSettable): never {
      return methodNotAllowed(response);
    }
    @Options(WEBHOOK_ROUTES)
    optionsNotAllowed(@Res({ passthrough: true }) response: HeaderSettable): never {
      return methodNotAllowed(response);
    }

    /**
     * Any other path under the webhook prefix (a typo in the URL given to Orange, a scanner): 404
     * with a fixed message, because the framework's own 404 echoes the URL and its `?token=` secret.
     * Declared last so that it never shadows the routes above. Parameters rather than a wildcard:
     * Express 5 and Fastify spell wildcards differently, `:a/:b` means the same on both.
     */
    @All(['', ':a', ':a/:b', ':a/:b/:c', ':a/:b/:c/:d'])
    notFound(): never {
      throw new NotFoundException('Not Found: the Orange webhook routes are delivery-receipts and inbound');
    }
  }
  for (const decorate of config.decorators) decorate(OrangeSmsWebhookController);
  return OrangeSmsWebhookController;
}

const WEBHOOK_ROUTES = [
  'delivery-receipts',
  'inbound',
  'accounts/:account/delivery-receipts',
  'accounts/:account/inbound',
];

/**
 * Any method but POST: 405 with `Allow: POST`, and a fixed message that never echoes the URL (which
 * carries the secret as `?token=`). HEAD is answered by the GET route on Express and Fastify.
 */
function methodNotAllowed(response: HeaderSettable): never {
  setHeader(response, 'Allow', 'POST');
  throw new HttpException('Method Not Allowed: Orange webhooks accept POST only', HttpStatus.METHOD_NOT_ALLOWED);
}

function setHeader(response: HeaderSettable, name: string, value: string): void {
  if (typeof response.header === 'function') response.header(name, value);
  else response.setHeader?.(name, value);
}

/** Express' and Fastify's replies both set a header one of these ways. */
interface HeaderSettable {
  header?: (name: string, value: string) => unknown;
  setHeader?: (name: string, value: string) => unknown;
}

/** Seconds Orange is asked to wait before sending again a notification the store could not take. */
const STORE_RETRY_AFTER_SECONDS = '5';

/**
 * Maps a body that is not Orange's to 400 and a store that cannot be reached to 503 with Retry-After
 * (nothing was acknowledged: Orange sends it again), and reports each request's outcome.
 */
async function observed(
  telemetry: OrangeSmsTelemetry,
  route: 'delivery-receipts' | 'inbound',
  response: HeaderSettable,
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
    if (error instanceof OrangeSmsStoreError) {
      setHeader(response, 'Retry-After', STORE_RETRY_AFTER_SECONDS);
      throw new ServiceUnavailableException(
        'The notification store is unavailable: nothing was recorded, send it again later',
      );
    }
    throw error;
  }
}
