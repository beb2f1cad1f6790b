import { ORANGE_SMS_RATE_LIMITER } from '../lib/orange-sms.constants.js';
import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsService, OrangeSmsValidationError, type SendSmsInput } from '../lib/index.js';
import { type OrangeSmsRateLimiter } from '../lib/http/orange-sms.rate-limiter.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { maxInWindow } from './support/windows.js';

describe('pacing and sendMany', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let sms: OrangeSmsService;

  beforeAll(async () => {
    // The emulator enforces Orange's 5/s too: any excess would come back as a 429.
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null, rateLimitPerSecond: 5 });
    testApp = await startTestApp(emulator, { wireCallbacks: false });
    sms = testApp.app.get(OrangeSmsService);
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  it('50 messages through sendMany at 5/s: never more than 5 in any one-second window, one result per input in order', async () => {
    const inputs: SendSmsInput[] = Array.from({ length: 50 }, (_, i) => ({
      to: `+225070000${String(i).padStart(4, '0')}`,
      text: `message ${i}`,
      reference: `ref-${i}`,
    }));
    inputs[7] = { to: 'not a number', text: 'bad', reference: 'ref-7' };
    const started = Date.now();
    const result = await sms.sendMany(inputs, { concurrency: 20 });
    const elapsed = Date.now() - started;

    expect(result.results).toHaveLength(50);
    expect(result.results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
    expect(result.sent).toBe(49);
    expect(result.failed).toBe(1);
    const bad = result.results[7]!;
    expect(bad.status === 'failed' && bad.error).toBeInstanceOf(OrangeSmsValidationError);
    for (const item of result.results.filter((r) => r.status === 'sent')) {
      expect(item.status === 'sent' && item.message.reference).toBe(item.input.reference);
    }

    const sends = emulator.requests.filter((r) => r.kind === 'send');
    // The statuses first: a refused or repeated send says more than a count.
    expect(sends.filter((r) => r.status !== 201).map((r) => r.status)).toEqual([]);
    const sendTimes = sends.map((r) => r.at.getTime());
    expect(sendTimes).toHaveLength(49);
    expect(maxInWindow(sendTimes)).toBeLessThanOrEqual(5);
    // 49 sends at 5/s need at least 48 intervals of ~200 ms.
    expect(elapsed).toBeGreaterThanOrEqual(9_000);
  }, 20_000);

  it('send and sendMany share the same pacing', async () => {
    emulator.reset();
    const bulk = sms.sendMany(
      Array.from({ length: 6 }, (_, i) => ({ to: `+2250710000${String(i).padStart(3, '0')}`, text: 'bulk' })),
    );
    const singles = Array.from({ length: 6 }, (_, i) =>
      sms.send({ to: `+2250720000${String(i).padStart(3, '0')}`, text: 'single' }),
    );
    await Promise.all([bulk, ...singles]);
    const sendTimes = emulator.requests.filter((r) => r.kind === 'send').map((r) => r.at.getTime());
    expect(sendTimes).toHaveLength(12);
    expect(maxInWindow(sendTimes)).toBeLessThanOrEqual(5);
  }, 10_000);

  it('a send that cannot be written within 5 ms of its slot takes a new slot instead of bunching', async () => {
    emulator.reset();
    const limiter = testApp.app.get<OrangeSmsRateLimiter>(ORANGE_SMS_RATE_LIMITER);
    const acquire = limiter.acquire.bind(limiter);
    const slots: number[] = [];
    let stalls = 1;
    limiter.acquire = async () => {
      const slot = await acquire();
      slots.push(performance.now());
      // The event loop is held (a GC pause, a busy host) between the slot and the write, once.
      if (stalls-- > 0) {
        const until = performance.now() + 30;
        while (performance.now() < until);
      }
      return slot;
    };
    try {
      await sms.send({ to: '+2250730000001', text: 'late' });
      await sms.send({ to: '+2250730000002', text: 'on time' });
    } finally {
      limiter.acquire = acquire;
    }
    // Two sends, three slots: the stalled one was dropped and a new one taken before the write.
    expect(slots).toHaveLength(3);
    expect(emulator.requests.filter((r) => r.kind === 'send')).toHaveLength(2);
  });

  it('sendMany rejects only when it cannot start', async () => {
    await expect(sms.sendMany('nope' as unknown as SendSmsInput[])).rejects.toBeInstanceOf(OrangeSmsValidationError);
    await expect(sms.sendMany([], { concurrency: 0 })).rejects.toMatchObject({ field: 'concurrency' });
    await expect(sms.sendMany([])).resolves.toEqual({ results: [], sent: 0, failed: 0 });
  });
});
