import 'reflect-metadata';
import { type DynamicModule, type INestApplication, Module, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { OrangeSmsEmulator, type OrangeSmsEmulatorOptions } from 'orange-sms-emulator';
import { OrangeSmsModule } from '../../lib/orange-sms.module.js';
import type { OrangeSmsModuleExtras } from '../../lib/orange-sms.module-definition.js';
import type { OrangeSmsModuleOptions } from '../../lib/orange-sms.options.js';
import { CapturingLogger } from './log-capture.js';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789';
export type Platform = 'express' | 'fastify';

/** Module options pointing at the emulator. */
export function emulatorOptions(
  emulator: OrangeSmsEmulator,
  overrides: OrangeSmsModuleOptions = {},
): OrangeSmsModuleOptions {
  return {
    clientId: emulator.credentials.clientId,
    clientSecret: emulator.credentials.clientSecret,
    baseUrl: emulator.url,
    senderAddress: 'tel:+2250000',
    webhookSecret: WEBHOOK_SECRET,
    ...overrides,
  };
}

export interface TestAppOptions {
  /** The OrangeSmsModule registration; defaults to forRoot(emulatorOptions(emulator)). */
  orangeSms?: DynamicModule;
  extras?: OrangeSmsModuleExtras;
  options?: OrangeSmsModuleOptions;
  providers?: Provider[];
  controllers?: Type<unknown>[];
  imports?: Array<Type<unknown> | DynamicModule>;
  platform?: Platform;
  /** Point the emulator's delivery-receipt and inbound URLs at this app. Default true. */
  wireCallbacks?: boolean;
}

export interface TestApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** A real Nest application on 127.0.0.1 with the module registered against the emulator. */
export async function startTestApp(emulator: OrangeSmsEmulator, options: TestAppOptions = {}): Promise<TestApp> {
  const orangeSms =
    options.orangeSms ??
    OrangeSmsModule.forRoot({ ...emulatorOptions(emulator, options.options), ...(options.extras ?? {}) });

  @Module({
    imports: [EventEmitterModule.forRoot(), orangeSms, ...(options.imports ?? [])],
    providers: options.providers ?? [],
    controllers: options.controllers ?? [],
  })
  class TestAppModule {}

  const app =
    options.platform === 'fastify'
      ? await NestFactory.create(TestAppModule, new FastifyAdapter(), {
          logger: new CapturingLogger(),
          abortOnError: false,
        })
      : await NestFactory.create(TestAppModule, { logger: new CapturingLogger(), abortOnError: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  if (options.wireCallbacks !== false) {
    const path = (options.extras?.webhooks?.path ?? 'orange-sms/webhooks').replace(/^\/+|\/+$/g, '');
    emulator.deliveryReceiptUrl = `${url}/${path}/delivery-receipts?token=${WEBHOOK_SECRET}`;
    emulator.inboundUrl = `${url}/${path}/inbound?token=${WEBHOOK_SECRET}`;
  }
  return { app, url, close: () => app.close() };
}

/** Resolves once `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * One emulator for a spec file and at most one app at a time: the emulator starts before the file's
 * tests and stops after them; after each test the app (`ctx.app`, if one was started) is closed and
 * the emulator reset.
 */
export function useEmulator(options: OrangeSmsEmulatorOptions = {}): { emulator: OrangeSmsEmulator; app?: TestApp } {
  const ctx = {} as { emulator: OrangeSmsEmulator; app?: TestApp };
  beforeAll(async () => {
    ctx.emulator = await OrangeSmsEmulator.start(options);
  });
  afterEach(async () => {
    await ctx.app?.close();
    ctx.app = undefined;
    ctx.emulator.reset();
  });
  afterAll(() => ctx.emulator.stop());
  return ctx;
}
