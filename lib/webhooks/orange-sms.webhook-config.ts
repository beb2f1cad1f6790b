import type { OrangeSmsResolvedOptions, OrangeSmsWebhookSettings } from '../orange-sms.options.js';

/** The `webhooks` extra of `forRoot`/`forRootAsync`: how the callback controller is mounted. */
export interface OrangeSmsWebhooksOptions {
  /** Mount the controller. Default true. */
  enabled?: boolean;
  /** Route prefix. Default `orange-sms/webhooks`. */
  path?: string;
  /** Class decorators for the generated controller, e.g. the host's `@Public()` or `@SkipThrottle()`. */
  decorators?: ClassDecorator[];
  /** @deprecated the option `webhookMaxBodyBytes` (which wins when both are given). */
  maxBodyBytes?: number;
  /** @deprecated the option `webhookAllowUnauthenticated` (which wins when both are given). */
  allowUnauthenticated?: boolean;
}

/** The settings that shape the module (the controller's route and decorators), from the extra. */
export interface OrangeSmsWebhooksConfig {
  enabled: boolean;
  path: string;
  decorators: ClassDecorator[];
  /** Deprecated aliases, kept until the options replace them (see `resolveWebhookSettings`). */
  maxBodyBytes?: number;
  allowUnauthenticated?: boolean;
}

export function resolveWebhooksConfig(options: OrangeSmsWebhooksOptions | undefined): OrangeSmsWebhooksConfig {
  return {
    enabled: options?.enabled ?? true,
    path: (options?.path ?? 'orange-sms/webhooks').replace(/^\/+|\/+$/g, ''),
    decorators: options?.decorators ?? [],
    maxBodyBytes: options?.maxBodyBytes,
    allowUnauthenticated: options?.allowUnauthenticated,
  };
}

/** Every webhook setting in one place: the options, then the extra's deprecated aliases, then defaults. */
export function resolveWebhookSettings(
  options: OrangeSmsResolvedOptions,
  extra: OrangeSmsWebhooksConfig,
): OrangeSmsWebhookSettings {
  return {
    secrets: options.webhookSecrets,
    allowedIps: options.webhookAllowedIps,
    trustedProxyHops: options.webhookTrustProxy,
    maxBodyBytes: options.webhookMaxBodyBytes ?? extra.maxBodyBytes ?? 64 * 1024,
    allowUnauthenticated: options.webhookAllowUnauthenticated ?? extra.allowUnauthenticated ?? false,
    optOut: options.optOut,
    orangeTimeZone: options.orangeTimeZone,
  };
}
