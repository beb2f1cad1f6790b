import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OrangeSmsService, OrangeSmsStatsService } from 'nestjs-orange-sms';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { accountVariables, isAccountConfigured, OTHER_ACCOUNTS } from './accounts.js';
import { AppModule } from './app.module.js';

const logger = new Logger('Sample');

/** Who the demo texts from each account: a number in that account's country. */
const DEMO_NUMBERS: Record<string, string> = {
  default: process.env.DEMO_TO ?? '+2250700000089',
  sn: process.env.DEMO_TO_SN ?? '+221770000089',
};

/**
 * With ORANGE_SMS_CLIENT_ID set, the app talks to Orange, with the second account (`sn`) when its
 * ORANGE_SMS_SN_… variables are set. Without it, it starts the Orange emulator in this process playing
 * two Orange apps (default in Côte d'Ivoire, `sn` in Senegal), points the module at it, sends one demo
 * SMS from each and shows their delivery receipts and an inbound SMS to `sn`.
 */
async function bootstrap(): Promise<void> {
  // Read .env here, before choosing the mode: credentials kept there must not start the demo.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const demo = !process.env.ORANGE_SMS_CLIENT_ID;
  const missingSecrets = demo
    ? []
    : ['default', ...OTHER_ACCOUNTS.filter((account) => isAccountConfigured(account))]
        .map((account) => `${accountVariables(account)}WEBHOOK_SECRET`)
        .filter((variable) => !process.env[variable]);
  if (missingSecrets.length > 0) {
    // Orange's callbacks reach the app with this secret in their URL: one invented here would be
    // unknown to Orange and lost at the next restart, so every receipt would be refused.
    logger.error(
      `${missingSecrets.join(' and ')} ${missingSecrets.length > 1 ? 'are' : 'is'} not set. With real credentials ` +
        '(ORANGE_SMS_CLIENT_ID), set each to the secret (16+ characters, e.g. from ' +
        '`openssl rand -hex 24`) that the callback URLs you registered with Orange for that app carry as ?token=.',
    );
    process.exitCode = 1;
    return;
  }
  let emulator: OrangeSmsEmulator | undefined;
  if (demo) {
    // Demo only: the embedded emulator is the only caller of the webhooks, so any secrets will do.
    process.env.ORANGE_SMS_WEBHOOK_SECRET ??= randomBytes(24).toString('hex');
    process.env.ORANGE_SMS_SN_WEBHOOK_SECRET ??= randomBytes(24).toString('hex');
    // Two Orange apps, as a group with a subsidiary in Senegal has: each its own credentials.
    emulator = await OrangeSmsEmulator.start({
      deliveryDelayMs: 1_000,
      accounts: {
        sn: { clientId: 'sample-sn-client', clientSecret: randomBytes(12).toString('hex'), countries: ['SEN'] },
      },
    });
    process.env.ORANGE_SMS_CLIENT_ID = emulator.credentials.clientId;
    process.env.ORANGE_SMS_CLIENT_SECRET = emulator.credentials.clientSecret;
    process.env.ORANGE_SMS_SN_CLIENT_ID = emulator.account('sn').credentials.clientId;
    process.env.ORANGE_SMS_SN_CLIENT_SECRET = emulator.account('sn').credentials.clientSecret;
    process.env.ORANGE_SMS_SN_COUNTRY = 'SEN';
    process.env.ORANGE_SMS_BASE_URL = emulator.url;
    logger.log(`No ORANGE_SMS_CLIENT_ID: using the Orange emulator at ${emulator.url} (apps: default, sn)`);
  }

  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  if (emulator) app.getHttpServer().on('close', () => void emulator.stop());
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const accounts = ['default', ...OTHER_ACCOUNTS.filter((account) => isAccountConfigured(account))];
  const accountField = accounts.length > 1 ? `, "account"?: "${accounts[1]}"` : '';
  logger.log(`Sample app on ${url}: POST ${url}/sms {"to": "+225…", "text": "…"${accountField}}`);
  logger.log(`Orange accounts: ${accounts.join(', ')}. Health: ${url}/health  Metrics: ${url}/metrics`);

  if (emulator) {
    // Each emulated app calls its own account's routes, with that account's secret.
    emulator.deliveryReceiptUrl = `${url}/orange-sms/webhooks/delivery-receipts?token=${process.env.ORANGE_SMS_WEBHOOK_SECRET}`;
    emulator.inboundUrl = `${url}/orange-sms/webhooks/inbound?token=${process.env.ORANGE_SMS_WEBHOOK_SECRET}`;
    const sn = emulator.account('sn');
    const snToken = process.env.ORANGE_SMS_SN_WEBHOOK_SECRET;
    sn.deliveryReceiptUrl = `${url}/orange-sms/webhooks/accounts/sn/delivery-receipts?token=${snToken}`;
    sn.inboundUrl = `${url}/orange-sms/webhooks/accounts/sn/inbound?token=${snToken}`;
    logger.log(`Web inbox (the SMS your app sends, live): ${emulator.inboxUrl}`);

    const sms = app.get(OrangeSmsService);
    const stats = app.get(OrangeSmsStatsService);
    for (const account of ['default', 'sn']) {
      const sent = await sms.send({
        to: DEMO_NUMBERS[account]!,
        text: 'Hello from nestjs-orange-sms! Your code is 4821.',
        account,
      });
      const { availableUnits } = await stats.getBalance({ account });
      logger.log(`Demo SMS from account ${account} submitted (id ${sent.id}); ${availableUnits} units left`);
    }
    logger.log('Their delivery receipts arrive in about a second, each on its account’s route...');
    logger.log(
      // No number in the log (logs never hold a full phone number): the route takes any form of it.
      `Report: GET ${url}/sms/report?groupBy=account  Conversation: GET ${url}/sms/conversation/<phone>`,
    );
    setTimeout(() => {
      // A subscriber in Senegal texts BAL to the Senegal app's number: it is answered from that app.
      void emulator.receive({ from: DEMO_NUMBERS.sn!, to: '+2210000', text: 'BAL', account: 'sn' });
    }, 1_500);
  }
}

void bootstrap();
