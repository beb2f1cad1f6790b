import { createHash } from 'node:crypto';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { type Job, type Queue, UnrecoverableError } from 'bullmq';
import { OrangeSmsError, OrangeSmsOutcomeUnknownError } from '../errors/orange-sms.errors.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import { storeError, withDeadline } from '../redis/orange-sms.redis-backend.js';
import type { OrangeSmsQueueSender, QueuedSmsInput } from '../interfaces/orange-sms.queue.interfaces.js';
import { processQueuedJob } from './orange-sms.queue-processing.js';
import type { OrangeSmsQueueConnections } from './orange-sms.queue.connections.js';
import type { OrangeSmsResolvedQueueModuleOptions } from './orange-sms.queue.options.js';

/** `inFlight` in the data: jobs written by versions before the fenced mark. */
export type OrangeSmsJobData = QueuedSmsInput & { inFlight?: boolean };

/** Job hash field holding the token of the worker that is writing the request. */
const IN_FLIGHT_FIELD = 'osmsInFlight';
const FENCED_MARK_COMMAND = 'orangeSmsFencedMark';

/**
 * The fence: the in-flight mark is written only while this worker's token is still the job's BullMQ
 * lock. A worker that froze past its lock (GC, SIGSTOP, a suspended VM) finds another token (or none)
 * and never writes the request, since another worker has taken the job over.
 * KEYS: job hash, job lock. ARGV: token, field, 'set' | 'clear'. Returns 1 when done, 0 when the lock
 * is not ours.
 */
