import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { OrangeSmsError, OrangeSmsOutcomeUnknownError } from '../errors/orange-sms.errors.js';
import { OrangeSmsEventPublisher } from '../events/orange-sms.event-publisher.js';
import { OrangeSmsEvents, SmsFailedEvent } from '../events/orange-sms.events.js';
import { safeLogText } from '../logging/orange-sms.safe-log-text.js';
import { OrangeSmsService } from '../sending/orange-sms.service.js';
import { ORANGE_SMS_QUEUE, type OrangeSmsQueueBackend, type OrangeSmsQueueFailure } from './orange-sms.queue-job.js';

/**
 * Starts this instance's queue worker once the app's listeners are attached, and stops it gracefully
 * (no new job taken, the one in flight finished) when the app shuts down. A job that BullMQ ends
 * without our processor's verdict is reported here with `SmsFailed`, so every job that ends unsent
 * is reported once.
 */
@Injectable()
export class OrangeSmsQueueRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly sms: OrangeSmsService,
    private readonly events: OrangeSmsEventPublisher,
    @Optional() @Inject(ORANGE_SMS_QUEUE) private readonly queue?: OrangeSmsQueueBackend | null,
  ) {}

  onApplicationBootstrap(): void {
    this.queue?.startWorker(
      (job) => this.sms.processQueued(job),
      (failure) => this.reportFailure(failure),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }

  private reportFailure({ input, reason, mayHaveBeenSent }: OrangeSmsQueueFailure): void {
    const cleaned = safeLogText(reason);
    const error = mayHaveBeenSent
      ? new OrangeSmsOutcomeUnknownError(`the queue ended the job: ${cleaned}`)
      : new OrangeSmsError(`Queued SMS was not sent: the queue ended the job (${cleaned})`);
    this.events.publish(
      OrangeSmsEvents.SmsFailed,
      new SmsFailedEvent({ to: input.to, error, reference: input.reference }),
    );
  }
}
