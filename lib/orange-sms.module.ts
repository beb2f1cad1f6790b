import { HttpModule } from '@nestjs/axios';
import { type DynamicModule, Module } from '@nestjs/common';
import { OrangeSmsTokenProvider } from './http/orange-sms.token-provider.js';
import { OrangeSmsEventDispatcher } from './events/orange-sms.event-dispatcher.js';
import { OrangeSmsEventPublisher } from './events/orange-sms.event-publisher.js';
import { OrangeSmsApiClient } from './http/orange-sms.api-client.js';
import {
  ORANGE_SMS_RATE_LIMITER,
  OrangeSmsLocalRateLimiter,
  OrangeSmsUnlimitedRateLimiter,
} from './http/orange-sms.rate-limiter.js';
import { OrangeSmsTransport } from './http/orange-sms.transport.js';
import { ORANGE_SMS_REDIS, ORANGE_SMS_REPLY_SENDER, ORANGE_SMS_RESOLVED_OPTIONS } from './orange-sms.constants.js';
import { ORANGE_SMS_TOKEN_CACHE } from './http/orange-sms.token-cache.js';
import { OrangeSmsConfigurationError } from './errors/orange-sms.errors.js';
import type { OrangeSmsRedisBackend } from './redis/orange-sms.redis-backend.js';
import {
  ConfigurableModuleClass,
  ORANGE_SMS_MODULE_OPTIONS,
  type OrangeSmsModuleForRootOptions,
} from './orange-sms.module-definition.js';
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
import { OrangeSmsTelemetry } from './observability/orange-sms.telemetry.js';

/**
 * `OrangeSmsModule.forRoot(options)` or `.forRootAsync({ imports, inject, useFactory | useClass |
 * useExisting })`; extras `isGlobal` (default true) and `webhooks`. Options are validated when the
 * application boots: one error lists every bad field.
 */
@Module({
  // Its own axios instance: the host's global axios interceptors and defaults never touch our calls.
  imports: [HttpModule.register({})],
  providers: [
    {
      provide: ORANGE_SMS_RESOLVED_OPTIONS,
      inject: [ORANGE_SMS_MODULE_OPTIONS],
      useFactory: (options: OrangeSmsModuleOptions) => resolveOrangeSmsOptions(options),
    },
    {
      provide: ORANGE_SMS_REDIS,
      inject: [ORANGE_SMS_RESOLVED_OPTIONS],
      useFactory: (options: OrangeSmsResolvedOptions) => (options.redis ? loadRedisBackend(options) : null),
    },
    {
      provide: ORANGE_SMS_STORE,
      inject: [ORANGE_SMS_RESOLVED_OPTIONS, ORANGE_SMS_REDIS],
      useFactory: (options: OrangeSmsResolvedOptions, redis: OrangeSmsRedisBackend | null) =>
        options.store ?? redis?.store ?? new OrangeSmsMemoryStore(),
    },
    {
      provide: ORANGE_SMS_RATE_LIMITER,
      inject: [ORANGE_SMS_RESOLVED_OPTIONS, ORANGE_SMS_REDIS],
      useFactory: (options: OrangeSmsResolvedOptions, redis: OrangeSmsRedisBackend | null) => {
        if (!options.rateLimit) return new OrangeSmsUnlimitedRateLimiter();
        return redis
          ? redis.rateLimiter(options.rateLimit, options.credentialKey)
          : new OrangeSmsLocalRateLimiter(options.rateLimit);
      },
    },
    {
      provide: ORANGE_SMS_TOKEN_CACHE,
      inject: [ORANGE_SMS_REDIS],
      useFactory: (redis: OrangeSmsRedisBackend | null) => redis?.tokenCache ?? null,
    },
    OrangeSmsTelemetry,
    OrangeSmsTransport,
    OrangeSmsTokenProvider,
    OrangeSmsApiClient,
    OrangeSmsEventPublisher,
    OrangeSmsSubscriptions,
    OrangeSmsService,
    { provide: ORANGE_SMS_REPLY_SENDER, useExisting: OrangeSmsService },
    OrangeSmsStatsService,
    OrangeSmsEventDispatcher,
    OrangeSmsWebhookService,
  ],
  exports: [
    OrangeSmsService,
    OrangeSmsStatsService,
    OrangeSmsWebhookService,
    OrangeSmsEventDispatcher,
    OrangeSmsTelemetry,
    OrangeSmsTokenProvider,
    ORANGE_SMS_MODULE_OPTIONS,
    ORANGE_SMS_STORE,
    // For a host that mounts the webhook handlers itself behind OrangeSmsWebhookGuard.
    ORANGE_SMS_RESOLVED_OPTIONS,
    ORANGE_SMS_WEBHOOKS_CONFIG,
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

/** Loaded only when `redis` is set, so the main entry never needs the optional `ioredis` package. */
async function loadRedisBackend(options: OrangeSmsResolvedOptions): Promise<OrangeSmsRedisBackend> {
  let backend: typeof import('./redis/orange-sms.redis-backend.js');
  try {
    backend = await import('./redis/orange-sms.redis-backend.js');
  } catch (error) {
    throw new OrangeSmsConfigurationError([
      { field: 'redis', reason: `needs the ioredis package (npm install ioredis): ${(error as Error).message}` },
    ]);
  }
  return new backend.OrangeSmsRedisBackend(options.redis!);
}
