import { OrangeSmsError, OrangeSmsOutcomeUnknownError } from '../errors/orange-sms.errors.js';
import type {
  OrangeSmsQueuedJob,
  OrangeSmsQueuedOutcome,
  OrangeSmsQueueSender,
} from '../interfaces/orange-sms.queue.interfaces.js';

/**
 * A worker's try at one message, through the core's send path. A try cut off after its request may
 * have been written (the worker was killed) is not repeated: the outcome is unknown, so it fails like
 * a lost connection.
 */
export async function processQueuedJob(
  sender: OrangeSmsQueueSender,
  job: OrangeSmsQueuedJob,
): Promise<OrangeSmsQueuedOutcome> {
  // Reports are fenced like the send: a worker that no longer holds the job (it froze past its lock,
  // or cannot tell) stays silent, since the job's current holder reports its outcome.
  const holdsLock = () => job.holdsLock().catch(() => false);
  if (job.interruptedInFlight) {
    const error = new OrangeSmsOutcomeUnknownError('a worker stopped while sending it');
    if (!(await holdsLock())) return { error, retry: false, lockLost: true };
    sender.reportFailure(job.input.to, error, job.input.reference, job.input.account);
    return { error, retry: false };
  }
  let marked: Promise<void> | undefined;
  try {
    // Marked only when the request is about to be written: a worker killed while waiting for its
    // pacing slot leaves a job that is safe to send again.
    await sender.send(job.input, () => (marked ??= job.markInFlight()));
    return { retry: false };
  } catch (error) {
    const failure = error instanceof OrangeSmsError ? error : new OrangeSmsError(String(error), { cause: error });
    const retry = sender.isRetryable(failure) && job.attempt < job.maxAttempts;
    // The outcome is known (Orange answered, or nothing was written): a later try is safe.
    if (retry && marked) await job.clearInFlight();
    else if (!(await holdsLock())) return { error: failure, retry: false, lockLost: true };
    else sender.reportFailure(job.input.to, failure, job.input.reference, job.input.account);
    return { error: failure, retry };
  }
}
