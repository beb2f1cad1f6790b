import { BadRequestException, Body, Controller, Get, Post, Query } from '@nestjs/common';
import { OrangeSmsService, OrangeSmsValidationError, type SentSms } from 'nestjs-orange-sms';

interface SendSmsBody {
  to: string;
  text: string;
  senderName?: string;
}

@Controller('sms')
export class SmsController {
  constructor(private readonly sms: OrangeSmsService) {}

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
}
