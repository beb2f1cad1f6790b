import 'reflect-metadata';
import { BullModule, InjectQueue, OnWorkerEvent } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import type { Job, Queue } from 'bullmq';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsModule, OrangeSmsService, OrangeSmsValidationError } from '../lib/index.js';
import {
  OrangeSmsQueueModule,
  OrangeSmsQueueProcessor,
  OrangeSmsQueueService,
  OrangeSmsQueueSetupError,
} from '../lib/queue/index.js';
import { CapturingLogger } from './support/log-capture.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { emulatorOptions, startTestApp, type TestApp, waitFor } from './support/test-app.js';

/** The host's own processor subclass: its @OnWorkerEvent handlers see our queue's worker events. */
class HostQueueProcessor extends OrangeSmsQueueProcessor {
  static completed: string[] = [];
  @OnWorkerEvent('completed')
  onCompleted(job: Job<{ reference: string }>) {
    HostQueueProcessor.completed.push(job.data.reference);
  }
}

/** A host service holding our queue by the usual @nestjs/bullmq means. */
@Injectable()
class HostQueueReader {
  constructor(@InjectQueue('host-sms') readonly queue: Queue) {}
}

describe('OrangeSmsQueueModule (nestjs-orange-sms/queue) on @nestjs/bullmq', () => {
  let redis: TestRedis;
  let emulator: OrangeSmsEmulator;
  let app: TestApp | undefined;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    emulator.reset();
    HostQueueProcessor.completed = [];
  });
  afterAll(async () => {
    await emulator.stop();
    await redis.stop();
  });

  it("reuses the host's BullModule.forRoot connection; @InjectQueue and @OnWorkerEvent work for the host", async () => {
    const { port } = new URL(redis.url);
    app = await startTestApp(emulator, {
      // No redis option in the core: the queue can only be using the host's connection.
      options: { rateLimit: { perSecond: 50 } },
      imports: [
        BullModule.forRoot({ connection: { host: '127.0.0.1', port: Number(port) }, prefix: 'host-bull' }),
        OrangeSmsQueueModule.forRoot({ name: 'host-sms', processor: HostQueueProcessor }),
      ],
      providers: [HostQueueReader],
      wireCallbacks: false,
    });
    const queueService = app.app.get(OrangeSmsQueueService);
    const injected = app.app.get(HostQueueReader).queue;
    expect(queueService.queue).toBe(injected);

    const viaQueueModule = await queueService.enqueue({ to: '+2250700000011', text: 'via queue', reference: 'h-1' });
    const viaCore = await app.app
      .get(OrangeSmsService)
      .enqueue({ to: '+2250700000012', text: 'via core', reference: 'h-2' });

    await waitFor(() => HostQueueProcessor.completed.length === 2, 10_000, 'two completed jobs');
    expect(HostQueueProcessor.completed.sort()).toEqual(['h-1', 'h-2']);
    expect(emulator.messages.map((m) => m.text).sort()).toEqual(['via core', 'via queue']);
    // The jobs live under the host's prefix, on the host's connection.
    const job = await injected.getJob(viaQueueModule.jobId);
    expect(job?.data).toMatchObject({ reference: 'h-1' });
    expect(injected.opts.prefix).toBe('host-bull');
    expect(viaCore.jobId).not.toBe(viaQueueModule.jobId);
  }, 20_000);

  it('the deprecated queue option builds the same module: OrangeSmsQueueService, the queue token, a working worker', async () => {
    app = await startTestApp(emulator, {
      options: {
        rateLimit: { perSecond: 50 },
        redis: { url: redis.url, keyPrefix: 'alias:' },
        queue: { enabled: true, name: 'alias-sms', keepCompleted: { count: 7 } },
      },
      wireCallbacks: false,
    });
    const queueService = app.app.get(OrangeSmsQueueService, { strict: false });
    expect(queueService.queue.name).toBe('alias-sms');
    expect(queueService.queue.opts.prefix).toBe('alias:bull');
    const queued = await app.app
      .get(OrangeSmsService)
      .enqueue({ to: '+2250700000021', text: 'alias', reference: 'a-1' });
    const job = await queueService.queue.getJob(queued.jobId);
    expect(job?.opts.removeOnComplete).toEqual({ count: 7, age: 86_400 });
    await waitFor(() => emulator.messages.length === 1, 10_000, 'the aliased queue to send');
    expect(emulator.messages[0]!.text).toBe('alias');
  }, 20_000);

  it('without the queue module, enqueue fails with a typed error naming what to add', async () => {
    app = await startTestApp(emulator, { wireCallbacks: false });
    const attempt = app.app.get(OrangeSmsService).enqueue({ to: '+2250700000031', text: 'x' });
    await expect(attempt).rejects.toBeInstanceOf(OrangeSmsValidationError);
    await expect(attempt).rejects.toThrow(/OrangeSmsQueueModule\.forRoot\(\).*nestjs-orange-sms\/queue/);
  });

  it('without OrangeSmsModule, the queue module fails at boot with a named error', async () => {
    @Module({ imports: [OrangeSmsQueueModule.forRoot({ connection: { host: '127.0.0.1', port: 1 }, worker: false })] })
    class NoCoreModule {}
    await expect(
      NestFactory.createApplicationContext(NoCoreModule, { logger: new CapturingLogger(), abortOnError: false }),
    ).rejects.toBeInstanceOf(OrangeSmsQueueSetupError);
  });

  it('with OrangeSmsModule not global, the queue module is given it through imports', async () => {
    const core = OrangeSmsModule.forRoot({
      ...emulatorOptions(emulator, { rateLimit: { perSecond: 50 }, redis: { url: redis.url, keyPrefix: 'local:' } }),
      isGlobal: false,
    });
    @Module({ imports: [EventEmitterModule.forRoot(), core, OrangeSmsQueueModule.forRoot({ imports: [core] })] })
    class LocalModule {}
    const context = await NestFactory.createApplicationContext(LocalModule, {
      logger: new CapturingLogger(),
      abortOnError: false,
    });
    try {
      await context.get(OrangeSmsQueueService, { strict: false }).enqueue({ to: '+2250700000041', text: 'local' });
      await waitFor(() => emulator.messages.length === 1, 10_000, 'the local queue to send');
    } finally {
      await context.close();
    }
  }, 20_000);
});
