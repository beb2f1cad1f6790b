import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { OrangeSmsService } from '../sending/orange-sms.service.js';
import { ORANGE_SMS_QUEUE, type OrangeSmsQueueBackend } from './orange-sms.queue-job.js';

/**
 * Starts this instance's queue worker once the app's listeners are attached, and stops it gracefully
 * (no new job taken, the one in flight finished) when the app shuts down.
 */
@Injectable()
export class OrangeSmsQueueRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly sms: OrangeSmsService,
    @Optional() @Inject(ORANGE_SMS_QUEUE) private readonly queue?: OrangeSmsQueueBackend | null,
  ) {}

  onApplicationBootstrap(): void {
    this.queue?.startWorker((job) => this.sms.processQueued(job));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }
}
