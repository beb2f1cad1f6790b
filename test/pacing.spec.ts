import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsService, OrangeSmsValidationError, type SendSmsInput } from '../lib/index.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { isSendRequest, startHoldingProxy } from './support/holding-proxy.js';
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

  it('one request held 1.2 s on its way to Orange: the sends after it never make six in a second at Orange', async () => {
    // A proxy between the app and the emulator holds the first send's request; the others pass at once.
    // Counting each send from when it was let go (not from Orange's reply) put six in one second here.
    let sendsSeen = 0;
    const proxy = await startHoldingProxy(
      emulator.url,
      (request) => isSendRequest(request) && sendsSeen++ === 0,
      1_200,
    );
    const proxied = await startTestApp(emulator, { options: { baseUrl: proxy.url }, wireCallbacks: false });
    try {
      emulator.reset();
      const service = proxied.app.get(OrangeSmsService);
      const results = await service.sendMany(
        Array.from({ length: 12 }, (_, i) => ({ to: `+2250730000${String(i).padStart(3, '0')}`, text: `held ${i}` })),
        { concurrency: 12 },
      );
      expect(results.sent).toBe(12);
      const sends = emulator.requests.filter((r) => r.kind === 'send');
      expect(sends.filter((r) => r.status !== 201).map((r) => r.status)).toEqual([]);
      expect(sendsSeen).toBe(12);
      expect(maxInWindow(sends.map((r) => r.at.getTime()))).toBeLessThanOrEqual(5);
    } finally {
      await proxied.close();
      await proxy.close();
    }
  }, 20_000);

  it('sendMany rejects only when it cannot start', async () => {
    await expect(sms.sendMany('nope' as unknown as SendSmsInput[])).rejects.toBeInstanceOf(OrangeSmsValidationError);
    await expect(sms.sendMany([], { concurrency: 0 })).rejects.toMatchObject({ field: 'concurrency' });
    await expect(sms.sendMany([])).resolves.toEqual({ results: [], sent: 0, failed: 0 });
  });
});
