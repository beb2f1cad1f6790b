import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import {
  OrangeSmsInboxService,
  OrangeSmsService,
  OrangeSmsStatsService,
  OrangeSmsValidationError,
  type OrangeSmsReportGroupBy,
  type SentSms,
  type TrackedSms,
} from 'nestjs-orange-sms';

interface SendSmsBody {
  to: string;
  text: string;
  senderName?: string;
  /** The Orange app to send from (`sn`); default the top-level one. */
  account?: string;
}

/** Bad input (a field, an unknown account) is the caller's mistake: 400 naming it, not 500. */
async function badInputAs400<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof OrangeSmsValidationError) throw new BadRequestException(error.message);
    throw error;
  }
}

@Controller('sms')
export class SmsController {
  constructor(
    private readonly sms: OrangeSmsService,
    private readonly stats: OrangeSmsStatsService,
    private readonly inbox: OrangeSmsInboxService,
  ) {}

  /** `curl -X POST localhost:3000/sms -H 'content-type: application/json' -d '{"to":"+221770000001","text":"Hi","account":"sn"}'` */
  @Post()
  send(@Body() body: SendSmsBody): Promise<SentSms> {
    return badInputAs400(() =>
      this.sms.send({ to: body?.to, text: body?.text, senderName: body?.senderName, account: body?.account }),
    );
  }

  /** How many units a text costs, without sending it. */
  @Get('segments')
  segments(@Query('text') text = '') {
    return this.sms.segments(text);
  }

  /** Units left, from Orange's admin API: `?account=sn` for that app's. */
  @Get('balance')
  balance(@Query('account') account?: string) {
    return badInputAs400(() => this.stats.getBalance({ account }));
  }

  /** Delivery statistics of the messages this app sent (`?account=sn`: that app's only). */
  @Get('stats')
  deliveryStats(@Query('account') account?: string) {
    return badInputAs400(() => this.stats.getDeliveryStats({ account }));
  }

  /**
   * Today's report per country (`?groupBy=account`: per Orange app; also `senderName`, `status`):
   * sent, delivered, failed, pending, units, delivery rate.
   */
  @Get('report')
  report(@Query('groupBy') groupBy: string = 'country') {
    const since = new Date();
    since.setUTCHours(0, 0, 0, 0);
    return badInputAs400(() =>
      this.stats.getReport({ since, until: new Date(), interval: 'day', groupBy: groupBy as OrangeSmsReportGroupBy }),
    );
  }

  /** What this app sent to a number and what it answered, oldest first. */
  @Get('conversation/:phone')
  conversation(@Param('phone') phone: string) {
    return this.inbox.conversation(phone);
  }

  /** A sent message (with its account) and its delivery status. */
  @Get(':id')
  async message(@Param('id') id: string): Promise<TrackedSms> {
    const message = await this.sms.getMessage(id);
    if (!message) throw new NotFoundException(`No message ${id}`);
    return message;
  }
}
