import { createHash } from 'node:crypto';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { OrangeSmsResolvedQueueOptions } from '../orange-sms.options.js';
import {
  describeEndpoint,
  type OrangeSmsRedisHealth,
  storeError,
  withDeadline,
} from '../redis/orange-sms.redis-backend.js';
import type { SendSmsInput } from '../sending/orange-sms.interfaces.js';
import type {
  EnqueuedSms,
  OrangeSmsQueueBackend,
  OrangeSmsQueueFailure,
  OrangeSmsQueueProcessor,
} from './orange-sms.queue-job.js';

/** `inFlight` in the data: jobs written by versions before the fenced mark. */
type JobData = SendSmsInput & { reference: string; inFlight?: boolean };

/** Job hash field holding the token of the worker that is writing the request. */
const IN_FLIGHT_FIELD = 'osmsInFlight';

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

/**
 * The outbound queue on BullMQ. Job ids derive from the caller's `reference`, so enqueuing the same
 * reference again (after a crash, a retried HTTP request …) is a no-op while the job is kept
 * (`keepCompleted`). Every job that ends without being sent is reported once through `onFailure`
 * whatever ended it (our processor, or BullMQ itself).
 *
 * Connections: the producer's fails fast during an outage (no offline queue, bounded by the
 * command timeout); the worker's has no per-request retry cap and no command timeout, as BullMQ
 * requires for its blocking commands. Both are opened on first use, after the boot check.
 */
export class OrangeSmsBullmqQueue implements OrangeSmsQueueBackend {
  private queue?: Queue<JobData>;
  private worker?: Worker<JobData>;
  private readonly connections: Redis[] = [];
  /** Jobs whose final failure our processor already reported (SmsFailed), so BullMQ's event is not. */
  private readonly reported = new Set<string>();
  private readonly endpoint: string;

  constructor(
    private readonly options: OrangeSmsResolvedQueueOptions,
    private readonly connectionOptions: RedisOptions,
    private readonly prefix: string,
    private readonly health?: OrangeSmsRedisHealth,
    private readonly commandTimeoutMs = 2_000,
  ) {
    this.endpoint = describeEndpoint(connectionOptions);
  }

  private get bullPrefix(): string {
    return `${this.prefix.replace(/:+$/, '')}:bull`;
  }

  async add(input: JobData): Promise<EnqueuedSms> {
    const jobId = jobIdOf(input.reference);
    await this.bounded('enqueue', this.producer().add('send', input, this.jobOptions(jobId)));
    return { jobId, reference: input.reference };
  }

  async addBulk(inputs: JobData[]): Promise<EnqueuedSms[]> {
    const jobs = inputs.map((input) => ({
      name: 'send',
      data: input,
      opts: this.jobOptions(jobIdOf(input.reference)),
    }));
    // A large batch legitimately takes longer: one bound per thousand jobs.
    const bound = this.commandTimeoutMs * Math.max(1, Math.ceil(jobs.length / 1_000));
    await this.bounded('enqueue', this.producer().addBulk(jobs), bound);
    return inputs.map((input) => ({ jobId: jobIdOf(input.reference), reference: input.reference }));
  }

