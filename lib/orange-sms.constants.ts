/** Injection token of the validated options with defaults filled (internal; hosts use the module options token). */
export const ORANGE_SMS_RESOLVED_OPTIONS = 'ORANGE_SMS_RESOLVED_OPTIONS';

/** Narrow configuration providers, each a slice of the validated options for the classes that need it (internal). */
export const ORANGE_SMS_HTTP_CONFIG = 'ORANGE_SMS_HTTP_CONFIG';
export const ORANGE_SMS_SENDING_CONFIG = 'ORANGE_SMS_SENDING_CONFIG';
export const ORANGE_SMS_WEBHOOK_SETTINGS = 'ORANGE_SMS_WEBHOOK_SETTINGS';
export const ORANGE_SMS_LISTENER_RETRY_CONFIG = 'ORANGE_SMS_LISTENER_RETRY_CONFIG';
export const ORANGE_SMS_ACCOUNTS_CONFIG = 'ORANGE_SMS_ACCOUNTS_CONFIG';
/** IANA zone of the zone-less times Orange sends (the `orangeTimeZone` option). */
export const ORANGE_SMS_TIME_ZONE = 'ORANGE_SMS_TIME_ZONE';

/** Injection token of what inbound events' `reply()` sends through: the module's `OrangeSmsService` (internal). */
export const ORANGE_SMS_REPLY_SENDER = 'ORANGE_SMS_REPLY_SENDER';

/** Injection token of the PostgreSQL backend, or null without the `postgres` option (internal). */
export const ORANGE_SMS_POSTGRES = 'ORANGE_SMS_POSTGRES';

/** Injection token of the Redis backend, or null without the `redis` option (internal). */
export const ORANGE_SMS_REDIS = 'ORANGE_SMS_REDIS';

/** Injection token of the queue module's validated options (internal; `OrangeSmsQueueModule`). */
export const ORANGE_SMS_QUEUE_OPTIONS = 'ORANGE_SMS_QUEUE_OPTIONS';

/** Injection token of the queue module's Redis connections, the host's Bull one or its own (internal). */
export const ORANGE_SMS_QUEUE_CONNECTIONS = 'ORANGE_SMS_QUEUE_CONNECTIONS';

/** Logger context of every log line the module writes. */
export const ORANGE_SMS_LOGGER_CONTEXT = 'OrangeSms';

/** Orange's paths (API reference §1, §2, §3.1, §5). */
export const ORANGE_SMS_PATHS = {
  token: '/oauth/v3/token',
  outbound: (senderAddress: string) => `/smsmessaging/v1/outbound/${encodeURIComponent(senderAddress)}/requests`,
  subscriptions: (senderAddress: string) =>
    `/smsmessaging/v1/outbound/${encodeURIComponent(senderAddress)}/subscriptions`,
  subscription: (id: string) => `/smsmessaging/v1/outbound/subscriptions/${encodeURIComponent(id)}`,
  contracts: '/sms/admin/v1/contracts',
  statistics: '/sms/admin/v1/statistics',
  purchaseOrders: '/sms/admin/v1/purchaseorders',
} as const;

/** Query parameter that restricts a send to Orange subscribers (on-net offer). */
export const ORANGE_SMS_ON_NET_QUERY = { resource_type_parameter_management: 'SMS_OCB2' } as const;

/** Injection token of the options of OrangeSmsMetricsModule. */
export const ORANGE_SMS_METRICS_OPTIONS = 'ORANGE_SMS_METRICS_OPTIONS';

/** Injection token of the send pacing in use. */
export const ORANGE_SMS_RATE_LIMITER = 'ORANGE_SMS_RATE_LIMITER';

/** Injection token of the access-token cache in use. */
export const ORANGE_SMS_TOKEN_CACHE = 'ORANGE_SMS_TOKEN_CACHE';

/** Injection token of the store in use. */
export const ORANGE_SMS_STORE = 'ORANGE_SMS_STORE';

/** Injection token of the resolved webhook settings (internal). */
export const ORANGE_SMS_WEBHOOKS_CONFIG = 'ORANGE_SMS_WEBHOOKS_CONFIG';

/**
 * The link between `OrangeSmsService` and the queue module, keyed by a symbol the main entry does not
 * export: `service[ORANGE_SMS_QUEUE_LINK](producer)` attaches the queue's producer (for `enqueue`) and
 * returns the internal sender the processor uses.
 */
export const ORANGE_SMS_QUEUE_LINK: unique symbol = Symbol.for('nestjs-orange-sms.queue-link');
