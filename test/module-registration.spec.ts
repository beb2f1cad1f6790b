import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  ORANGE_SMS_MODULE_OPTIONS,
  OrangeSmsConfigurationError,
  OrangeSmsModule,
  type OrangeSmsModuleOptions,
  OrangeSmsService,
} from '../lib/index.js';
import { emulatorOptions, startTestApp, type TestApp, useEmulator } from './support/test-app.js';

describe('OrangeSmsModule registration', () => {
  const ctx = useEmulator({ autoDeliveryStatus: null });

  async function sendThrough(app: TestApp): Promise<string> {
    const sent = await app.app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'hello' });
    return sent.id;
  }

  it('forRoot: sends through the emulator and exposes the options under ORANGE_SMS_MODULE_OPTIONS', async () => {
    ctx.app = await startTestApp(ctx.emulator);
    expect(ORANGE_SMS_MODULE_OPTIONS).toBe('ORANGE_SMS_MODULE_OPTIONS');
    const options = ctx.app.app.get<OrangeSmsModuleOptions>(ORANGE_SMS_MODULE_OPTIONS);
    expect(options.senderAddress).toBe('tel:+2250000');
    const id = await sendThrough(ctx.app);
    expect(ctx.emulator.messages.map((m) => m.id)).toEqual([id]);
  });

  it('forRootAsync with useFactory, imports and inject (ConfigService)', async () => {
    const env = {
      ORANGE_SMS_CLIENT_ID: ctx.emulator.credentials.clientId,
      ORANGE_SMS_CLIENT_SECRET: ctx.emulator.credentials.clientSecret,
      ORANGE_SMS_BASE_URL: ctx.emulator.url,
    };
    ctx.app = await startTestApp(ctx.emulator, {
      orangeSms: OrangeSmsModule.forRootAsync({
        imports: [ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => env] })],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          clientId: config.getOrThrow('ORANGE_SMS_CLIENT_ID'),
          clientSecret: config.getOrThrow('ORANGE_SMS_CLIENT_SECRET'),
          baseUrl: config.getOrThrow('ORANGE_SMS_BASE_URL'),
          country: 'CMR',
          webhookSecret: 'a-secret-of-sixteen-chars',
        }),
      }),
    });
    await sendThrough(ctx.app);
    expect(ctx.emulator.messages[0]!.senderAddress).toBe('tel:+2370000');
  });

  it('forRootAsync with useClass', async () => {
    @Injectable()
    class OrangeSmsConfig {
      create(): OrangeSmsModuleOptions {
        return emulatorOptions(ctx.emulator, { senderName: 'ACME' });
      }
    }
    ctx.app = await startTestApp(ctx.emulator, {
      orangeSms: OrangeSmsModule.forRootAsync({ useClass: OrangeSmsConfig }),
    });
    await sendThrough(ctx.app);
    expect(ctx.emulator.messages[0]!.senderName).toBe('ACME');
  });

  it('forRootAsync with useExisting', async () => {
    @Injectable()
    class SharedConfig {
      create(): OrangeSmsModuleOptions {
        return emulatorOptions(ctx.emulator, { senderName: 'SHARED' });
      }
    }
    @Module({ providers: [SharedConfig], exports: [SharedConfig] })
    class SharedConfigModule {}
    ctx.app = await startTestApp(ctx.emulator, {
      orangeSms: OrangeSmsModule.forRootAsync({ imports: [SharedConfigModule], useExisting: SharedConfig }),
    });
    await sendThrough(ctx.app);
    expect(ctx.emulator.messages[0]!.senderName).toBe('SHARED');
  });

  describe('isGlobal', () => {
    @Injectable()
    class Notifier {
      constructor(readonly sms: OrangeSmsService) {}
    }
    @Module({ providers: [Notifier], exports: [Notifier] })
    class FeatureModule {}

    it('is global by default: a feature module injects OrangeSmsService without importing it', async () => {
      ctx.app = await startTestApp(ctx.emulator, { imports: [FeatureModule] });
      expect(ctx.app.app.get(Notifier).sms).toBeInstanceOf(OrangeSmsService);
    });

    it('isGlobal: false keeps it private to the importing module', async () => {
      await expect(
        startTestApp(ctx.emulator, { imports: [FeatureModule], extras: { isGlobal: false } }),
      ).rejects.toThrow(/OrangeSmsService/);
    });
  });

  describe('bad options fail the bootstrap', () => {
    async function bootError(options: OrangeSmsModuleOptions): Promise<OrangeSmsConfigurationError> {
      @Module({ imports: [EventEmitterModule.forRoot(), OrangeSmsModule.forRoot(options)] })
      class BadModule {}
      const error = await NestFactory.create(BadModule, { logger: false, abortOnError: false }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
      return error as OrangeSmsConfigurationError;
    }

    it('one error names every bad field and never echoes a secret', async () => {
      const error = await bootError({
        clientSecret: 'super-secret-value',
        country: 'FRA',
        senderName: 'Far too long a name!',
        baseUrl: 'http://api.example.com',
        timeoutMs: -1,
        rateLimit: { perSecond: 0 },
        webhookSecret: 'short',
      });
      expect(error.issues.map((issue) => issue.field)).toEqual([
        'clientId',
        'country',
        'senderName',
        'baseUrl',
        'timeoutMs',
        'rateLimit.perSecond',
        'webhookSecret',
      ]);
      expect(error.message).toContain('Invalid OrangeSmsModule options');
      expect(error.message).not.toContain('super-secret-value');
      expect(error.message).not.toContain('short');
    });

    it('asks for a sender when neither senderAddress nor country is given', async () => {
      const error = await bootError({
        clientId: 'id',
        clientSecret: 'secret',
        webhookSecret: 'a-secret-of-sixteen-chars',
      });
      expect(error.issues).toEqual([{ field: 'senderAddress', reason: expect.stringContaining('country') }]);
    });

    it('refuses an enabled webhook controller without a secret (fail closed)', async () => {
      const error = await bootError({ clientId: 'id', clientSecret: 'secret', country: 'CIV' });
      expect(error.issues[0]!.field).toBe('webhookSecret');
    });

    it('boots without a secret when the webhook controller is off', async () => {
      ctx.app = await startTestApp(ctx.emulator, {
        options: { webhookSecret: undefined },
        extras: { webhooks: { enabled: false } },
        wireCallbacks: false,
      });
      const response = await fetch(`${ctx.app.url}/orange-sms/webhooks/inbound`, { method: 'POST' });
      expect(response.status).toBe(404);
    });

    it('names a missing EventEmitterModule', async () => {
      @Module({ imports: [OrangeSmsModule.forRoot(emulatorOptions(ctx.emulator))] })
      class NoEmitterModule {}
      const error = await NestFactory.create(NoEmitterModule, { logger: false, abortOnError: false }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
      expect((error as Error).message).toContain('EventEmitterModule.forRoot()');
    });
  });
});
