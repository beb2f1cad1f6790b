import type { OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { storeError, withDeadline } from '../redis/orange-sms.redis-backend.js';
import type { SendSmsInput } from '../interfaces/orange-sms.message.interfaces.js';
import type { OrangeSmsService } from '../sending/orange-sms.service.js';
import type { EnqueuedSms, QueuedSmsInput } from '../interfaces/orange-sms.queue.interfaces.js';
import { ORANGE_SMS_QUEUE_LINK } from '../orange-sms.constants.js';
import type { OrangeSmsQueueConnections } from './orange-sms.queue.connections.js';
import type { OrangeSmsResolvedQueueModuleOptions } from './orange-sms.queue.options.js';
import { jobIdOf, type OrangeSmsJobData, type OrangeSmsQueueProcessor } from './orange-sms.queue.processor.js';

/**
 * Puts messages on the durable queue; `OrangeSmsService.enqueue()` delegates here. Job ids derive from
 * the caller's `reference`, so enqueuing the same reference again (after a crash, a retried HTTP
 * request …) is a no-op while the job is kept (`keepCompleted`). During an outage an enqueue fails
 * within the core's `redis.commandTimeoutMs` with `OrangeSmsStoreError`.
 */
export class OrangeSmsQueueService implements OnApplicationShutdown {
  constructor(
    /** The BullMQ queue, as `@InjectQueue(name)` gives it. */
    readonly queue: Queue<OrangeSmsJobData>,
    private readonly options: OrangeSmsResolvedQueueModuleOptions,
    private readonly connections: OrangeSmsQueueConnections,
    private readonly sms: OrangeSmsService,
    private readonly processor?: OrangeSmsQueueProcessor,
  ) {
    queue.on('error', connections.onError);
    sms[ORANGE_SMS_QUEUE_LINK]({ add: (input) => this.add(input), addBulk: (inputs) => this.addBulk(inputs) });
  }

  /** Checks the input now (a typed error naming the field) and queues it; returns at once. */
  enqueue(input: SendSmsInput): Promise<EnqueuedSms> {
    return this.sms.enqueue(input);
  }

  enqueueMany(inputs: SendSmsInput[]): Promise<EnqueuedSms[]> {
    return this.sms.enqueueMany(inputs);
  }

  /** Stops taking jobs, finishes the ones in flight, then closes the queue and our own connections. */
  async onApplicationShutdown(): Promise<void> {
    await this.processor?.worker.close();
    await this.queue.close();
    await this.connections.close();
  }

  private async add(input: QueuedSmsInput): Promise<EnqueuedSms> {
    const jobId = jobIdOf(input.reference);
    await this.bounded(this.queue.add('send', input, this.jobOptions(jobId)));
    return { jobId, reference: input.reference };
  }

  private async addBulk(inputs: QueuedSmsInput[]): Promise<EnqueuedSms[]> {
    const jobs = inputs.map((input) => ({
      name: 'send',
      data: input,
      opts: this.jobOptions(jobIdOf(input.reference)),
    }));
    // A large batch legitimately takes longer: one bound per thousand jobs.
    const bound = this.connections.commandTimeoutMs * Math.max(1, Math.ceil(jobs.length / 1_000));
    await this.bounded(this.queue.addBulk(jobs), bound);
    return inputs.map((input) => ({ jobId: jobIdOf(input.reference), reference: input.reference }));
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

  private bounded<T>(promise: Promise<T>, timeoutMs = this.connections.commandTimeoutMs): Promise<T> {
    return withDeadline(promise, timeoutMs).catch((error: unknown) => {
      throw storeError(error, 'enqueue', this.connections.endpoint);
    });
  }
}
