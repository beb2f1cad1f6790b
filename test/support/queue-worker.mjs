// A queue worker as a separate process, so a test can SIGKILL it. Uses the built package by name.
// Env: EMULATOR_URL, CLIENT_ID, CLIENT_SECRET, REDIS_URL. Prints JSON lines: {ready}, {failed, error}.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OnSmsFailed, OrangeSmsModule } from 'nestjs-orange-sms';

class FailureReporter {
  failed(event) {
    process.stdout.write(`${JSON.stringify({ failed: event.reference, error: event.error.name })}\n`);
  }
}
// Plain JS has no decorator syntax: apply it as TypeScript's __decorate would, descriptor included.
const descriptor = Object.getOwnPropertyDescriptor(FailureReporter.prototype, 'failed');
Object.defineProperty(
  FailureReporter.prototype,
  'failed',
  OnSmsFailed()(FailureReporter.prototype, 'failed', descriptor) ?? descriptor,
);
Injectable()(FailureReporter);

class WorkerModule {}
Module({
  imports: [
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRoot({
      clientId: process.env.CLIENT_ID,
      clientSecret: process.env.CLIENT_SECRET,
      baseUrl: process.env.EMULATOR_URL,
      senderAddress: 'tel:+2250000',
      rateLimit: { perSecond: 50 },
      redis: { url: process.env.REDIS_URL },
      queue: { enabled: true, concurrency: 5 },
      webhooks: { enabled: false },
    }),
  ],
  providers: [FailureReporter],
})(WorkerModule);

const app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
app.enableShutdownHooks();
await app.init();
process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
