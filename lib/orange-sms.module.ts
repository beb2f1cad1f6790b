import { HttpModule } from '@nestjs/axios';
import { type DynamicModule, Module } from '@nestjs/common';
import { OrangeSmsConfigurationError } from './errors/orange-sms.errors.js';
import { OrangeSmsEventDispatcher } from './events/orange-sms.event-dispatcher.js';
import { OrangeSmsEventPublisher } from './events/orange-sms.event-publisher.js';
import { OrangeSmsApiClient } from './http/orange-sms.api-client.js';
import { OrangeSmsAccounts } from './accounts/orange-sms.accounts.js';
import { OrangeSmsTokenProvider } from './http/orange-sms.token-provider.js';
import { OrangeSmsTransport } from './http/orange-sms.transport.js';
import { OrangeSmsInboxService } from './inbox/orange-sms.inbox.service.js';
import { OrangeSmsTelemetry } from './observability/orange-sms.telemetry.js';
import {
  ORANGE_SMS_REDIS,
  ORANGE_SMS_REPLY_SENDER,
  ORANGE_SMS_RESOLVED_OPTIONS,
  ORANGE_SMS_STORE,
  ORANGE_SMS_WEBHOOK_SETTINGS,
  ORANGE_SMS_WEBHOOKS_CONFIG,
} from './orange-sms.constants.js';
import {
  ConfigurableModuleClass,
  ORANGE_SMS_MODULE_OPTIONS,
  type OrangeSmsModuleForRootOptions,
} from './orange-sms.module-definition.js';
import type { OrangeSmsModuleOptions } from './orange-sms.options.js';
import { orangeSmsBackendProviders, orangeSmsOptionsProviders } from './orange-sms.providers.js';
import { OrangeSmsService } from './sending/orange-sms.service.js';
import { OrangeSmsSubscriptions } from './sending/orange-sms.subscriptions.js';
import { OrangeSmsStatsService } from './stats/orange-sms.stats.service.js';
import { OrangeSmsWebhookService } from './webhooks/orange-sms.webhook.service.js';

/**
 * `OrangeSmsModule.forRoot(options)` or `.forRootAsync({ imports, inject, useFactory | useClass |
 * useExisting })`; extras `isGlobal` (default true) and `webhooks`. Options are validated when the
 * application boots: one error lists every bad field.
 */
@Module({
  // Its own axios instance: the host's global axios interceptors and defaults never touch our calls.
  imports: [HttpModule.register({})],
  providers: [
    ...orangeSmsOptionsProviders,
    ...orangeSmsBackendProviders,
    OrangeSmsTelemetry,
    OrangeSmsTransport,
    OrangeSmsTokenProvider,
    OrangeSmsApiClient,
    OrangeSmsAccounts,
    OrangeSmsEventPublisher,
    OrangeSmsSubscriptions,
    OrangeSmsService,
    { provide: ORANGE_SMS_REPLY_SENDER, useExisting: OrangeSmsService },
    OrangeSmsStatsService,
    OrangeSmsInboxService,
    OrangeSmsEventDispatcher,
    OrangeSmsWebhookService,
  ],
  exports: [
    OrangeSmsService,
    OrangeSmsStatsService,
    OrangeSmsInboxService,
    OrangeSmsWebhookService,
    OrangeSmsEventDispatcher,
    OrangeSmsTelemetry,
    OrangeSmsTokenProvider,
    OrangeSmsAccounts,
    ORANGE_SMS_MODULE_OPTIONS,
    ORANGE_SMS_STORE,
    // For a host that mounts the webhook handlers itself behind OrangeSmsWebhookGuard.
    ORANGE_SMS_RESOLVED_OPTIONS,
    ORANGE_SMS_WEBHOOKS_CONFIG,
    ORANGE_SMS_WEBHOOK_SETTINGS,
    // For OrangeSmsQueueModule (nestjs-orange-sms/queue): its connections come from the redis option.
    ORANGE_SMS_REDIS,
  ],
})
export class OrangeSmsModule extends ConfigurableModuleClass {
  /**
   * `queue: { enabled: true, … }` is the deprecated form of `OrangeSmsQueueModule.forRoot({ … })`
   * (nestjs-orange-sms/queue): it imports exactly that module, with the same options.
   */
  static forRoot(options: OrangeSmsModuleForRootOptions): DynamicModule {
    const module = super.forRoot(options);
    const queue = options?.queue;
    if (!queue?.enabled) return module;
    return { ...module, imports: [...(module.imports ?? []), loadDeprecatedQueue(queue)] };
  }
}

/** Loaded only when the deprecated `queue` option is on: the optional `bullmq` packages. */
async function loadDeprecatedQueue(queue: NonNullable<OrangeSmsModuleOptions['queue']>): Promise<DynamicModule> {
  let queueModule: typeof import('./queue/orange-sms.queue.module.js');
  try {
    queueModule = await import('./queue/orange-sms.queue.module.js');
  } catch (error) {
    throw new OrangeSmsConfigurationError([
      {
        field: 'queue',
        reason: `needs the bullmq and @nestjs/bullmq packages (npm install bullmq @nestjs/bullmq): ${(error as Error).message}`,
      },
    ]);
  }
  const { enabled: _enabled, ...settings } = queue;
  return queueModule.OrangeSmsQueueModule.forRoot(settings);
}
