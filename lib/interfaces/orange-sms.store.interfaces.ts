import type { InboundSms, OrangeSmsInboxFilter, OrangeSmsInboxPage } from './orange-sms.inbox.interfaces.js';
import type { OrangeSmsStoredEvent } from './orange-sms.event.interfaces.js';
import type { OrangeSmsAggregateQuery, OrangeSmsAggregateRow } from './orange-sms.aggregate.interfaces.js';
import type {
  OrangeSmsNotificationTake,
  OrangeSmsNotificationTaken,
  OrangeSmsMessageFilter,
  OrangeSmsStatusResult,
  OrangeSmsStatusUpdate,
  TrackedSms,
} from './orange-sms.tracking.interfaces.js';

/**
 * Where sent messages, their delivery status, notification dedupe, the opt-out list and the event
 * outbox live. The default keeps them in memory; a shared store (Redis) lets every instance of a
 * fleet see them all. Implementations must make `applyDeliveryStatus`, `takeNotification` and
 * `claimEvent` atomic: a status only moves forward and a notification is taken once, even when two
 * replicas race.
 */
export interface OrangeSmsStore {
  saveMessage(message: TrackedSms): Promise<void>;
  getMessage(id: string): Promise<TrackedSms | undefined>;
  /** Matching messages, most recently submitted first. */
  listMessages(filter?: OrangeSmsMessageFilter): Promise<TrackedSms[]>;
  /**
   * Applies a receipt through the status state machine. A receipt for an id the store does not know
   * (yet) is kept and applied when `saveMessage` brings that id, so an early receipt is not lost.
   */
  applyDeliveryStatus(id: string, update: OrangeSmsStatusUpdate): Promise<OrangeSmsStatusResult>;

  /**
   * Takes one notification from Orange as ONE atomic operation: dedupe, the status change (a receipt)
   * or the opt-out change (an inbound STOP/START), and the outbox record. It happens whole or not at
   * all. Replayed with the same `attempt` (a client resending after a lost reply), it answers as the
   * first time did and changes nothing; a new attempt for a key already taken is a duplicate.
   */
  takeNotification(take: OrangeSmsNotificationTake): Promise<OrangeSmsNotificationTaken>;

  /**
   * Claims an outbox event for `leaseMs` (atomic: one claimant wins). Used by the sweep that delivers
   * events an instance left behind when it died.
   */
  claimEvent(id: string, leaseMs: number): Promise<boolean>;

  /** Opt-out list, keyed by `tel:+…`. */
  setOptedOut(number: string, optedOut: boolean): Promise<void>;
  isOptedOut(number: string): Promise<boolean>;

  /**
   * Inbound SMS, for `OrangeSmsInboxService` (recorded by `takeNotification`). Optional so that stores
   * written before them still work for everything else; the inbox service names what is missing.
   */
  getInbound?(id: string): Promise<InboundSms | undefined>;
  /** Matching inbound messages, most recent first, a page at a time. */
  listInbound?(filter: OrangeSmsInboxFilter): Promise<OrangeSmsInboxPage>;
  /** Marks one handled (atomic; marking it again changes nothing). Undefined for an unknown id. */
  markInboundHandled?(id: string, at: Date): Promise<InboundSms | undefined>;

  /**
   * Counts for reports and delivery statistics without reading the messages (SQL on PostgreSQL,
   * counters kept with each status change on Redis). Without it, the messages of the window are read
   * a page at a time and counted by the caller.
   */
  aggregateMessages?(query: OrangeSmsAggregateQuery): Promise<OrangeSmsAggregateRow[]>;

  /** Event outbox: recorded before Orange's notification is acknowledged. */
  saveEvent(event: OrangeSmsStoredEvent): Promise<void>;
  deleteEvent(id: string): Promise<void>;
  listEvents(filter?: { state?: OrangeSmsStoredEvent['state'] }): Promise<OrangeSmsStoredEvent[]>;
}

/** The methods every store has (the inbox's are optional): what `store` is checked against at boot. */
export const ORANGE_SMS_STORE_METHODS = [
  'saveMessage',
  'getMessage',
  'listMessages',
  'applyDeliveryStatus',
  'takeNotification',
  'claimEvent',
  'setOptedOut',
  'isOptedOut',
  'saveEvent',
  'deleteEvent',
  'listEvents',
] as const satisfies readonly (keyof OrangeSmsStore)[];
