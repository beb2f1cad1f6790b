import { Injectable, Logger } from '@nestjs/common';
import {
  OrangeSmsStatsService,
  DeliveryReceiptEvent,
  InboundSmsEvent,
  maskPhoneNumber,
  OnDeliveryReceipt,
  OnInboundSms,
  OnSmsFailed,
  OnSmsSent,
  SmsFailedEvent,
  SmsSentEvent,
} from 'nestjs-orange-sms';

/** What a host app does with the module's events; here it only logs them (numbers masked). */
@Injectable()
export class SmsListeners {
  private readonly logger = new Logger('Sample');

  constructor(private readonly stats: OrangeSmsStatsService) {}

  @OnSmsSent()
  sent({ message }: SmsSentEvent) {
    this.logger.log(
      `SMS ${message.id} sent from account ${message.account} to ${maskPhoneNumber(message.to)} (${message.segments} unit(s))`,
    );
  }

  @OnSmsFailed()
  failed({ to, error, account }: SmsFailedEvent) {
    this.logger.warn(`SMS from account ${account} to ${maskPhoneNumber(to)} failed: ${error.message}`);
  }

  @OnDeliveryReceipt()
  receipt(event: DeliveryReceiptEvent) {
    const tracked = event.message ? ` (tracked status: ${event.message.status})` : '';
    this.logger.log(
      `Delivery receipt for SMS ${event.messageId} (account ${event.account}): ${event.status}${tracked}`,
    );
  }

  @OnDeliveryReceipt({ status: 'DeliveryImpossible' })
  undeliverable(event: DeliveryReceiptEvent) {
    this.logger.warn(`SMS ${event.messageId} could not be delivered: fall back to e-mail here`);
  }

  @OnInboundSms()
  inbound(event: InboundSmsEvent) {
    this.logger.log(
      `Inbound SMS to account ${event.account} from ${maskPhoneNumber(event.from)}: keyword ${event.keyword || '(none)'}`,
    );
  }

  /**
   * A subscriber texts "BAL": answer with the units left of the Orange app they texted, from that app
   * (`reply()` sends from the event's account). Listeners are redelivered if they throw.
   */
  @OnInboundSms({ keyword: 'BAL' })
  async balance(event: InboundSmsEvent) {
    // An anonymous sender (Orange's `acr:` reference) cannot be answered: reply() would reject.
    if (event.senderKind !== 'number') {
      this.logger.log('BAL from an anonymous sender: no reply possible');
      return;
    }
    const { availableUnits } = await this.stats.getBalance({ account: event.account });
    const reply = await event.reply(`You have ${availableUnits} SMS units left.`);
    this.logger.log(`Replied from account ${reply.account} to ${maskPhoneNumber(event.from)} (SMS ${reply.id})`);
  }
}
