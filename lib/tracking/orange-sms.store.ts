import type {
  OrangeSmsMessageFilter,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
} from './orange-sms.tracked-sms.js';

/**
 * Where sent messages and their delivery status live. The default keeps them in memory; a shared
 * store (Redis) lets every instance of a fleet see every message. Implementations must make
 * `applyDeliveryStatus` atomic per message: a final status is never left, even under races.
 */
export interface OrangeSmsStore {
  saveMessage(message: TrackedSms): Promise<void>;
  getMessage(id: string): Promise<TrackedSms | undefined>;
  /** Matching messages, most recently submitted first. */
  listMessages(filter?: OrangeSmsMessageFilter): Promise<TrackedSms[]>;
  /** Applies a receipt through the status state machine. */
  applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult>;
}

/** Injection token of the store in use. */
export const ORANGE_SMS_STORE = 'ORANGE_SMS_STORE';
