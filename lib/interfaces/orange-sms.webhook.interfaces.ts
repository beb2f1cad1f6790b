/** The `webhooks` extra of `forRoot`/`forRootAsync`: how the callback controller is mounted. */
export interface OrangeSmsWebhooksOptions {
  /**
   * Mount the controller. Default true.
   * @default true
   */
  enabled?: boolean;
  /**
   * Route prefix. Default `orange-sms/webhooks`.
   * @default 'orange-sms/webhooks'
   */
  path?: string;
  /**
   * Class decorators for the generated controller, e.g. the host's `@Public()` or `@SkipThrottle()`.
   * @default []
   */
  decorators?: ClassDecorator[];
  /** @deprecated the option `webhookMaxBodyBytes` (which wins when both are given). */
  maxBodyBytes?: number;
  /** @deprecated the option `webhookAllowUnauthenticated` (which wins when both are given). */
  allowUnauthenticated?: boolean;
}
