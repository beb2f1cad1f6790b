// A queue worker as a separate process, so a test can SIGKILL or SIGSTOP it. Uses the built package by name.
// Env: EMULATOR_URL, CLIENT_ID, CLIENT_SECRET, REDIS_URL; optional KEY_PREFIX, RATE (per second),
// CONCURRENCY, LOCK_MS, STALLED_MS, CONNECT_MS, WORKER (0 = producer only), LOGGER (1 = Nest's console logger).
// Prints JSON lines on stdout: {ready}, {failed, error}, {bootError}.
import 'reflect-metadata';
import { decorateMethod } from './decorate-method.mjs';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OnSmsFailed, OrangeSmsModule } from 'nestjs-orange-sms';

class FailureReporter {
  failed(event) {
    process.stdout.write(`${JSON.stringify({ failed: event.reference, error: event.error.name })}\n`);
  }
}
decorateMethod(FailureReporter, 'failed', OnSmsFailed());
Injectable()(FailureReporter);

const env = process.env;
const number = (name, fallback) => (env[name] ? Number(env[name]) : fallback);

class WorkerModule {}
Module({
  imports: [
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRoot({
      clientId: env.CLIENT_ID,
      clientSecret: env.CLIENT_SECRET,
      baseUrl: env.EMULATOR_URL,
      senderAddress: 'tel:+2250000',
      rateLimit: { perSecond: number('RATE', 50) },
      redis: {
        url: env.REDIS_URL,
        ...(env.KEY_PREFIX ? { keyPrefix: env.KEY_PREFIX } : {}),
        ...(env.CONNECT_MS ? { connectTimeoutMs: Number(env.CONNECT_MS) } : {}),
      },
      queue: {
        enabled: true,
        worker: env.WORKER !== '0',
        concurrency: number('CONCURRENCY', 5),
        lockDurationMs: number('LOCK_MS', 10_000),
        stalledIntervalMs: number('STALLED_MS', 5_000),
      },
      webhooks: { enabled: false },
    }),
  ],
  providers: [FailureReporter],
})(WorkerModule);

try {
  // Creating the context initialises it: the boot check runs here.
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    logger: env.LOGGER === '1' ? ['error', 'warn', 'log'] : false,
  });
  app.enableShutdownHooks();
} catch (error) {
  process.stdout.write(`${JSON.stringify({ bootError: error.message, name: error.name })}\n`);
  process.exitCode = 1;
}
if (!process.exitCode) process.stdout.write(`${JSON.stringify({ ready: process.pid })}\n`);
