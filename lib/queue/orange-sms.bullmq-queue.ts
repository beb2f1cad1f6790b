import { createHash } from 'node:crypto';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { OrangeSmsQueueOptions } from '../orange-sms.options.js';
import type { SendSmsInput } from '../sending/orange-sms.interfaces.js';
import type { EnqueuedSms, OrangeSmsQueueBackend, OrangeSmsQueueProcessor } from './orange-sms.queue-job.js';

type JobData = SendSmsInput & { reference: string; inFlight?: boolean };

/**
 * The outbound queue on BullMQ. Job ids derive from the caller's `reference`, so enqueuing the same
 * reference again (after a crash, a retried HTTP request …) is a no-op while the job is kept (7 days
 * after completion). A job whose worker died while its request may have been written is not sent
 * again: it fails with an unknown outcome instead (see the processor).
 */
export class OrangeSmsBullmqQueue implements OrangeSmsQueueBackend {
  private readonly queue: Queue<JobData>;
  private worker?: Worker<JobData>;
  private readonly connections: Redis[] = [];

  constructor(
    private readonly options: Required<OrangeSmsQueueOptions>,
    private readonly connectionOptions: RedisOptions,
    private readonly prefix: string,
  ) {
    this.queue = new Queue<JobData>(options.name, {
      connection: this.connect(connectionOptions),
      prefix: this.bullPrefix,
    });
  }

  private get bullPrefix(): string {
    return `${this.prefix.replace(/:+$/, '')}:bull`;
  }

  async add(input: JobData): Promise<EnqueuedSms> {
    const jobId = jobIdOf(input.reference);
    await this.queue.add('send', input, this.jobOptions(jobId));
    return { jobId, reference: input.reference };
  }

  async addBulk(inputs: JobData[]): Promise<EnqueuedSms[]> {
    const jobs = inputs.map((input) => ({
      name: 'send',
      data: input,
      opts: this.jobOptions(jobIdOf(input.reference)),
    }));
    await this.queue.addBulk(jobs);
    return inputs.map((input) => ({ jobId: jobIdOf(input.reference), reference: input.reference }));
  }

  startWorker(processor: OrangeSmsQueueProcessor): void {
    if (!this.options.worker || this.worker) return;
    this.worker = new Worker<JobData>(this.options.name, (job) => this.process(job, processor), {
      connection: this.connect(this.connectionOptions),
      prefix: this.bullPrefix,
      concurrency: this.options.concurrency,
      // A killed worker's job is seen as stalled within seconds, not the default 30.
      lockDuration: 10_000,
      stalledInterval: 5_000,
      maxStalledCount: 1,
    });
    // Errors are reported per job by the processor; this keeps the worker's own errors from being unhandled.
    this.worker.on('error', () => undefined);
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }

  private async process(job: Job<JobData>, processor: OrangeSmsQueueProcessor): Promise<void> {
    const { inFlight, ...input } = job.data;
    const result = await processor({
      input,
      attempt: job.attemptsMade + 1,
      maxAttempts: job.opts.attempts ?? 1,
      interruptedInFlight: inFlight === true,
      markInFlight: () => job.updateData({ ...input, inFlight: true }),
      clearInFlight: () => job.updateData({ ...input, inFlight: false }),
    });
    if (!result.error) return;
    if (!result.retry) throw new UnrecoverableError(result.error.message);
    throw result.error;
  }

  private jobOptions(jobId: string) {
    return {
      jobId,
      attempts: this.options.attempts,
      backoff: { type: 'exponential' as const, delay: this.options.backoffMs },
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    };
  }

  /** BullMQ needs connections without a per-request retry cap. */
  private connect(options: RedisOptions): Redis {
    const connection = new Redis({ ...options, maxRetriesPerRequest: null, lazyConnect: false });
    this.connections.push(connection);
    return connection;
  }
}

/** BullMQ ids may not contain ':' nor be integers: a hash of the reference is neither. */
function jobIdOf(reference: string): string {
  return `sms-${createHash('sha256').update(reference).digest('base64url').slice(0, 32)}`;
}
