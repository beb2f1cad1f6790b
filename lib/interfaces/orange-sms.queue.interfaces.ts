import type { OrangeSmsError } from '../errors/orange-sms.errors.js';
import type { SendSmsInput, SentSms } from './orange-sms.message.interfaces.js';

/** Returned by `enqueue`: the message will be sent by a worker in some instance. */
export interface EnqueuedSms {
  /** The queue's job id (derived from `reference`). */
  jobId: string;
  /** Your reference, or a generated one; the sent message carries it (`listMessages({ reference })`). */
  reference: string;
}

/** A checked message as it is put on the queue. */
export type QueuedSmsInput = SendSmsInput & { reference: string };

/** One queued message as a worker sees it. */
export interface OrangeSmsQueuedJob {
  input: QueuedSmsInput;
  /** 1 for the first try. */
  attempt: number;
  maxAttempts: number;
  /** True when an earlier try was cut off (process killed) after the request may have been written. */
  interruptedInFlight: boolean;
  /** Records that the request is about to be written; cleared when its outcome is known. */
  markInFlight(): Promise<void>;
  clearInFlight(): Promise<void>;
  /**
   * Whether this worker still holds the job. A worker that froze past its lock must not report a
   * failure: the worker that took the job over reports its outcome (it may well have sent it).
   */
  holdsLock(): Promise<boolean>;
}

/** A worker's verdict on one try: `retry: false` makes the failure final (no further try). */
export interface OrangeSmsQueuedOutcome {
  error?: Error;
  retry: boolean;
  lockLost?: boolean;
}

/** The producer side `OrangeSmsService.enqueue` delegates to; provided by `OrangeSmsQueueModule`. */
export interface OrangeSmsQueueProducer {
  add(input: QueuedSmsInput): Promise<EnqueuedSms>;
  addBulk(inputs: QueuedSmsInput[]): Promise<EnqueuedSms[]>;
}

/**
 * What the queue needs from the core's send path, and nothing more: not part of the public service.
 * `send` paces, sends and tracks like `send()` but leaves failure reports to the queue (which fences
 * them by the job lock); `beforeWrite` runs just before the request is written.
 */
export interface OrangeSmsQueueSender {
  send(input: SendSmsInput, beforeWrite: () => Promise<void>): Promise<SentSms>;
  reportFailure(to: unknown, error: OrangeSmsError, reference?: string, account?: string): void;
  isRetryable(error: OrangeSmsError): boolean;
}
