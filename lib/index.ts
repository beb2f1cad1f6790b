export { OrangeSmsModule } from './orange-sms.module.js';
export {
  ORANGE_SMS_MODULE_OPTIONS,
  type OrangeSmsModuleExtras,
  type OrangeSmsModuleForRootAsyncOptions,
  type OrangeSmsModuleForRootOptions,
} from './orange-sms.module-definition.js';
export {
  ORANGE_SMS_DEFAULT_BASE_URL,
  type OrangeSmsValidatedSender,
  validateOrangeSmsOptions,
} from './orange-sms.options.js';
export type {
  OrangeSmsListenerRetryOptions,
  OrangeSmsAccountOptions,
  OrangeSmsModuleOptions,
  OrangeSmsOptOutOptions,
  OrangeSmsQueueOptions,
  OrangeSmsRateLimitOptions,
  OrangeSmsRedisOptions,
  OrangeSmsRetryOptions,
} from './interfaces/orange-sms.options.interfaces.js';

export { OrangeSmsService } from './sending/orange-sms.service.js';
export type {
  BulkSendItemResult,
  BulkSendResult,
  SendManyOptions,
  SendSmsInput,
  SentSms,
} from './interfaces/orange-sms.message.interfaces.js';
export type {
  DeliveryReceiptSubscription,
  SubscribeDeliveryReceiptsInput,
} from './interfaces/orange-sms.subscription.interfaces.js';

export type { EnqueuedSms } from './interfaces/orange-sms.queue.interfaces.js';
export { OrangeSmsTelemetry } from './observability/orange-sms.telemetry.js';
export type {
  OrangeSmsLastCall,
  OrangeSmsOperation,
  OrangeSmsTelemetryEvent,
  OrangeSmsWebhookOutcome,
} from './interfaces/orange-sms.telemetry.interfaces.js';
export { OrangeSmsTokenProvider } from './http/orange-sms.token-provider.js';

export { OrangeSmsStatsService } from './stats/orange-sms.stats.service.js';
export { OrangeSmsInboxService } from './inbox/orange-sms.inbox.service.js';
export type {
  InboundSms,
  OrangeSmsConversationEntry,
  OrangeSmsConversationOptions,
  OrangeSmsInboxFilter,
  OrangeSmsInboxPage,
} from './interfaces/orange-sms.inbox.interfaces.js';
export type {
  OrangeSmsBalance,
  OrangeSmsContract,
  OrangeSmsContractState,
  OrangeSmsDeliveryCounts,
  OrangeSmsDeliveryStats,
  OrangeSmsDeliveryStatsOptions,
  OrangeSmsPurchaseOrder,
  OrangeSmsExportOptions,
  OrangeSmsReport,
  OrangeSmsReportOptions,
  OrangeSmsReportRow,
  OrangeSmsUsage,
  OrangeSmsUsageEntry,
} from './interfaces/orange-sms.stats.interfaces.js';

export type { OrangeSmsStore } from './interfaces/orange-sms.store.interfaces.js';
export type {
  OrangeSmsAggregateQuery,
  OrangeSmsAggregateRow,
  OrangeSmsReportGroupBy,
  OrangeSmsReportInterval,
} from './interfaces/orange-sms.aggregate.interfaces.js';
export { ORANGE_SMS_STORE } from './orange-sms.constants.js';
export { OrangeSmsMemoryStore } from './tracking/orange-sms.memory-store.js';
export type { OrangeSmsMemoryStoreOptions } from './interfaces/orange-sms.memory-store.interfaces.js';
export { isFinalStatus, type OrangeSmsStatus } from './tracking/orange-sms.status.js';
export type {
  OrangeSmsMessageFilter,
  OrangeSmsMessagePage,
  OrangeSmsMessagePageFilter,
  OrangeSmsMessagePosition,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
  TrackedSmsHistoryEntry,
} from './interfaces/orange-sms.tracking.interfaces.js';
export type { SmsSegments } from './sending/orange-sms.segments.js';
export { countrySenderAddress, ORANGE_SMS_COUNTRIES, type OrangeSmsCountry } from './addresses/orange-sms.countries.js';
export { maskPhoneNumber } from './logging/orange-sms.mask.js';

export {
  DeliveryReceiptEvent,
  InboundSmsEvent,
  type InboundSenderKind,
  type InboundSmsReply,
  type OrangeDeliveryStatus,
  OrangeSmsEvents,
  type OrangeSmsEventName,
  SmsFailedEvent,
  SmsSentEvent,
} from './events/orange-sms.events.js';
export {
  OnDeliveryReceipt,
  type OnDeliveryReceiptFilter,
  OnInboundSms,
  type OnInboundSmsFilter,
  OnSmsFailed,
  OnSmsSent,
  type OrangeSmsListenerOptions,
} from './events/orange-sms.decorators.js';

export { type OrangeSmsWebhookResult, OrangeSmsWebhookService } from './webhooks/orange-sms.webhook.service.js';
export { OrangeSmsWebhookGuard } from './webhooks/orange-sms.webhook.guard.js';
export { OrangeSmsEventDispatcher, type OrangeSmsRedeliveryResult } from './events/orange-sms.event-dispatcher.js';
export type {
  DeliveryReceiptEventData,
  InboundSmsEventData,
  OrangeSmsStoredEvent,
} from './interfaces/orange-sms.event.interfaces.js';
export type { OrangeSmsWebhooksOptions } from './interfaces/orange-sms.webhook.interfaces.js';
export { safeLogText } from './logging/orange-sms.safe-log-text.js';

export {
  OrangeSmsApiError,
  type OrangeSmsApiErrorDetails,
  OrangeSmsAuthError,
  OrangeSmsConfigurationError,
  OrangeSmsModuleMissingError,
  OrangeSmsConnectionError,
  OrangeSmsError,
  OrangeSmsOptedOutError,
  OrangeSmsStoreError,
  OrangeSmsOutcomeUnknownError,
  OrangeSmsRateLimitError,
  OrangeSmsTimeoutError,
  OrangeSmsUnknownAccountError,
  OrangeSmsValidationError,
} from './errors/orange-sms.errors.js';
export {
  OrangeSmsExceptionFilter,
  type OrangeSmsHttpAnswer,
  orangeSmsHttpAnswer,
} from './errors/orange-sms.exception-filter.js';
