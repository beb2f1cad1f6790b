// Refreshes docs/emulator-inbox.png, the README's picture of the emulator's web inbox.
// A real Nest app on the built package (`npm run build` first) sends through the embedded emulator,
// receives its receipts and an inbound SMS, replies; headless Chromium then photographs the inbox.
// Usage: npm run build && node packages/emulator/scripts/screenshot-inbox.mjs [output.png]
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { chromium } from 'playwright-core';
import { OrangeSmsModule, OrangeSmsService } from 'nestjs-orange-sms';
import { OrangeSmsEmulator } from '../dist/index.js';

const output = process.argv[2] ?? join(import.meta.dirname, '..', '..', '..', 'docs', 'emulator-inbox.png');
const webhookSecret = 'screenshot-webhook-secret-5f2b9c1e';
const phone = '+2250700000001';

// Receipts are posted by hand below, so each message shows the status the picture needs.
const emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
class AppModule {}
Module({
  imports: [
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRoot({
      ...emulator.credentials,
      baseUrl: emulator.url,
      country: 'CIV',
      senderName: 'Kadi',
      webhookSecret,
    }),
  ],
})(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
let browser;
try {
  await app.listen(0, '127.0.0.1');
  const appUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  emulator.deliveryReceiptUrl = `${appUrl}/orange-sms/webhooks/delivery-receipts?token=${webhookSecret}`;
  emulator.inboundUrl = `${appUrl}/orange-sms/webhooks/inbound?token=${webhookSecret}`;

  const sms = app.get(OrangeSmsService);
  const otp = await sms.send({ to: phone, text: 'Your Kadi Market code is 4821. It expires in 10 minutes.' });
  const order = await sms.send({
    to: '+2250500000042',
    text:
      'Bonjour Awa, votre commande #1043 est en route. Livraison prévue demain entre 9h et 12h. ' +
      'Répondez STOP pour ne plus recevoir de messages.',
  });
  await sms.send({ to: '+2250100000007', text: 'Your parcel is waiting at the Cocody pick-up point.' });
  await emulator.deliver(otp.id, 'DeliveredToTerminal');
  await emulator.deliver(order.id, 'DeliveryImpossible');
  await emulator.receive({ from: phone, to: '+2250000', text: 'BAL' });
  const balance = await sms.send({ to: phone, text: 'Balance: 12 500 FCFA. Reply STOP to opt out.' });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(5_000);
  await page.goto(emulator.inboxUrl);
  await page.locator(`li[data-phone="${phone}"] button`).click();
  await page.locator('#conv-title', { hasText: phone }).waitFor();
  await page.locator(`[data-message-id="${balance.id}"]`).waitFor();
  await page.locator('.from-phone', { hasText: 'BAL' }).waitFor();
  await page.locator('#log-list li[data-kind="send"] .log-line').first().click();
  await page.evaluate("document.getElementById('toast').hidden = true");
  const png = await page.screenshot();
  writeFileSync(output, png);
  process.stdout.write(`Wrote ${output} (${png.length} bytes)\n`);
} finally {
  await browser?.close();
  await app.close();
  await emulator.stop();
}
