import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OnSmsFailed, OrangeSmsService, SmsFailedEvent } from '../lib/index.js';
import { capturedLogs } from './support/log-capture.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, waitFor } from './support/test-app.js';
import { maxInWindow } from './support/windows.js';
import { WorkerProcess } from './support/worker-process.js';

@Injectable()
class FailureCounter {
  static failed: SmsFailedEvent[] = [];
  @OnSmsFailed()
  onFailed(event: SmsFailedEvent) {
    FailureCounter.failed.push(event);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The queue under the faults production brings, on a real redis-server, with workers in their own
 * processes (built package: run `npm run build` first). Short locks keep the takeovers quick.
 */
describe('queue faults: frozen and killed workers, lost Redis state', () => {
  let redis: TestRedis;
  let emulator: OrangeSmsEmulator;
  let producer: TestApp | undefined;
  let fleet: TestApp[] = [];
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.kill('SIGKILL')));
    await producer?.close();
    producer = undefined;
    await Promise.all(fleet.map((app) => app.close()));
    fleet = [];
    emulator.reset();
    FailureCounter.failed = [];
  });
  afterAll(async () => {
    await emulator.stop();
    await redis.stop();
  });

  const workerEnv = (keyPrefix: string, extra: Record<string, string> = {}) => ({
    EMULATOR_URL: emulator.url,
    CLIENT_ID: emulator.credentials.clientId,
    CLIENT_SECRET: emulator.credentials.clientSecret,
    REDIS_URL: redis.url,
    KEY_PREFIX: keyPrefix,
    LOCK_MS: '1500',
    STALLED_MS: '500',
    ...extra,
  });

  async function enqueue(keyPrefix: string, refs: string[]): Promise<void> {
    producer = await startTestApp(emulator, {
      options: { redis: { url: redis.url, keyPrefix }, queue: { enabled: true, worker: false } },
      wireCallbacks: false,
    });
    await producer.app
      .get(OrangeSmsService)
      .enqueueMany(refs.map((reference) => ({ to: '+2250700000001', text: reference, reference })));
  }

  /** Every reference reached Orange once, or was reported; none twice; a reported one that reached Orange was "unknown". */
  function account(refs: string[], reports: { failed: string; error: string }[]) {
    const texts = emulator.messages.map((m) => m.text);
    const duplicates = texts.filter((text, i) => texts.indexOf(text) !== i);
    const sent = new Set(texts);
    const reported = new Set(reports.map((r) => r.failed));
    const missing = refs.filter((ref) => !sent.has(ref) && !reported.has(ref));
    const sentAndReportedAsNotSent = reports.filter(
      (r) => sent.has(r.failed) && r.error !== 'OrangeSmsOutcomeUnknownError',
    );
    return { duplicates, sent: sent.size, reported: reported.size, missing, sentAndReportedAsNotSent };
  }

  it('a worker frozen past its lock (SIGSTOP) and resumed (SIGCONT) never sends what another worker took over', async () => {
    const prefix = 'freeze:';
    const refs = Array.from({ length: 40 }, (_, i) => `freeze-${i}`);
    await enqueue(prefix, refs);
    // 5/s: the frozen worker's five jobs are mostly waiting for their pacing slot, the common case.
    const frozen = new WorkerProcess(workerEnv(prefix, { RATE: '5' }));
    workers.push(frozen);
    await frozen.ready;
    await waitFor(() => emulator.messages.length >= 3, 10_000, 'the first sends');
    frozen.signal('SIGSTOP');
    const rescuer = new WorkerProcess(workerEnv(prefix, { RATE: '5' }));
    workers.push(rescuer);
    await rescuer.ready;
    // Long enough for the lock to run out and the rescuer to take the frozen worker's jobs over.
    await waitFor(() => emulator.messages.length >= 15, 20_000, 'the rescuer sending');
    frozen.signal('SIGCONT');
    const reports = () => [...frozen.failures, ...rescuer.failures];
    await waitFor(() => account(refs, reports()).missing.length === 0, 30_000, 'every message sent or reported');
    await sleep(1_000); // anything the resumed worker would still write arrives now

    const result = account(refs, reports());
    console.log(`SIGSTOP/SIGCONT: ${result.sent} sent, ${result.reported} reported, ${result.duplicates.length} twice`);
    expect(result.duplicates).toEqual([]);
    expect(result.missing).toEqual([]);
    expect(result.sentAndReportedAsNotSent).toEqual([]);
  }, 60_000);

  it('workers killed (SIGKILL) again and again: every enqueued SMS is sent once or reported by SmsFailed', async () => {
    const prefix = 'kills:';
    const refs = Array.from({ length: 150 }, (_, i) => `kill-${i}`);
    await enqueue(prefix, refs);
    const env = workerEnv(prefix, { RATE: '25' });
    const retired: WorkerProcess[] = [];
    const live = [new WorkerProcess(env), new WorkerProcess(env)];
    workers.push(...live);
    await Promise.all(live.map((w) => w.ready));
    for (let round = 0; round < 8; round++) {
      await sleep(700);
      const victim = live.shift()!;
      await victim.kill('SIGKILL');
      retired.push(victim);
      const fresh = new WorkerProcess(env);
      workers.push(fresh);
      live.push(fresh);
      await fresh.ready;
    }
    const reports = () => [...retired, ...live].flatMap((w) => w.failures);
    await waitFor(() => account(refs, reports()).missing.length === 0, 45_000, 'every message sent or reported');
    await sleep(500);

    const result = account(refs, reports());
    console.log(
      `SIGKILL x8: ${result.sent} reached Orange + ${refs.length - result.sent} reported by SmsFailed only = ` +
        `${refs.length} enqueued; ${result.reported} SmsFailed in all, ${result.duplicates.length} sent twice`,
    );
    expect(result.duplicates).toEqual([]);
    expect(result.missing).toEqual([]);
    expect(result.sentAndReportedAsNotSent).toEqual([]);
  }, 90_000);

  it('FLUSHALL in the middle of a run: three paced instances never put more than R in one second at Orange', async () => {
    const prefix = 'flush:';
    fleet = await Promise.all(
      [0, 1, 2].map(() =>
        startTestApp(emulator, {
          options: { rateLimit: { perSecond: 5 }, redis: { url: redis.url, keyPrefix: prefix } },
          wireCallbacks: false,
        }),
      ),
    );
    const admin = new Redis(redis.url);
    try {
      const runs = fleet.map((app, instance) =>
        app.app.get(OrangeSmsService).sendMany(
          Array.from({ length: 12 }, (_, i) => ({ to: `+2250710${instance}${String(i).padStart(5, '0')}`, text: 'x' })),
          { concurrency: 12 },
        ),
      );
      await waitFor(() => emulator.messages.length >= 8, 10_000, 'the run under way');
      await admin.flushall();
      const results = await Promise.all(runs);
      expect(results.map((r) => r.sent)).toEqual([12, 12, 12]);
    } finally {
      admin.disconnect();
    }
    const arrivals = emulator.requests.filter((r) => r.kind === 'send').map((r) => r.at.getTime());
    expect(arrivals).toHaveLength(36);
    expect(maxInWindow(arrivals)).toBeLessThanOrEqual(5);
  }, 40_000);

  it('finished jobs are kept by count as well as age (keepCompleted)', async () => {
    const prefix = 'keep:';
    const worker = await startTestApp(emulator, {
      options: {
        rateLimit: { perSecond: 50 },
        redis: { url: redis.url, keyPrefix: prefix },
        queue: { enabled: true, keepCompleted: { count: 3 } },
      },
      wireCallbacks: false,
    });
    fleet.push(worker);
    await worker.app
      .get(OrangeSmsService)
      .enqueueMany(Array.from({ length: 8 }, (_, i) => ({ to: '+2250700000001', text: `keep-${i}` })));
    await waitFor(() => emulator.messages.length === 8, 10_000, 'eight sends');
    const admin = new Redis(redis.url);
    try {
      await sleep(300); // the last job's completion is recorded after its send
      expect(await admin.zcard('keep:bull:orange-sms:completed')).toBe(3);
    } finally {
      admin.disconnect();
    }
  }, 20_000);

  it('FLUSHALL while SMS wait in the queue: the jobs are gone without a report (documented), Redis is warned about at boot', async () => {
    const prefix = 'lost:';
    const admin = new Redis(redis.url);
    try {
      // A policy that evicts keys without a TTL, on a Redis without persistence (the test server's).
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      capturedLogs.length = 0;
      await enqueue(prefix, ['lost-1', 'lost-2', 'lost-3']);
      const warnings = capturedLogs.filter((line) => line.startsWith('warn:'));
      expect(warnings.filter((line) => line.includes('maxmemory-policy is allkeys-lru'))).toHaveLength(1);
      expect(warnings.filter((line) => line.includes('persistence is off'))).toHaveLength(1);
      expect(warnings.join('\n')).toMatch(/opt-outs .*queued SMS/);

      await admin.flushall();
      const worker = await startTestApp(emulator, {
        providers: [FailureCounter],
        options: { redis: { url: redis.url, keyPrefix: prefix }, queue: { enabled: true } },
        wireCallbacks: false,
      });
      fleet.push(worker);
      await sleep(1_500);
      // What a FLUSHALL does to a queue: nothing is sent and nothing can report it. Hence the warnings.
      expect(emulator.messages).toHaveLength(0);
      expect(FailureCounter.failed).toHaveLength(0);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  }, 30_000);
});
