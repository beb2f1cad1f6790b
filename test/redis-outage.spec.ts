import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OnSmsFailed, OrangeSmsService, OrangeSmsStoreError, SmsFailedEvent } from '../lib/index.js';
import { capturedLogs } from './support/log-capture.js';
import { startRedisFaultProxy } from './support/redis-fault-proxy.js';
import { freePort, startRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, waitFor } from './support/test-app.js';
import { WorkerProcess } from './support/worker-process.js';

@Injectable()
class FailureCounter {
  static failed: SmsFailedEvent[] = [];
  @OnSmsFailed()
  onFailed(event: SmsFailedEvent) {
    FailureCounter.failed.push(event);
  }
}

async function elapsed<T>(promise: Promise<T>): Promise<{ ms: number; error?: unknown; value?: T }> {
  const started = Date.now();
  try {
    const value = await promise;
    return { ms: Date.now() - started, value };
  } catch (error) {
    return { ms: Date.now() - started, error };
  }
}

describe('Redis faults are bounded in time', () => {
  let emulator: OrangeSmsEmulator;
  let app: TestApp | undefined;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    emulator.reset();
    FailureCounter.failed = [];
  });
  afterAll(() => emulator.stop());

  const bootEnv = (redisUrl: string) => ({
    EMULATOR_URL: emulator.url,
    CLIENT_ID: emulator.credentials.clientId,
    CLIENT_SECRET: emulator.credentials.clientSecret,
    REDIS_URL: redisUrl,
    CONNECT_MS: '1500',
    LOGGER: '1',
  });

  it('Redis down at boot: boot fails within connectTimeoutMs naming host:port, the process exits, no stray error stack', async () => {
    const port = await freePort(); // nothing listens there
    const worker = new WorkerProcess(bootEnv(`redis://:s3cret-pass@127.0.0.1:${port}`));
    const exit = await elapsed(worker.exited);
    // The process ends by itself: nothing keeps reconnecting after a failed boot.
    expect(exit.value).toBe(1);
    expect(worker.bootError).toMatchObject({ name: 'OrangeSmsStoreError' });
    expect(worker.bootError!.bootError).toContain(`Redis at 127.0.0.1:${port}`);
    const output = `${worker.stderr}${JSON.stringify(worker.bootError)}${worker.stdoutRest}`;
    expect(output).not.toContain('s3cret-pass');
    expect(worker.stderr).not.toMatch(/Unhandled|^\s+at /m);
    // Far from the 74 s of ioredis's default retries; the process start is included.
    expect(exit.ms).toBeLessThan(15_000);
    console.log(`boot with Redis down: failed after ${exit.ms} ms (process start included)`);
  }, 30_000);

  it('Redis that accepts the connection but never answers: boot fails within connectTimeoutMs', async () => {
    const port = await freePort();
    const redis = await startRedis({ port });
    const proxy = await startRedisFaultProxy({ port });
    try {
      proxy.pause();
      const worker = new WorkerProcess(bootEnv(proxy.url));
      const exit = await elapsed(worker.exited);
      expect(exit.value).toBe(1);
      expect(worker.bootError!.bootError).toMatch(
        new RegExp(`Redis at 127\\.0\\.0\\.1:${proxy.port} did not answer within 1500 ms`),
      );
      expect(worker.stderr).not.toMatch(/Unhandled|^\s+at /m);
    } finally {
      await proxy.close();
      await redis.kill();
    }
  }, 30_000);

  it('Redis killed mid-run: calls fail within the bound with OrangeSmsStoreError, nothing is sent, then it recovers without a restart', async () => {
    const port = await freePort();
    let redis = await startRedis({ port });
    try {
      app = await startTestApp(emulator, {
        providers: [FailureCounter],
        options: {
          rateLimit: { perSecond: 50 },
          redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: 'outage:', commandTimeoutMs: 1_000 },
          queue: { enabled: true, worker: false },
        },
        wireCallbacks: false,
      });
      const sms = app.app.get(OrangeSmsService);
      await sms.send({ to: '+2250700000001', text: 'before' });
      capturedLogs.length = 0;

      await redis.kill();
      for (let i = 0; i < 3; i++) {
        const send = await elapsed(sms.send({ to: '+2250700000001', text: 'during' }));
        expect(send.error).toBeInstanceOf(OrangeSmsStoreError);
        expect(send.ms).toBeLessThan(3_000);
      }
      const enqueue = await elapsed(sms.enqueue({ to: '+2250700000001', text: 'queued during', reference: 'q1' }));
      expect(enqueue.error).toBeInstanceOf(OrangeSmsStoreError);
      expect(enqueue.ms).toBeLessThan(3_000);
      await waitFor(() => FailureCounter.failed.length === 3, 2_000, 'SmsFailed for each send');
      expect(FailureCounter.failed.every((event) => event.error instanceof OrangeSmsStoreError)).toBe(true);
      // Fail closed: the opt-out state could not be read, so nothing left for Orange.
      expect(emulator.messages.map((m) => m.text)).toEqual(['before']);
      // One warning for the outage, whatever the number of failed calls and reconnection attempts. The
      // calls above fail at once (no offline queue), so the first reconnection error may still be on its way.
      const unreachable = () => capturedLogs.some((line) => line.startsWith('warn:') && line.includes('unreachable'));
      await waitFor(unreachable, 3_000, 'the outage warning');
      expect(capturedLogs.filter((line) => line.startsWith('warn:') && line.includes('unreachable'))).toHaveLength(1);
      expect(capturedLogs.join('\n')).toContain(`127.0.0.1:${port}`);

      redis = await startRedis({ port });
      await waitFor(() => capturedLogs.some((line) => line.includes('reachable again')), 10_000, 'reconnection');
      await sms.send({ to: '+2250700000001', text: 'after' });
      await sms.enqueue({ to: '+2250700000001', text: 'queued after', reference: 'q2' });
      expect(emulator.messages.map((m) => m.text)).toEqual(['before', 'after']);
    } finally {
      await app?.close();
      app = undefined;
      await redis.kill();
    }
  }, 40_000);

  it('Redis stuck (no answer) and a failing opt-out read: the send fails closed with OrangeSmsStoreError, then works again', async () => {
    const port = await freePort();
    const redis = await startRedis({ port });
    const proxy = await startRedisFaultProxy({ port });
    try {
      app = await startTestApp(emulator, {
        providers: [FailureCounter],
        options: {
          rateLimit: { perSecond: 50 },
          redis: { url: proxy.url, keyPrefix: 'stuck:', commandTimeoutMs: 800 },
        },
        wireCallbacks: false,
      });
      const sms = app.app.get(OrangeSmsService);
      await sms.send({ to: '+2250700000001', text: 'before' });

      proxy.pause();
      const stuck = await elapsed(sms.send({ to: '+2250700000001', text: 'stuck' }));
      expect(stuck.error).toBeInstanceOf(OrangeSmsStoreError);
      expect(stuck.ms).toBeLessThan(2_500);
      proxy.resume();

      // The opt-out read alone fails (a failover's READONLY, a lost reply …): unknown state, not sent.
      const failed = proxy.failCommand(
        (command) => command.some((part) => part.includes('optout')),
        'LOADING injected',
      );
      const unknown = await elapsed(sms.send({ to: '+2250700000002', text: 'opt-out unknown' }));
      await failed;
      expect(unknown.error).toBeInstanceOf(OrangeSmsStoreError);

      await sms.send({ to: '+2250700000001', text: 'after' });
      expect(emulator.messages.map((m) => m.text)).toEqual(['before', 'after']);
      await waitFor(() => FailureCounter.failed.length === 2, 2_000, 'SmsFailed for both');
    } finally {
      await app?.close();
      app = undefined;
      await proxy.close();
      await redis.kill();
    }
  }, 30_000);
});
