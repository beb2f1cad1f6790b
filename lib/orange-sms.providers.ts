/**
 * The module's provider factories. Each class gets the narrow slice of the validated options it
 * needs (HTTP, sending, accounts, webhooks, listener retry, time zone), never the whole bag; the store, the
 * pacing and the token cache are chosen here from the options, so no constructor `new`s a policy.
 */
import type { Provider } from '@nestjs/common';
import { OrangeSmsConfigurationError } from './errors/orange-sms.errors.js';
import { createRateLimiter } from './http/orange-sms.rate-limiter.js';
import { OrangeSmsRetryPolicy } from './http/orange-sms.retry-policy.js';
import {
  ORANGE_SMS_ACCOUNTS_CONFIG,
  ORANGE_SMS_HTTP_CONFIG,
  ORANGE_SMS_LISTENER_RETRY_CONFIG,
  ORANGE_SMS_POSTGRES,
  ORANGE_SMS_RATE_LIMITER,
  ORANGE_SMS_REDIS,
  ORANGE_SMS_RESOLVED_OPTIONS,
  ORANGE_SMS_SENDING_CONFIG,
  ORANGE_SMS_STORE,
  ORANGE_SMS_TIME_ZONE,
  ORANGE_SMS_TOKEN_CACHE,
  ORANGE_SMS_WEBHOOKS_CONFIG,
  ORANGE_SMS_WEBHOOK_SETTINGS,
} from './orange-sms.constants.js';
import { ORANGE_SMS_MODULE_OPTIONS } from './orange-sms.module-definition.js';
import {
  type OrangeSmsAccountsConfig,
  type OrangeSmsHttpConfig,
  type OrangeSmsModuleOptions,
  type OrangeSmsResolvedOptions,
  type OrangeSmsSendingConfig,
  resolveOrangeSmsOptions,
} from './orange-sms.options.js';
import type { OrangeSmsPostgresBackend } from './postgres/orange-sms.postgres-backend.js';
import type { OrangeSmsRedisBackend } from './redis/orange-sms.redis-backend.js';
import { OrangeSmsMemoryStore } from './tracking/orange-sms.memory-store.js';
import { type OrangeSmsWebhooksConfig, resolveWebhookSettings } from './webhooks/orange-sms.webhook-config.js';

/** A provider computed from the validated options alone. */
function fromOptions<T>(
  provide: string | symbol | (abstract new (...args: never[]) => T),
  pick: (options: OrangeSmsResolvedOptions) => T,
): Provider {
  return { provide, inject: [ORANGE_SMS_RESOLVED_OPTIONS], useFactory: pick };
}

export const orangeSmsOptionsProviders: Provider[] = [
  {
    provide: ORANGE_SMS_RESOLVED_OPTIONS,
    inject: [ORANGE_SMS_MODULE_OPTIONS],
    // Validated when the application boots: one error lists every bad field.
    useFactory: (options: OrangeSmsModuleOptions) => resolveOrangeSmsOptions(options),
  },
  fromOptions<OrangeSmsHttpConfig>(
    ORANGE_SMS_HTTP_CONFIG,
    ({ baseUrl, timeoutMs, authorizationHeader, credentialKey }) => ({
      baseUrl,
      timeoutMs,
      authorizationHeader,
      credentialKey,
    }),
  ),
  fromOptions<OrangeSmsSendingConfig>(
    ORANGE_SMS_SENDING_CONFIG,
    ({ senderAddress, senderName, defaultCountry, maxSegments, optOut }) => ({
      senderAddress,
      senderName,
      defaultCountry,
      maxSegments,
      optOut,
    }),
  ),
  {
    provide: ORANGE_SMS_ACCOUNTS_CONFIG,
    inject: [ORANGE_SMS_RESOLVED_OPTIONS, ORANGE_SMS_SENDING_CONFIG, ORANGE_SMS_HTTP_CONFIG],
    useFactory: (
      { accounts, resolveAccount, rateLimit }: OrangeSmsResolvedOptions,
      sending: OrangeSmsSendingConfig,
      http: OrangeSmsHttpConfig,
    ): OrangeSmsAccountsConfig => ({ sending, http, accounts, resolveAccount, rateLimit }),
  },
  fromOptions(OrangeSmsRetryPolicy, (options) => new OrangeSmsRetryPolicy(options.retry, options.timeoutMs)),
  fromOptions(ORANGE_SMS_LISTENER_RETRY_CONFIG, (options) => options.listenerRetry),
  fromOptions(ORANGE_SMS_TIME_ZONE, (options) => options.orangeTimeZone),
  {
    provide: ORANGE_SMS_WEBHOOK_SETTINGS,
    inject: [ORANGE_SMS_RESOLVED_OPTIONS, ORANGE_SMS_WEBHOOKS_CONFIG],
    useFactory: (options: OrangeSmsResolvedOptions, extra: OrangeSmsWebhooksConfig) =>
      resolveWebhookSettings(options, extra),
  },
];

export const orangeSmsBackendProviders: Provider[] = [
  fromOptions(ORANGE_SMS_REDIS, (options) => (options.redis ? loadRedisBackend(options) : null)),
  fromOptions(ORANGE_SMS_POSTGRES, (options) => (options.postgres ? loadPostgresBackend(options) : null)),
  {
    provide: ORANGE_SMS_STORE,
    inject: [ORANGE_SMS_RESOLVED_OPTIONS, ORANGE_SMS_POSTGRES, ORANGE_SMS_REDIS],
    // The records: your store, else PostgreSQL, else Redis (with postgres set, Redis keeps only
    // token, pacing and queue), else memory.
    useFactory: (
      options: OrangeSmsResolvedOptions,
      postgres: OrangeSmsPostgresBackend | null,
      redis: OrangeSmsRedisBackend | null,
    ) => options.store ?? postgres?.store ?? redis?.store ?? new OrangeSmsMemoryStore(),
  },
  {
    provide: ORANGE_SMS_RATE_LIMITER,
    inject: [ORANGE_SMS_RESOLVED_OPTIONS, ORANGE_SMS_REDIS],
    useFactory: (options: OrangeSmsResolvedOptions, redis: OrangeSmsRedisBackend | null) =>
      createRateLimiter(options.rateLimit, options.credentialKey, redis, options.timeoutMs),
  },
  {
    provide: ORANGE_SMS_TOKEN_CACHE,
    inject: [ORANGE_SMS_REDIS],
    useFactory: (redis: OrangeSmsRedisBackend | null) => redis?.tokenCache ?? null,
  },
];

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

/** Loaded only when `postgres` is set: the optional `pg` package. Migrated before anything uses it. */
async function loadPostgresBackend(options: OrangeSmsResolvedOptions): Promise<OrangeSmsPostgresBackend> {
  let backend: typeof import('./postgres/orange-sms.postgres-backend.js');
  try {
    backend = await import('./postgres/orange-sms.postgres-backend.js');
  } catch (error) {
    throw new OrangeSmsConfigurationError([
      { field: 'postgres', reason: `needs the pg package (npm install pg): ${(error as Error).message}` },
    ]);
  }
  return new backend.OrangeSmsPostgresBackend(options.postgres!).start();
}
