import { Injectable } from '@nestjs/common';
import { OnSmsFailed, OnSmsSent, type SmsFailedEvent, type SmsSentEvent } from '../../lib/index.js';

/** A provider that records every SmsSent and SmsFailed event of the app it is registered in. */
@Injectable()
export class SendOutcomes {
  sent: SmsSentEvent[] = [];
  failed: SmsFailedEvent[] = [];
  @OnSmsSent()
  onSent(event: SmsSentEvent) {
    this.sent.push(event);
  }
  @OnSmsFailed()
  onFailed(event: SmsFailedEvent) {
    this.failed.push(event);
  }
}