const FENCED_MARK = `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[3] == 'set' then redis.call('HSET', KEYS[1], ARGV[2], ARGV[1]) else redis.call('HDEL', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * BullMQ never fails a job for stalling: a stall only means the worker holding it died or froze, and
 * the fenced in-flight mark already decides what is safe. A job taken over before its mark never
 * reached Orange and is simply sent (however often that happens, e.g. while it waited for its pacing
 * slot); one taken over after its mark is failed by the processor as outcome-unknown, never resent.
 */
const UNLIMITED_STALLS = Number.MAX_SAFE_INTEGER;

/** BullMQ ids may not contain ':' nor be integers: a hash of the reference is neither. */
export function jobIdOf(reference: string): string {
  return `sms-${createHash('sha256').update(reference).digest('base64url').slice(0, 32)}`;
}

/**
 * The queue's `WorkerHost`: each job goes through the core's send path with the fenced in-flight mark.
 * Every job that ends without being sent is reported once with `SmsFailed`, whatever ended it (our
 * verdict, or BullMQ itself). Extend it to add `@OnWorkerEvent` handlers of your own, and pass the
 * subclass as `OrangeSmsQueueModule.forRoot({ processor })` (keep the constructor's signature).
 */
export class OrangeSmsQueueProcessor extends WorkerHost implements OnApplicationBootstrap {
  /** Jobs whose final failure our processor already reported (SmsFailed), so BullMQ's event is not. */
  private readonly reported = new Set<string>();
  private markDefined?: Promise<unknown>;

  constructor(
    protected readonly queue: Queue<OrangeSmsJobData>,
    options: OrangeSmsResolvedQueueModuleOptions,
    private readonly connections: OrangeSmsQueueConnections,
    private readonly sender: OrangeSmsQueueSender,
  ) {
    super();
    // Worker options are known only now (the connection is decided at boot); the registrar reads
    // them when the module initialises, after every provider is built.
    Processor(
      { name: options.name, ...(options.configKey ? { configKey: options.configKey } : {}) },
      {
        ...(connections.worker ? { connection: connections.worker } : {}),
        ...(connections.prefix ? { prefix: connections.prefix } : {}),
        concurrency: options.concurrency,
        // A killed or frozen worker's job is taken over within seconds, not the default 30.
        lockDuration: options.lockDurationMs,
        stalledInterval: options.stalledIntervalMs,
        maxStalledCount: UNLIMITED_STALLS,
        // Started once the app's listeners are attached (onApplicationBootstrap).
        autorun: false,
      },
    )(this.constructor as new (...args: never[]) => unknown);
    connections.onBootFailure(() =>
      (this as unknown as { _worker?: { close(force: boolean): Promise<void> } })._worker?.close(true),
    );
  }

  onApplicationBootstrap(): void {
    this.worker.run().catch((error: unknown) => this.connections.onError(error));
  }

  async process(job: Job<OrangeSmsJobData>, token?: string): Promise<void> {
    const lockToken = token ?? job.token ?? '';
    const { inFlight, ...input } = job.data;
    const markedBefore = inFlight === true || (await this.inFlightMark(job.id!)) !== null;
    let lockLost!: () => void;
    const lost = new Promise<'lost'>((resolve) => (lockLost = () => resolve('lost')));
    const mark = async (action: 'set' | 'clear'): Promise<boolean> => {
      const done = await this.bounded('queue in-flight mark', this.runFencedMark(job.id!, lockToken, action));
      return Number(done) === 1;
    };
    const outcome = await Promise.race([
      processQueuedJob(this.sender, {
        input,
        attempt: job.attemptsMade + 1,
        maxAttempts: job.opts.attempts ?? 1,
        interruptedInFlight: markedBefore,
        markInFlight: async () => {
          if (await mark('set')) return;
          // Another worker holds the job now and reports its outcome: this send is abandoned without
          // a word (the promise never settles, so nothing is written and nothing is reported here).
          lockLost();
          await new Promise<never>(() => undefined);
        },
        clearInFlight: async () => {
          await mark('clear');
        },
        holdsLock: async () => {
          const lock = await this.bounded(
            'queue lock check',
            this.redisSide().client.then((client) => client.get(`${this.jobKey(job.id!)}:lock`)),
          );
          return lock === lockToken;
        },
      }),
      lost,
    ]);
    if (outcome === 'lost' || outcome.lockLost) {
      throw new Error('lost the job lock; another worker has the job and reports its outcome');
    }
    if (!outcome.error) return;
    if (!outcome.retry) {
      this.reported.add(job.id!);
      throw new UnrecoverableError(outcome.error.message);
    }
    throw outcome.error;
  }

  /** A job BullMQ ended without our processor's verdict (e.g. a deferred failure): SmsFailed, once. */
  @OnWorkerEvent('failed')
  onOrangeSmsJobFailed(job: Job<OrangeSmsJobData> | undefined, error: Error): void {
    if (!job || job.finishedOn === undefined) return; // retried later: not the end
    if (this.reported.delete(job.id!)) return;
    void this.reportBullmqFailure(job, error);
  }

  @OnWorkerEvent('error')
  onOrangeSmsWorkerError(error: Error): void {
    this.connections.onError(error);
  }

  @OnWorkerEvent('completed')
  onOrangeSmsJobCompleted(): void {
    this.connections.healthy();
  }

  private async reportBullmqFailure(job: Job<OrangeSmsJobData>, error: Error): Promise<void> {
    const inFlight = job.data.inFlight === true || (await this.inFlightMark(job.id!).catch(() => null)) !== null;
    const cleaned = safeLogText(error?.message ?? String(error));
    const failure = inFlight
      ? new OrangeSmsOutcomeUnknownError(`the queue ended the job: ${cleaned}`)
      : new OrangeSmsError(`Queued SMS was not sent: the queue ended the job (${cleaned})`);
    this.sender.reportFailure(job.data.to, failure, job.data.reference, job.data.account);
  }

  private async runFencedMark(jobId: string, token: string, action: 'set' | 'clear'): Promise<unknown> {
    const client = await this.redisSide().client;
    this.markDefined ??= Promise.resolve(
      client.defineCommand(FENCED_MARK_COMMAND, { numberOfKeys: 2, lua: FENCED_MARK }),
    );
    await this.markDefined;
    const key = this.jobKey(jobId);
    return client.runCommand(FENCED_MARK_COMMAND, [key, `${key}:lock`, token, IN_FLIGHT_FIELD, action]);
  }

  private inFlightMark(jobId: string): Promise<string | null> {
    return this.bounded(
      'queue in-flight mark',
      this.redisSide().client.then((client) => client.hget(this.jobKey(jobId), IN_FLIGHT_FIELD)),
    );
  }

  private jobKey(jobId: string): string {
    return this.redisSide().toKey(jobId);
  }

  /** BullMQ 6 keeps the raw client and key names on the queue's Redis backend; BullMQ 5 on the queue. */
  private redisSide(): Pick<ReturnType<Queue['getBackend']>, 'client' | 'toKey'> {
    const queue = this.queue as Partial<Pick<Queue, 'getBackend'>> & Queue;
    return typeof queue.getBackend === 'function'
      ? queue.getBackend()
      : (queue as unknown as Pick<ReturnType<Queue['getBackend']>, 'client' | 'toKey'>);
  }

  private bounded<T>(operation: string, promise: Promise<T>): Promise<T> {
    return withDeadline(promise, this.connections.commandTimeoutMs).catch((error: unknown) => {
      throw storeError(error, operation, this.connections.endpoint);
    });
  }
}
