// Compatibility host: a NestJS application written as a plain ESM JavaScript project ("type": "module"),
// with the packed nestjs-orange-sms installed from its tarball. Decorators are applied by calling them,
// as TypeScript's emit would. Sends one SMS through the embedded emulator and waits for its delivery
// receipt on the app's webhook. Prints `COMPAT <name>: ok` or `COMPAT <name>: FAILED <reason>`.
//   COMPAT_NAME=<matrix entry> COMPAT_PLATFORM=express|fastify node main.mjs
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { DeliveryReceiptEvent, OnDeliveryReceipt, OrangeSmsModule, OrangeSmsService } from 'nestjs-orange-sms';
import { OrangeSmsEmulator } from 'orange-sms-emulator';

const name = process.env.COMPAT_NAME ?? 'esm-js';
const platform = process.env.COMPAT_PLATFORM ?? 'express';
const WEBHOOK_SECRET = 'compat-webhook-secret-0123456789';
const RECEIPT_TIMEOUT_MS = 10_000;

// A last resort: whatever hangs (a listen, a close), the process ends with a verdict.
const watchdog = setTimeout(() => {
  console.log(`COMPAT ${name}: FAILED watchdog: still running after 60 s`);
  process.exit(1);
}, 60_000);
watchdog.unref();

/** Collects delivery receipts; `waitFor(id)` resolves with the receipt for that message. */
class ReceiptListener {
  constructor() {
    this.receipts = [];
    this.waiters = [];
  }

  onReceipt(event) {
    this.receipts.push(event);
    for (const waiter of this.waiters) waiter(event);
  }

  waitFor(messageId, timeoutMs) {
    const found = this.receipts.find((r) => r.messageId === messageId);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no delivery receipt for ${messageId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push((event) => {
        if (event.messageId !== messageId) return;
        clearTimeout(timer);
        resolve(event);
      });
    });
  }
}
Injectable()(ReceiptListener);
decorateMethod(ReceiptListener, 'onReceipt', OnDeliveryReceipt());

/** What TypeScript's `__decorate` does for a method decorator. */
function decorateMethod(target, key, ...decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
  for (const decorator of decorators.reverse()) descriptor = decorator(target.prototype, key, descriptor) ?? descriptor;
  Object.defineProperty(target.prototype, key, descriptor);
}

async function createApp(AppModule) {
  const options = { logger: ['error', 'warn'], abortOnError: false };
  if (platform === 'express') return NestFactory.create(AppModule, options);
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return NestFactory.create(AppModule, new FastifyAdapter(), options);
  }
  throw new Error(`unknown platform ${platform}`);
}

async function main() {
  const emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 50 });
  let app;
  try {
    class AppModule {}
    Module({
      imports: [
        EventEmitterModule.forRoot(),
        OrangeSmsModule.forRoot({
          clientId: emulator.credentials.clientId,
          clientSecret: emulator.credentials.clientSecret,
          baseUrl: emulator.url,
          senderAddress: 'tel:+2250000',
          webhookSecret: WEBHOOK_SECRET,
        }),
      ],
      providers: [ReceiptListener],
    })(AppModule);

    app = await createApp(AppModule);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    emulator.deliveryReceiptUrl = `${url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`;

    const sms = app.get(OrangeSmsService);
    const listener = app.get(ReceiptListener);
    const sent = await sms.send({ to: '+2250700000001', text: `compat ${name}` });
    if (typeof sent.id !== 'string' || sent.id === '') throw new Error(`send returned no id: ${JSON.stringify(sent)}`);

    const receipt = await listener.waitFor(sent.id, RECEIPT_TIMEOUT_MS);
    if (!(receipt instanceof DeliveryReceiptEvent)) throw new Error('the receipt is not a DeliveryReceiptEvent');
    if (receipt.status !== 'DeliveredToTerminal') throw new Error(`receipt status ${receipt.status}`);
    const tracked = await sms.getMessage(sent.id);
    if (tracked?.status !== 'delivered') throw new Error(`getMessage status ${tracked?.status}, expected delivered`);
    if (platform === 'fastify' && app.getHttpAdapter().getType() !== 'fastify') throw new Error('not on Fastify');
  } finally {
    await app?.close();
    await emulator.stop();
  }
}

main().then(
  () => {
    console.log(`COMPAT ${name}: ok`);
    process.exit(0);
  },
  (error) => {
    console.error(error);
    console.log(`COMPAT ${name}: FAILED ${String(error?.message ?? error).split('\n')[0]}`);
    process.exit(1);
  },
);
