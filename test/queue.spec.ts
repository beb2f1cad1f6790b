import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OnSmsSent, OrangeSmsService, OrangeSmsValidationError, SmsSentEvent } from '../lib/index.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, waitFor } from './support/test-app.js';
import { WorkerProcess } from './support/worker-process.js';

@Injectable()
class SentCounter {
  static sent: SmsSentEvent[] = [];
  @OnSmsSent()
  onSent(event: SmsSentEvent) {
    SentCounter.sent.push(event);
  }
}

describe('durable outbound queue (BullMQ on a real redis-server)', () => {
  let redis: TestRedis;
  let emulator: OrangeSmsEmulator;
  let producer: TestApp | undefined;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
    await producer?.close();
    producer = undefined;
    emulator.reset();
    SentCounter.sent = [];
  });
  afterAll(async () => {
    await emulator.stop();
    await redis.stop();
  });

  const env = () => ({
    EMULATOR_URL: emulator.url,
    CLIENT_ID: emulator.credentials.clientId,
    CLIENT_SECRET: emulator.credentials.clientSecret,
    REDIS_URL: redis.url,
  });

  it('enqueue returns at once; the same reference enqueued twice is sent once; SmsSent is emitted', async () => {
    producer = await startTestApp(emulator, {
      providers: [SentCounter],
      options: {
        rateLimit: { perSecond: 50 },
        redis: { url: redis.url, keyPrefix: 'dedupe:' },
        queue: { enabled: true },
      },
      wireCallbacks: false,
    });
    const sms = producer.app.get(OrangeSmsService);
    const first = await sms.enqueue({ to: '+2250700000001', text: 'order shipped', reference: 'order-77' });
    const again = await sms.enqueue({ to: '+2250700000001', text: 'order shipped', reference: 'order-77' });
    expect(again).toEqual(first);
    const other = await sms.enqueue({ to: '+2250700000002', text: 'no reference' });
    expect(other.reference).toMatch(/^[0-9a-f-]{36}$/);

    await waitFor(() => emulator.messages.length === 2 && SentCounter.sent.length === 2, 10_000, 'two sends');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(emulator.messages.map((m) => m.text).sort()).toEqual(['no reference', 'order shipped']);
    expect(SentCounter.sent.map((e) => e.message.reference).sort()).toEqual([other.reference, 'order-77'].sort());
    expect((await sms.listMessages({ reference: 'order-77' }))[0]).toMatchObject({
      text: 'order shipped',
      status: 'submitted',
    });
  }, 20_000);

  it('invalid input is rejected at enqueue time, before anything is queued', async () => {
    producer = await startTestApp(emulator, {
      options: { redis: { url: redis.url, keyPrefix: 'invalid:' }, queue: { enabled: true, worker: false } },
      wireCallbacks: false,
    });
    await expect(producer.app.get(OrangeSmsService).enqueue({ to: 'nobody', text: 'x' })).rejects.toBeInstanceOf(
      OrangeSmsValidationError,
    );
  });

  it('a worker killed (SIGKILL) in the middle of 200 messages, then restarted: every message reaches Orange, none twice', async () => {
    // The worker processes (test/support/queue-worker.mjs) use the default key prefix.
    producer = await startTestApp(emulator, {
      options: { redis: { url: redis.url }, queue: { enabled: true, worker: false } },
      wireCallbacks: false,
    });
    const refs = Array.from({ length: 200 }, (_, i) => `msg-${i}`);
    await producer.app
      .get(OrangeSmsService)
      .enqueueMany(refs.map((reference) => ({ to: '+2250700000001', text: reference, reference })));

    const first = new WorkerProcess(env());
    workers.push(first);
    await first.ready;
    await waitFor(() => emulator.messages.length >= 60, 20_000, '60 messages from the first worker');
    await first.kill('SIGKILL');
    const beforeRestart = emulator.messages.length;
    expect(beforeRestart).toBeLessThan(200);

    const second = new WorkerProcess(env());
    workers.push(second);
    await second.ready;
    const unknown = () =>
      new Set(second.failures.filter((f) => f.error === 'OrangeSmsOutcomeUnknownError').map((f) => f.failed));
    const reached = () => new Set(emulator.messages.map((m) => m.text));
    await waitFor(
      () => refs.every((ref) => reached().has(ref) || unknown().has(ref)),
      40_000,
      'every message sent or reported unknown',
    );

    const texts = emulator.messages.map((m) => m.text);
    const duplicates = texts.filter((text, i) => texts.indexOf(text) !== i);
    // A message cut off mid-request is reported as unknown, never sent again.
    expect(duplicates.filter((text) => !unknown().has(text))).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(second.failures.filter((f) => f.error !== 'OrangeSmsOutcomeUnknownError')).toEqual([]);
    const missing = refs.filter((ref) => !reached().has(ref));
    expect(missing.every((ref) => unknown().has(ref))).toBe(true);
    // At most the jobs in flight when the worker died (concurrency 5) can be unknown.
    expect(unknown().size).toBeLessThanOrEqual(5);
    console.log(
      `queue kill test: ${beforeRestart} sent before SIGKILL, ${reached().size}/200 reached Orange, ` +
        `${unknown().size} reported OrangeSmsOutcomeUnknownError (${unknown().size - missing.length} of them had reached Orange), 0 duplicates`,
    );
  }, 90_000);
});
