/**
 * A hostile review of the pacing toward Orange: every test counts at the emulator (`requests[].at` of
 * every send request, whatever its answer) that no sliding second holds more than the rate, and that
 * each message was sent once or failed with an error. Fleet tests run real instances (in this process,
 * and in child processes that can be stopped or killed) on a real redis-server.
 */
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OnSmsFailed, OrangeSmsService, type SendSmsInput, SmsFailedEvent } from '../lib/index.js';
import { startBodyHoldingProxy } from './support/body-holding-proxy.js';
import { PacingInstance } from './support/pacing-instance.js';
import { startRedisFaultProxy } from './support/redis-fault-proxy.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, waitFor } from './support/test-app.js';
import { maxInWindow } from './support/windows.js';

const RATE = 5;

@Injectable()
class FailureLog {
  static failed: SmsFailedEvent[] = [];
  @OnSmsFailed()
  onFailed(event: SmsFailedEvent) {
    FailureLog.failed.push(event);
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inputs(tag: string, count: number, number = 0): SendSmsInput[] {
  return Array.from({ length: count }, (_, i) => ({
    to: `+22507${String(number).padStart(2, '0')}${String(i).padStart(6, '0')}`,
    text: `${tag} ${i}`,
  }));
}

describe('pacing under attack', () => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis;
  let client: Redis;
  const apps: TestApp[] = [];
  const instances: PacingInstance[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let prefixCount = 0;
  let keyPrefix = '';

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null, rateLimitPerSecond: RATE });
    redis = await startRedis();
    client = new Redis(redis.url);
  });
  beforeEach(() => {
    keyPrefix = `attack${prefixCount++}:`;
  });
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((instance) => instance.kill()));
    await Promise.all(apps.splice(0).map((app) => app.close()));
    for (const cleanup of cleanups.splice(0)) await cleanup();
    emulator.reset();
  });
  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    await emulator.stop();
  });

  /** Every send request Orange received (any answer), when it arrived. */
  const sendTimes = () => emulator.requests.filter((r) => r.kind === 'send').map((r) => r.at.getTime());
  const sendStatuses = () => emulator.requests.filter((r) => r.kind === 'send').map((r) => r.status);
  /** With TRACE=1: each send request as [ms from the first, status, text], to read a failure. */
  const trace = () => {
    if (!process.env.TRACE) return;
    const sends = emulator.requests.filter((r) => r.kind === 'send');
    const t0 = Math.min(...sends.map((r) => r.at.getTime()));
    const text = (r: (typeof sends)[number]) =>
      (r.json as { outboundSMSMessageRequest?: { outboundSMSTextMessage?: { message?: string } } })
        ?.outboundSMSMessageRequest?.outboundSMSTextMessage?.message;
    process.stdout.write(`${JSON.stringify(sends.map((r) => [r.at.getTime() - t0, r.status, text(r)]))}\n`);
  };
  /** How many times each text reached Orange as an accepted SMS: never twice. */
  const acceptedTwice = () => {
    const seen = new Map<string, number>();
    for (const sms of emulator.messages) seen.set(sms.text, (seen.get(sms.text) ?? 0) + 1);
    return [...seen].filter(([, count]) => count > 1);
  };

  async function fleetApp(overrides: Record<string, unknown> = {}, redisUrl = redis.url): Promise<TestApp> {
    const app = await startTestApp(emulator, {
      options: { rateLimit: { perSecond: RATE }, redis: { url: redisUrl, keyPrefix }, ...overrides },
      wireCallbacks: false,
    });
    apps.push(app);
    return app;
  }

  async function instance(env: Record<string, string>): Promise<PacingInstance> {
    const started = new PacingInstance({
      EMULATOR_URL: emulator.url,
      CLIENT_ID: emulator.credentials.clientId,
      CLIENT_SECRET: emulator.credentials.clientSecret,
      REDIS_URL: redis.url,
      RATE: String(RATE),
      KEY_PREFIX: keyPrefix,
      ...env,
    });
    instances.push(started);
    await Promise.race([
      started.ready,
      started.exited.then(() => {
        throw new Error(`instance exited: ${started.bootError ?? started.stderr}`);
      }),
    ]);
    return started;
  }

  /** The pacing state's entries (`token,countedUs,leaseUs`); unsettled ones have countedUs 0. */
  async function pacerEntries(): Promise<string[]> {
    const [key] = await client.keys(`${keyPrefix}pacer:*`);
    if (!key) return [];
    return ((await client.hget(key, 'entries')) ?? '').split(';').filter(Boolean);
  }
  const unsettled = async () => (await pacerEntries()).filter((entry) => entry.split(',')[1] === '0').length;

  // LIMIT (no fix on our side can close it): the instance stops between the pacing's check and the
  // write itself; woken after its lease has run out, it writes into a second the fleet has filled.
  // Orange sees R + 1 (the emulator answers 429). `it.failing` passes while the limit is there.
  it.failing(
    'LIMIT: an instance stopped (SIGSTOP) after being let go and before writing writes after its lease, into a full second',
    async () => {
      const stopped = await instance({ TIMEOUT_MS: '1000' });
      const steady = await fleetApp();
      // Fresh state waits the worst case once; after it the window is free.
      expect(await stopped.send('warm-up', 1)).toMatchObject({ sent: 1 });
      await sleep(1_200);
      const late = stopped.send('late', 1, { stopBeforeWrite: true });
      // Let go by the fleet's pacing (its place is held in Redis), stopped before its request is written.
      await stopped.stopping;
      expect(await unsettled()).toBe(1);
      const stream = steady.app.get(OrangeSmsService).sendMany(inputs('steady', 25, 1), { concurrency: 5 });
      // Past the lease (attempt timeout 1 s + 1 s) and its window: the fleet fills every second.
      await sleep(4_000);
      stopped.signal('SIGCONT');
      const [lateDone, streamDone] = await Promise.all([late, stream]);
      trace();
      expect(lateDone.sent + lateDone.failed).toBe(1);
      expect(streamDone.sent).toBe(25);
      expect(acceptedTwice()).toEqual([]);
      expect(sendStatuses().filter((status) => status !== 201)).toEqual([]);
      expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
    },
    30_000,
  );

  // Was a bug (fleet pacing): the lease runs from when the send was let go, but the attempt then awaited
  // its token (up to the attempt timeout) and `beforeWrite` before writing. A departure unused for
  // STALE_DEPARTURE_MS is now given up and a fresh one taken right before the write.
  it('a send let go while its token is being renewed waits for the token, then for its way: it still never makes R + 1', async () => {
    // The pacing lets a send go, then the attempt gets its token: normally cached, but a 401 code 42
    // of another send of this instance dropped it, and Orange's token endpoint is slow. The lease
    // (attempt timeout + 1 s) started when the send was let go; the send is written only once the
    // token is in, and is slow on its way too (each under the attempt timeout).
    let holdTokens = false;
    let victimHeld = false;
    const proxy = await startBodyHoldingProxy(emulator.url, ({ path, body }) => {
      if (holdTokens && path.includes('/oauth/')) return 4_500;
      if (holdTokens && /\/requests$/.test(path) && body.includes('victim') && !victimHeld) {
        victimHeld = true;
        return 4_500;
      }
      return 0;
    });
    cleanups.push(() => proxy.close());
    const victim = await fleetApp({ baseUrl: proxy.url, timeoutMs: 5_000 });
    const steady = await fleetApp();
    const victimSms = victim.app.get(OrangeSmsService);
    expect((await victimSms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
    await sleep(1_200);
    emulator.expireTokens();
    holdTokens = true;
    const started = Date.now();
    const pair = victimSms.sendMany([...inputs('trigger', 1, 2), ...inputs('victim', 1, 3)], { concurrency: 2 });
    await sleep(6_000 - (Date.now() - started));
    const stream = steady.app.get(OrangeSmsService).sendMany(inputs('steady', 20, 1), { concurrency: 5 });
    const [pairDone, streamDone] = await Promise.all([pair, stream]);
    trace();
    expect(victimHeld).toBe(true);
    expect(pairDone.sent).toBe(2);
    expect(streamDone.sent).toBe(20);
    expect(acceptedTwice()).toEqual([]);
    expect(sendStatuses().filter((status) => status !== 201 && status !== 401)).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 30_000);

  // LIMIT, documented (README, Redis failure table: "provided what was let go reached Orange within
  // that second"), but against the claim "whatever delays requests on their way": lost state assumes
  // the sends let go before it arrive within 1 s, while one may be on its way for its whole lease.
  // Fix (in /work/notes/pacingattack.md): the lost-state floor is the lease. Turn into `it` with it.
  it.failing(
    'LIMIT: Redis loses the state (FLUSHALL) while sends let go are still on their way: the fleet waits until they are in',
    async () => {
      // Five sends let go, each held 2.5 s on its way (under the 3 s attempt timeout), then the state
      // is lost. The sends after it must not share a second at Orange with the five.
      const proxy = await startBodyHoldingProxy(emulator.url, ({ path, body }) =>
        /\/requests$/.test(path) && body.includes('held') ? 2_500 : 0,
      );
      cleanups.push(() => proxy.close());
      const app = await fleetApp({ baseUrl: proxy.url, timeoutMs: 3_000 });
      const sms = app.app.get(OrangeSmsService);
      expect((await sms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
      await sleep(1_200);
      const held = sms.sendMany(inputs('held', RATE, 2), { concurrency: RATE });
      const deadline = Date.now() + 5_000;
      while ((await unsettled()) < RATE && Date.now() < deadline) await sleep(20);
      expect(await unsettled()).toBe(RATE);
      await client.flushall();
      const after = sms.sendMany(inputs('after', 10, 3), { concurrency: RATE });
      const [heldDone, afterDone] = await Promise.all([held, after]);
      trace();
      expect(heldDone.sent).toBe(RATE);
      expect(afterDone.sent).toBe(10);
      expect(acceptedTwice()).toEqual([]);
      expect(sendStatuses().filter((status) => status !== 201)).toEqual([]);
      expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
    },
    30_000,
  );

  it('two instances, sendMany at concurrency 15 each, while tokens expire (401 code 42 replays) and Orange answers 503 and 429: every write paced', async () => {
    const [a, b] = [await fleetApp(), await fleetApp()];
    // Warm up the fleet (fresh state waits the worst case once) and both instances' tokens.
    await Promise.all([a, b].map((app, i) => app.app.get(OrangeSmsService).sendMany(inputs('warm-up', 1, 10 + i))));
    emulator.reset();
    const bulk = [a, b].map((app, i) =>
      app.app.get(OrangeSmsService).sendMany(inputs(`bulk${i}`, 15, i), { concurrency: 15 }),
    );
    await sleep(700);
    emulator.failNext({ match: 'send', status: 503, count: 2 });
    emulator.failNext({ match: 'send', status: 429, count: 1 });
    emulator.expireTokens();
    await sleep(1_500);
    emulator.expireTokens();
    const done = await Promise.all(bulk);
    trace();
    const statuses = sendStatuses();
    // The replays and retries did happen: each is one more write the pacing had to let go.
    expect(statuses.filter((status) => status === 401).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((status) => status === 503)).toHaveLength(2);
    // Only the injected 429: the emulator's own limit was never hit.
    expect(statuses.filter((status) => status === 429)).toHaveLength(1);
    for (const result of done) expect(result.sent + result.failed).toBe(15);
    expect(emulator.messages).toHaveLength(done[0]!.sent + done[1]!.sent);
    expect(acceptedTwice()).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 30_000);

  it('one instance without Redis: the token replay (401 code 42) is a second write, paced like the first', async () => {
    const app = await startTestApp(emulator, { options: { rateLimit: { perSecond: RATE } }, wireCallbacks: false });
    apps.push(app);
    const sms = app.app.get(OrangeSmsService);
    expect((await sms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
    emulator.reset();
    const bulk = sms.sendMany(inputs('bulk', 12), { concurrency: 12 });
    await sleep(500);
    emulator.expireTokens();
    const done = await bulk;
    trace();
    expect(sendStatuses().filter((status) => status === 401).length).toBeGreaterThanOrEqual(1);
    expect(sendStatuses().filter((status) => status !== 201 && status !== 401)).toEqual([]);
    expect(done.sent).toBe(12);
    expect(acceptedTwice()).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 20_000);

  it('an instance SIGKILLed with sends on their way: the others wait for its lease, then go on, never making R + 1', async () => {
    // Its sends are held 1.5 s on their way and still arrive after it died (the proxy forwards them).
    let doomedWritten = 0;
    const proxy = await startBodyHoldingProxy(emulator.url, ({ path, body }) => {
      if (!/\/requests$/.test(path) || !body.includes('doomed')) return 0;
      doomedWritten++;
      return 1_500;
    });
    cleanups.push(() => proxy.close());
    const doomed = await instance({ BASE_URL: proxy.url, TIMEOUT_MS: '2000' });
    const survivor = await fleetApp();
    expect(await doomed.send('warm-up', 1)).toMatchObject({ sent: 1 });
    await sleep(1_200);
    void doomed.send('doomed', RATE);
    await waitFor(() => doomedWritten >= 3, 5_000, 'three sends written by the doomed instance');
    await doomed.kill();
    // Its places are still held in Redis: the lease (attempt timeout 2 s + 1 s) has not run out.
    expect(await unsettled()).toBeGreaterThanOrEqual(3);
    const done = await survivor.app.get(OrangeSmsService).sendMany(inputs('survivor', 10, 1), { concurrency: 5 });
    // Let the held ones land before counting.
    await sleep(1_600);
    trace();
    expect(done.sent).toBe(10);
    expect(emulator.messages.filter((sms) => sms.text.startsWith('doomed'))).toHaveLength(doomedWritten);
    expect(sendStatuses().filter((status) => status !== 201)).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 30_000);

  it('a settle whose Redis reply is lost (connection cut, ioredis resends it): the fleet goes on, nothing twice, never R + 1', async () => {
    const proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    cleanups.push(() => proxy.close());
    const app = await fleetApp({}, proxy.url);
    const sms = app.app.get(OrangeSmsService);
    expect((await sms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
    // SETTLE: [EVALSHA sha | EVAL body, 1, key, token]; DEPART has more arguments.
    const isSettle = (command: string[]) =>
      /^EVAL(SHA)?$/.test(command[0]!) && (command[3] ?? '').includes(':pacer:') && command.length === 5;
    const dropped = proxy.dropReply(isSettle);
    const done = await sms.sendMany(inputs('bulk', 12), { concurrency: 6 });
    await dropped;
    trace();
    expect(done.sent + done.failed).toBe(12);
    expect(done.results.filter((r) => r.status === 'failed').map((r) => r.status === 'failed' && r.error.name)).toEqual(
      Array(done.failed).fill('OrangeSmsStoreError'),
    );
    expect(emulator.messages.filter((sms) => sms.text.startsWith('bulk'))).toHaveLength(done.sent);
    expect(done.sent).toBeGreaterThanOrEqual(10);
    expect(acceptedTwice()).toEqual([]);
    expect(sendStatuses().filter((status) => status !== 201)).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 20_000);

  it('queued sends on two instances, tokens expiring mid-run: every write of the queue is paced with the rest of the fleet', async () => {
    const [a, b] = [
      await fleetApp({ queue: { enabled: true, concurrency: 8 } }),
      await fleetApp({ queue: { enabled: true, concurrency: 8 } }),
    ];
    const direct = b.app.get(OrangeSmsService).sendMany(inputs('direct', 6, 9), { concurrency: 6 });
    for (const [i, input] of inputs('queued', 14, 8).entries()) {
      await [a, b][i % 2]!.app.get(OrangeSmsService).enqueue({ ...input, reference: `${keyPrefix}${i}` });
    }
    await sleep(1_500);
    emulator.expireTokens();
    await waitFor(() => emulator.messages.length === 20, 15_000, 'the 20 sends');
    expect((await direct).sent).toBe(6);
    await sleep(300);
    trace();
    expect(emulator.messages).toHaveLength(20);
    expect(acceptedTwice()).toEqual([]);
    expect(sendStatuses().filter((status) => status !== 201 && status !== 401)).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 30_000);

  // LIMIT: a send that gave up (attempt timeout) counts from then, for one window; if the request still
  // reaches Orange later than that, it shares a second with R others. Holds for delays up to the attempt
  // timeout only. `it.failing` passes while the limit is there.
  it.failing(
    'LIMIT: a send that reaches Orange only after its attempt gave up on it shares a second with R others',
    async () => {
      const proxy = await startBodyHoldingProxy(emulator.url, ({ path, body }) =>
        /\/requests$/.test(path) && body.includes('straggler') ? 2_500 : 0,
      );
      cleanups.push(() => proxy.close());
      const app = await startTestApp(emulator, {
        options: { baseUrl: proxy.url, timeoutMs: 1_000, rateLimit: { perSecond: RATE } },
        wireCallbacks: false,
      });
      apps.push(app);
      const sms = app.app.get(OrangeSmsService);
      expect((await sms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
      await sleep(1_200);
      const straggler = sms.sendMany(inputs('straggler', 1, 1));
      const stream = sms.sendMany(inputs('steady', 20, 2), { concurrency: 5 });
      const [stragglerDone, streamDone] = await Promise.all([straggler, stream]);
      await sleep(1_000);
      trace();
      // The caller was told it failed (timeout), although Orange got it: the usual unknown outcome.
      expect(stragglerDone.failed).toBe(1);
      expect(streamDone.sent).toBe(20);
      expect(sendStatuses().filter((status) => status !== 201)).toEqual([]);
      expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
    },
    20_000,
  );

  // Was a bug (fleet pacing, throughput only): DEPART was not idempotent. Replayed, it recorded a second
  // place (or answered "wait", and the next ask used a new token): the first run's place was never
  // settled and held 1 of R for the lease. A DEPART whose token is already recorded now answers "go".
  it('a DEPART whose Redis reply is lost (ioredis resends it): the place it took is not held on for nothing', async () => {
    const proxy = await startRedisFaultProxy({ port: Number(new URL(redis.url).port) });
    cleanups.push(() => proxy.close());
    const app = await fleetApp({}, proxy.url);
    const sms = app.app.get(OrangeSmsService);
    expect((await sms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
    // An idle second: the next DEPART lets its send go (and records it) before its reply is lost.
    await sleep(1_200);
    const isDepart = (command: string[]) =>
      /^EVAL(SHA)?$/.test(command[0]!) && (command[3] ?? '').includes(':pacer:') && command.length > 5;
    const dropped = proxy.dropReply(isDepart);
    const done = await sms.sendMany(inputs('bulk', 8), { concurrency: 4 });
    await dropped;
    trace();
    expect(done.sent + done.failed).toBe(8);
    expect(acceptedTwice()).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
    // Every send is answered: none of the fleet's places may still be held as in flight.
    await sleep(200);
    expect(await unsettled()).toBe(0);
  }, 20_000);

  it('Redis restarted mid-run (state lost): the sends waiting fail at once with OrangeSmsStoreError and an event, the fleet then goes on, never R + 1', async () => {
    const own = await startRedis();
    const port = Number(new URL(own.url).port);
    cleanups.push(() => own.kill());
    FailureLog.failed = [];
    const app = await startTestApp(emulator, {
      providers: [FailureLog],
      options: { rateLimit: { perSecond: RATE }, redis: { url: own.url, commandTimeoutMs: 500 } },
      wireCallbacks: false,
    });
    apps.push(app);
    const sms = app.app.get(OrangeSmsService);
    expect((await sms.sendMany(inputs('warm-up', 1))).sent).toBe(1);
    const before = sms.sendMany(inputs('before', 15, 1), { concurrency: 5 });
    await sleep(1_000);
    await own.kill();
    const beforeDone = await before;
    const restarted = await startRedis({ port });
    cleanups.push(() => restarted.stop());
    // ioredis reconnects on its own (at most 2 s between tries).
    let afterDone = await sms.sendMany(inputs('after', 1, 2));
    const deadline = Date.now() + 6_000;
    while (afterDone.sent === 0 && Date.now() < deadline) {
      await sleep(300);
      afterDone = await sms.sendMany(inputs('after', 1, 2));
    }
    expect(afterDone.sent).toBe(1);
    const rest = await sms.sendMany(inputs('rest', 10, 3), { concurrency: 5 });
    trace();
    expect(beforeDone.sent + beforeDone.failed).toBe(15);
    expect(beforeDone.failed).toBeGreaterThan(0);
    const failures = beforeDone.results.filter((r) => r.status === 'failed');
    expect(failures.map((r) => r.status === 'failed' && r.error.name)).toEqual(
      Array(failures.length).fill('OrangeSmsStoreError'),
    );
    // Nothing failed that Orange got: a store error before the write means nothing was written.
    expect(emulator.messages.filter((m) => m.text.startsWith('before'))).toHaveLength(beforeDone.sent);
    await waitFor(() => FailureLog.failed.length >= beforeDone.failed, 2_000, 'one SmsFailed per failure');
    expect(rest.sent).toBe(10);
    expect(acceptedTwice()).toEqual([]);
    expect(sendStatuses().filter((status) => status !== 201)).toEqual([]);
    expect(maxInWindow(sendTimes())).toBeLessThanOrEqual(RATE);
  }, 30_000);
});
