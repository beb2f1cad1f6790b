import { ORANGE_SMS_WEBHOOKS_CONFIG } from '../orange-sms.constants.js';
/** The `webhooks` extra of `forRoot`/`forRootAsync`: how the callback controller is mounted. */
export interface OrangeSmsWebhooksOptions {
  /** Mount the controller. Default true. */
  enabled?: boolean;
  /** Route prefix. Default `orange-sms/webhooks`. */
  path?: string;
  /** Class decorators for the generated controller, e.g. the host's `@Public()` or `@SkipThrottle()`. */
  decorators?: ClassDecorator[];
  /**
   * Larger bodies get 413 (Orange's are well under 1 KiB). Default 64 KiB. Checked on the declared
   * `Content-Length` and on the decoded body (chunked or gzip/deflate bodies included), after the
   * platform's body parser, whose own limit (Express 100 KB decoded, Fastify 1 MiB) bounds memory.
   */
  maxBodyBytes?: number;
  /**
   * Accept webhook calls without `webhookSecret`. Off by default: the module refuses to boot with the
   * controller on and no secret, because Orange does not sign its callbacks.
   */
  allowUnauthenticated?: boolean;
}

export interface OrangeSmsWebhooksConfig {
  enabled: boolean;
  path: string;
  decorators: ClassDecorator[];
  maxBodyBytes: number;
  allowUnauthenticated: boolean;
}

// The token lives with every other injection token; this path keeps importing it.
export { ORANGE_SMS_WEBHOOKS_CONFIG };

export function resolveWebhooksConfig(options: OrangeSmsWebhooksOptions | undefined): OrangeSmsWebhooksConfig {
  return {
    enabled: options?.enabled ?? true,
    path: (options?.path ?? 'orange-sms/webhooks').replace(/^\/+|\/+$/g, ''),
    decorators: options?.decorators ?? [],
    maxBodyBytes: options?.maxBodyBytes ?? 64 * 1024,
    allowUnauthenticated: options?.allowUnauthenticated ?? false,
  };
}
