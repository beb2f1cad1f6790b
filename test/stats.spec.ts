import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsService, OrangeSmsStatsService, OrangeSmsValidationError } from '../lib/index.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Drops `raw`, which by design differs between Orange's two formats. */
function withoutRaw<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'raw' ? undefined : v)));
}

describe('OrangeSmsStatsService against both admin formats', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let stats: OrangeSmsStatsService;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({
      autoDeliveryStatus: null,
      countries: ['CIV', 'CMR'],
      initialUnits: 100,
    });
    testApp = await startTestApp(emulator, { options: { rateLimit: false }, wireCallbacks: false });
    stats = testApp.app.get(OrangeSmsStatsService);
    const sms = testApp.app.get(OrangeSmsService);
    await sms.send({ to: '+2250700000001', text: 'one unit' });
    await sms.send({ to: '+2250700000002', text: 'x'.repeat(200) }); // two units
    await sms.send({ to: '+237690000001', text: 'cmr' });
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  async function inBothFormats<T>(read: () => Promise<T>): Promise<[T, T]> {
    emulator.setAdminFormat('current');
    const current = await read();
    emulator.setAdminFormat('legacy');
    const legacy = await read();
    emulator.setAdminFormat('current');
    return [current, legacy];
  }

  it('balance: the same normalised contracts from either format, units reflecting the sends', async () => {
    const [current, legacy] = await inBothFormats(() => stats.getBalance());
    expect(withoutRaw(current)).toEqual(withoutRaw(legacy));
    expect(current.availableUnits).toBe(200 - 3 - 1);
    const civ = current.contracts.find((c) => c.country === 'CIV')!;
    expect(civ).toMatchObject({ offer: 'SMS_OCB', availableUnits: 97 });
    expect(civ.expiresAt).toBeInstanceOf(Date);
    expect(legacy.contracts.find((c) => c.country === 'CIV')!.expiresAt!.getTime()).toBe(civ.expiresAt!.getTime());
  });

  it('balance filtered by country', async () => {
    const [current, legacy] = await inBothFormats(() => stats.getBalance({ country: 'cmr' }));
    expect(current.contracts.map((c) => c.country)).toEqual(['CMR']);
    expect(withoutRaw(current)).toEqual(withoutRaw(legacy));
    expect(emulator.requests.at(-1)!.query).toEqual({ country: 'CMR' });
  });

  it('usage: the same entries from either format; appId filter passed as appid', async () => {
    const [current, legacy] = await inBothFormats(() => stats.getUsage());
    expect(withoutRaw(current)).toEqual(withoutRaw(legacy));
    expect(current.usage).toBe(4);
    expect(current.entries.find((e) => e.country === 'CIV')).toMatchObject({ usage: 3, appId: emulator.appId });

    const filtered = await stats.getUsage({ country: 'CIV', appId: emulator.appId });
    expect(filtered.entries).toHaveLength(1);
    expect(emulator.requests.at(-1)!.query).toEqual({ country: 'CIV', appid: emulator.appId });
    expect((await stats.getUsage({ appId: 'another-app' })).usage).toBe(0);
  });

  it('purchase orders: the same normalised orders from either format', async () => {
    const [current, legacy] = await inBothFormats(() => stats.getPurchaseOrders());
    expect(withoutRaw(current)).toEqual(withoutRaw(legacy));
    expect(current).toHaveLength(2);
    expect(current[0]).toMatchObject({ country: 'CIV', currency: 'XOF', offer: 'SMS_OCB' });
    expect(current[0]!.amount).toBeGreaterThan(0);
    expect(current[0]!.purchasedAt).toBeInstanceOf(Date);
  });

  it('a bad country filter is rejected before any HTTP call', async () => {
    const before = emulator.requests.length;
    await expect(stats.getBalance({ country: 'CI' })).rejects.toBeInstanceOf(OrangeSmsValidationError);
    expect(emulator.requests.length).toBe(before);
  });
});
