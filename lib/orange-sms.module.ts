import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { OrangeSmsTokenProvider } from './auth/orange-sms.token-provider.js';
import { OrangeSmsEventDispatcher } from './events/orange-sms.event-dispatcher.js';
import { OrangeSmsEventPublisher } from './events/orange-sms.event-publisher.js';
import { OrangeSmsApiClient } from './http/orange-sms.api-client.js';
import {
  ORANGE_SMS_RATE_LIMITER,
  OrangeSmsLocalRateLimiter,
  OrangeSmsUnlimitedRateLimiter,
} from './http/orange-sms.rate-limiter.js';
import { OrangeSmsTransport } from './http/orange-sms.transport.js';
import { ORANGE_SMS_RESOLVED_OPTIONS } from './orange-sms.constants.js';
import { ConfigurableModuleClass, ORANGE_SMS_MODULE_OPTIONS } from './orange-sms.module-definition.js';
import { ORANGE_SMS_WEBHOOKS_CONFIG } from './webhooks/orange-sms.webhook-config.js';
import {
  type OrangeSmsModuleOptions,
  type OrangeSmsResolvedOptions,
  resolveOrangeSmsOptions,
} from './orange-sms.options.js';
import { OrangeSmsService } from './sending/orange-sms.service.js';
import { OrangeSmsSubscriptions } from './sending/orange-sms.subscriptions.js';
import { OrangeSmsStatsService } from './stats/orange-sms.stats.service.js';
import { OrangeSmsMemoryStore } from './tracking/orange-sms.memory-store.js';
import { ORANGE_SMS_STORE } from './tracking/orange-sms.store.js';
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
    {
      provide: ORANGE_SMS_STORE,
      inject: [ORANGE_SMS_RESOLVED_OPTIONS],
      useFactory: (options: OrangeSmsResolvedOptions) => options.store ?? new OrangeSmsMemoryStore(),
    },
    {
      provide: ORANGE_SMS_RATE_LIMITER,
      inject: [ORANGE_SMS_RESOLVED_OPTIONS],
      useFactory: (options: OrangeSmsResolvedOptions) =>
        options.rateLimit ? new OrangeSmsLocalRateLimiter(options.rateLimit) : new OrangeSmsUnlimitedRateLimiter(),
    },
    OrangeSmsTransport,
    OrangeSmsTokenProvider,
    OrangeSmsApiClient,
    OrangeSmsEventPublisher,
    OrangeSmsSubscriptions,
    OrangeSmsService,
    OrangeSmsStatsService,
    OrangeSmsEventDispatcher,
    OrangeSmsWebhookService,
  ],
  exports: [
    OrangeSmsService,
    OrangeSmsStatsService,
    OrangeSmsWebhookService,
    OrangeSmsEventDispatcher,
    ORANGE_SMS_MODULE_OPTIONS,
    ORANGE_SMS_STORE,
    // For a host that mounts the webhook handlers itself behind OrangeSmsWebhookGuard.
    ORANGE_SMS_RESOLVED_OPTIONS,
    ORANGE_SMS_WEBHOOKS_CONFIG,
  ],
})
export class OrangeSmsModule extends ConfigurableModuleClass {}
