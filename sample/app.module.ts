import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OrangeSmsModule } from 'nestjs-orange-sms';
import { SmsController } from './sms.controller.js';
import { SmsListeners } from './sms.listeners.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        clientId: config.getOrThrow<string>('ORANGE_SMS_CLIENT_ID'),
        clientSecret: config.getOrThrow<string>('ORANGE_SMS_CLIENT_SECRET'),
        country: config.get<string>('ORANGE_SMS_COUNTRY', 'CIV'),
        senderName: config.get<string>('ORANGE_SMS_SENDER_NAME'),
        baseUrl: config.get<string>('ORANGE_SMS_BASE_URL'),
        webhookSecret: config.getOrThrow<string>('ORANGE_SMS_WEBHOOK_SECRET'),
      }),
      webhooks: { path: 'orange-sms/webhooks' },
    }),
  ],
  controllers: [SmsController],
  providers: [SmsListeners],
})
export class AppModule {}
