import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import {
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

  /** A sent message and its delivery status. */
  @Get(':id')
  async message(@Param('id') id: string): Promise<TrackedSms> {
    const message = await this.sms.getMessage(id);
    if (!message) throw new NotFoundException(`No message ${id}`);
    return message;
  }
}
