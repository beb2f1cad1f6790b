import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import {
  OrangeSmsInboxService,
  OrangeSmsService,
  OrangeSmsStatsService,
  OrangeSmsValidationError,
  type SentSms,
  type TrackedSms,
} from 'nestjs-orange-sms';

interface SendSmsBody {
  to: string;
  text: string;
  senderName?: string;
}

@Controller('sms')
export class SmsController {
  constructor(
    private readonly sms: OrangeSmsService,
    private readonly stats: OrangeSmsStatsService,
    private readonly inbox: OrangeSmsInboxService,
  ) {}

  /** `curl -X POST localhost:3000/sms -H 'content-type: application/json' -d '{"to":"+2250700000001","text":"Hi"}'` */
  @Post()
  async send(@Body() body: SendSmsBody): Promise<SentSms> {
    try {
      return await this.sms.send({ to: body?.to, text: body?.text, senderName: body?.senderName });
    } catch (error) {
      if (error instanceof OrangeSmsValidationError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  /** How many units a text costs, without sending it. */
  @Get('segments')
  segments(@Query('text') text = '') {
    return this.sms.segments(text);
  }

  /** Units left, from Orange's admin API. */
  @Get('balance')
  balance() {
    return this.stats.getBalance();
  }

  /** Delivery statistics of the messages this app sent. */
  @Get('stats')
  deliveryStats() {
    return this.stats.getDeliveryStats();
  }

  /** Today's report per country: sent, delivered, failed, pending, units, delivery rate. */
  @Get('report')
  report() {
    const since = new Date();
    since.setUTCHours(0, 0, 0, 0);
    return this.stats.getReport({ since, until: new Date(), interval: 'day', groupBy: 'country' });
  }

  /** What this app sent to a number and what it answered, oldest first. */
  @Get('conversation/:phone')
  conversation(@Param('phone') phone: string) {
    return this.inbox.conversation(phone);
  }

  /** A sent message and its delivery status. */
  @Get(':id')
  async message(@Param('id') id: string): Promise<TrackedSms> {
    const message = await this.sms.getMessage(id);
    if (!message) throw new NotFoundException(`No message ${id}`);
    return message;
  }
}
