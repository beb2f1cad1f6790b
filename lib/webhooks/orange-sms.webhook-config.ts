import type { OrangeSmsWebhooksOptions } from '../interfaces/orange-sms.webhook.interfaces.js';
import type { OrangeSmsResolvedOptions, OrangeSmsWebhookSettings } from '../orange-sms.options.js';

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
