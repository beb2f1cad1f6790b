import type { SendSmsInput } from '../sending/orange-sms.interfaces.js';

/** Returned by `enqueue`: the message will be sent by a worker in some instance. */
export interface EnqueuedSms {
  /** The queue's job id (derived from `reference`). */
  jobId: string;
  /** Your reference, or a generated one; the sent message carries it (`listMessages({ reference })`). */
  reference: string;
}

/** One queued message as a worker sees it; the queue's own types stay in the optional subpath. */
export interface OrangeSmsQueuedJob {
  input: SendSmsInput & { reference: string };
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

/** What a worker does with a job: `retry: false` makes the failure final (no further try). */
export type OrangeSmsQueueProcessor = (
  job: OrangeSmsQueuedJob,
) => Promise<{ error?: Error; retry: boolean; lockLost?: boolean }>;

/** A job that ended without being sent, as BullMQ ended it (not through the processor's verdict). */
export interface OrangeSmsQueueFailure {
  input: SendSmsInput & { reference: string };
  /** BullMQ's reason, e.g. an error raised before the processor could run. */
  reason: string;
  /** The job carried an in-flight mark: its request may have reached Orange. */
  mayHaveBeenSent: boolean;
}

/** The producer side the service uses, and the worker lifecycle; implemented on BullMQ in this folder. */
export interface OrangeSmsQueueBackend {
  add(input: SendSmsInput & { reference: string }): Promise<EnqueuedSms>;
  addBulk(inputs: Array<SendSmsInput & { reference: string }>): Promise<EnqueuedSms[]>;
  /** `onFailure`: jobs that end failed without the processor's verdict, once each (for SmsFailed). */
  startWorker(processor: OrangeSmsQueueProcessor, onFailure?: (failure: OrangeSmsQueueFailure) => void): void;
  /** Stops taking jobs, finishes the ones in flight, closes connections. */
  close(): Promise<void>;
}

export const ORANGE_SMS_QUEUE = 'ORANGE_SMS_QUEUE';
