import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OrangeSmsService, OrangeSmsStatsService } from 'nestjs-orange-sms';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { AppModule } from './app.module.js';

const logger = new Logger('Sample');

/**
 * With ORANGE_SMS_CLIENT_ID set, the app talks to Orange. Without it, it starts the Orange emulator
 * in this process, points the module at it, sends one demo SMS and shows its delivery receipt.
 */
async function bootstrap(): Promise<void> {
  // Read .env here, before choosing the mode: credentials kept there must not start the demo.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const demo = !process.env.ORANGE_SMS_CLIENT_ID;
  if (!demo && !process.env.ORANGE_SMS_WEBHOOK_SECRET) {
    // Orange's callbacks reach the app with this secret in their URL: one invented here would be
    // unknown to Orange and lost at the next restart, so every receipt would be refused.
    logger.error(
      'ORANGE_SMS_WEBHOOK_SECRET is not set. With real credentials (ORANGE_SMS_CLIENT_ID), set it to ' +
        'the secret (16+ characters, e.g. from `openssl rand -hex 24`) that the callback URLs you ' +
        'registered with Orange carry as ?token=.',
    );
    process.exitCode = 1;
    return;
  }
  let emulator: OrangeSmsEmulator | undefined;
  if (demo) {
    // Demo only: the embedded emulator is the only caller of the webhooks, so any secret will do.
    process.env.ORANGE_SMS_WEBHOOK_SECRET ??= randomBytes(24).toString('hex');
    emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 1_000 });
    process.env.ORANGE_SMS_CLIENT_ID = emulator.credentials.clientId;
    process.env.ORANGE_SMS_CLIENT_SECRET = emulator.credentials.clientSecret;
    process.env.ORANGE_SMS_BASE_URL = emulator.url;
    logger.log(`No ORANGE_SMS_CLIENT_ID: using the Orange emulator at ${emulator.url}`);
  }

  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  if (emulator) app.getHttpServer().on('close', () => void emulator.stop());
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  logger.log(`Sample app on ${url}: POST ${url}/sms {"to": "+225…", "text": "…"}`);
  logger.log(`Health: ${url}/health  Metrics: ${url}/metrics`);

  if (emulator) {
    const token = process.env.ORANGE_SMS_WEBHOOK_SECRET;
    emulator.deliveryReceiptUrl = `${url}/orange-sms/webhooks/delivery-receipts?token=${token}`;
    emulator.inboundUrl = `${url}/orange-sms/webhooks/inbound?token=${token}`;
    logger.log(`Web inbox (the SMS your app sends, live): ${emulator.inboxUrl}`);
    const sent = await app.get(OrangeSmsService).send({
      to: process.env.DEMO_TO ?? '+2250700000089',
      text: 'Hello from nestjs-orange-sms! Your code is 4821.',
    });
    logger.log(`Demo SMS submitted (id ${sent.id}); its delivery receipt arrives in about a second...`);
    const { availableUnits } = await app.get(OrangeSmsStatsService).getBalance();
    logger.log(`Balance: ${availableUnits} units left (GET ${url}/sms/balance)`);
    logger.log(
      // No number in the log (logs never hold a full phone number): the route takes any form of it.
      `Report: GET ${url}/sms/report  Conversation: GET ${url}/sms/conversation/<phone>`,
    );
    setTimeout(() => {
      void emulator.receive({ from: process.env.DEMO_TO ?? '+2250700000089', to: '+2250000', text: 'BAL' });
    }, 1_500);
  }
}

void bootstrap();
