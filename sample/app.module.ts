import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TerminusModule } from '@nestjs/terminus';
import { OrangeSmsModule } from 'nestjs-orange-sms';
import { OrangeSmsHealthModule } from 'nestjs-orange-sms/health';
import { OrangeSmsMetricsModule } from 'nestjs-orange-sms/metrics';
import { accountsFromEnvironment } from './accounts.js';
import { HealthController } from './health.controller.js';
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
        // A second Orange app (Senegal, `sn`) when ORANGE_SMS_SN_CLIENT_ID… are set: send({ account: 'sn' }),
        // its receipts and inbound SMS on /orange-sms/webhooks/accounts/sn/… with its own secret.
        accounts: accountsFromEnvironment(),
        // Records in your PostgreSQL when DATABASE_URL is set (npm install pg); in memory otherwise.
        ...(config.get<string>('DATABASE_URL') ? { postgres: { url: config.get<string>('DATABASE_URL') } } : {}),
      }),
      webhooks: { path: 'orange-sms/webhooks' },
    }),
    TerminusModule,
    OrangeSmsHealthModule,
    OrangeSmsMetricsModule.forRoot({ path: 'metrics' }),
  ],
  controllers: [SmsController, HealthController],
  providers: [SmsListeners],
})
export class AppModule {}
