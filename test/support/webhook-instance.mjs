// One instance of a fleet taking Orange's notifications, as a separate process, so a test can SIGKILL
// or SIGSTOP it. Uses the built package by name.
// Env: REDIS_URL, KEY_PREFIX, WEBHOOK_SECRET, LEASE_MS, SWEEP_MS; LISTENER = hang (the receipt
// listener never finishes) | slow (finishes after SLOW_MS) | anything else (finishes at once).
// Prints JSON lines on stdout: {ready: port}, {listening: messageId}, {finished: messageId}.
import 'reflect-metadata';
import { decorateMethod } from './decorate-method.mjs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OnDeliveryReceipt, OrangeSmsModule } from 'nestjs-orange-sms';

const env = process.env;
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

class ReceiptListener {
  async receipt(event) {
    print({ listening: event.messageId });
    if (env.LISTENER === 'hang') await new Promise(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, Number(env.SLOW_MS ?? 0)));
    print({ finished: event.messageId });
  }
}
decorateMethod(ReceiptListener, 'receipt', OnDeliveryReceipt());
Injectable()(ReceiptListener);

class InstanceModule {}
Module({
  imports: [
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRoot({
      clientId: 'fleet-client-id',
      clientSecret: 'fleet-client-secret',
      baseUrl: 'http://127.0.0.1:9',
      senderAddress: 'tel:+2250000',
      webhookSecret: env.WEBHOOK_SECRET,
      redis: { url: env.REDIS_URL, keyPrefix: env.KEY_PREFIX },
      listenerRetry: { leaseMs: Number(env.LEASE_MS), sweepIntervalMs: Number(env.SWEEP_MS) },
    }),
  ],
  providers: [ReceiptListener],
})(InstanceModule);

const app = await NestFactory.create(InstanceModule, { logger: false });
await app.listen(0, '127.0.0.1');
print({ ready: app.getHttpServer().address().port });