  startWorker(processor: OrangeSmsQueueProcessor, onFailure?: (failure: OrangeSmsQueueFailure) => void): void {
    if (!this.options.worker || this.worker) return;
    const connection = this.connect({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    this.worker = new Worker<JobData>(
      this.options.name,
      (job, token) => this.process(job, token ?? job.token ?? '', processor),
      {
        connection,
        prefix: this.bullPrefix,
        concurrency: this.options.concurrency,
        // A killed or frozen worker's job is taken over within seconds, not the default 30.
        lockDuration: this.options.lockDurationMs,
        stalledInterval: this.options.stalledIntervalMs,
        maxStalledCount: UNLIMITED_STALLS,
      },
    );
    this.worker.on('error', (error) => this.health?.queueError(error));
    this.worker.on('failed', (job, error) => {
      if (!job || job.finishedOn === undefined) return; // retried later: not the end
      if (this.reported.delete(job.id!)) return;
      void this.reportBullmqFailure(job, error, onFailure);
    });
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private async process(job: Job<JobData>, token: string, processor: OrangeSmsQueueProcessor): Promise<void> {
    const { inFlight, ...input } = job.data;
    const markedBefore = inFlight === true || (await this.inFlightMark(job.id!)) !== null;
    let lockLost!: () => void;
    const lost = new Promise<'lost'>((resolve) => (lockLost = () => resolve('lost')));
    const mark = async (action: 'set' | 'clear'): Promise<boolean> => {
      const done = await this.bounded(
        'queue in-flight mark',
        this.client().then((client) =>
          client.eval(
            FENCED_MARK,
            2,
            this.jobKey(job.id!),
            `${this.jobKey(job.id!)}:lock`,
            token,
            IN_FLIGHT_FIELD,
            action,
          ),
        ),
      );
      return Number(done) === 1;
    };
    const outcome = await Promise.race([
      processor({
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
            this.client().then((client) => client.get(`${this.jobKey(job.id!)}:lock`)),
          );
          return lock === token;
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
  private async reportBullmqFailure(
    job: Job<JobData>,
    error: Error,
    onFailure?: (failure: OrangeSmsQueueFailure) => void,
  ): Promise<void> {
    const inFlight = job.data.inFlight === true || (await this.inFlightMark(job.id!).catch(() => null)) !== null;
    onFailure?.({ input: job.data, reason: error?.message ?? String(error), mayHaveBeenSent: inFlight });
  }

  private async inFlightMark(jobId: string): Promise<string | null> {
    return this.bounded(
      'queue in-flight mark',
      this.client().then((client) => client.hget(this.jobKey(jobId), IN_FLIGHT_FIELD)),
    );
  }

  private jobKey(jobId: string): string {
    return `${this.bullPrefix}:${this.options.name}:${jobId}`;
  }

  private jobOptions(jobId: string) {
    return {
      jobId,
      attempts: this.options.attempts,
      backoff: { type: 'exponential' as const, delay: this.options.backoffMs },
      removeOnComplete: { count: this.options.keepCompleted.count, age: this.options.keepCompleted.ageSeconds },
      removeOnFail: { count: this.options.keepFailed.count, age: this.options.keepFailed.ageSeconds },
    };
  }

  private producer(): Queue<JobData> {
    if (!this.queue) {
      this.queue = new Queue<JobData>(this.options.name, {
        connection: this.producerConnection(),
        prefix: this.bullPrefix,
      });
      this.queue.on('error', (error) => this.health?.queueError(error));
    }
    return this.queue;
  }

  /** The producer's connection, also used for the in-flight marks: fails fast while Redis is away. */
  private producerConnection(): Redis {
    return (this.fastConnection ??= this.connect({ maxRetriesPerRequest: 1, enableOfflineQueue: false }));
  }
  private fastConnection?: Redis;

  /** The fail-fast connection once ready: without an offline queue, a command sent before would fail. */
  private async client(): Promise<Redis> {
    const connection = this.producerConnection();
    if (connection.status !== 'ready') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.commandTimeoutMs);
        function done() {
          clearTimeout(timer);
          connection.off('ready', done);
          resolve();
        }
        connection.once('ready', done);
      });
    }
    return connection;
  }

  private bounded<T>(operation: string, promise: Promise<T>, timeoutMs = this.commandTimeoutMs): Promise<T> {
    return withDeadline(promise, timeoutMs).catch((error: unknown) => {
      throw storeError(error, operation, this.endpoint);
    });
  }

  private connect(overrides: RedisOptions): Redis {
    const connection = new Redis({
      ...this.connectionOptions,
      // Blocking commands (BZPOPMIN …) wait longer than any command timeout.
      commandTimeout: undefined,
      lazyConnect: false,
      ...overrides,
    });
    this.health?.watch(connection);
    this.connections.push(connection);
    return connection;
  }
}

/** BullMQ ids may not contain ':' nor be integers: a hash of the reference is neither. */
function jobIdOf(reference: string): string {
  return `sms-${createHash('sha256').update(reference).digest('base64url').slice(0, 32)}`;
}
