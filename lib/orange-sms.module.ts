import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { OrangeSmsTokenProvider } from './auth/orange-sms.token-provider.js';
import { OrangeSmsEventPublisher } from './events/orange-sms.event-publisher.js';
import { OrangeSmsApiClient } from './http/orange-sms.api-client.js';
import { OrangeSmsTransport } from './http/orange-sms.transport.js';
import { ORANGE_SMS_RESOLVED_OPTIONS } from './orange-sms.constants.js';
import { ConfigurableModuleClass, ORANGE_SMS_MODULE_OPTIONS } from './orange-sms.module-definition.js';
import { type OrangeSmsModuleOptions, resolveOrangeSmsOptions } from './orange-sms.options.js';
import { OrangeSmsService } from './sending/orange-sms.service.js';
import { OrangeSmsWebhookService } from './webhooks/orange-sms.webhook.service.js';

/**
 * `OrangeSmsModule.forRoot(options)` or `.forRootAsync({ imports, inject, useFactory | useClass |
 * useExisting })`; extras `isGlobal` (default true) and `webhooks`. Options are validated when the
 * application boots: one error lists every bad field.
 */
@Module({
  imports: [HttpModule],
  providers: [
    {
      provide: ORANGE_SMS_RESOLVED_OPTIONS,
      inject: [ORANGE_SMS_MODULE_OPTIONS],
      useFactory: (options: OrangeSmsModuleOptions) => resolveOrangeSmsOptions(options),
    },
    OrangeSmsTransport,
    OrangeSmsTokenProvider,
    OrangeSmsApiClient,
    OrangeSmsEventPublisher,
    OrangeSmsService,
    OrangeSmsWebhookService,
  ],
  exports: [OrangeSmsService, OrangeSmsWebhookService, ORANGE_SMS_MODULE_OPTIONS],
})
export class OrangeSmsModule extends ConfigurableModuleClass {}
