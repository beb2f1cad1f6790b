import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsMemoryStore, OrangeSmsService, OrangeSmsStatsService } from '../lib/index.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('tracking: store, status state machine, delivery statistics', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let sms: OrangeSmsService;
  const store = new OrangeSmsMemoryStore({ maxMessages: 5 });

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null, countries: ['CIV', 'CMR'] });
    testApp = await startTestApp(emulator, { options: { rateLimit: false, store } });
    sms = testApp.app.get(OrangeSmsService);
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  it('a sent message is found by id, and its status follows the state machine; a final status never goes back', async () => {
    const sent = await sms.send({ to: '+2250700000001', text: 'track me', reference: 'order-1' });
    expect(await sms.getMessage(sent.id)).toMatchObject({
      id: sent.id,
      status: 'submitted',
      country: 'CIV',
      reference: 'order-1',
    });

    const statusAfter = async (deliveryStatus: Parameters<OrangeSmsEmulator['deliver']>[1]) => {
      expect((await emulator.deliver(sent.id, deliveryStatus)).status).toBe(200);
      return (await sms.getMessage(sent.id))!.status;
    };
    expect(await statusAfter('DeliveredToNetwork')).toBe('delivered_to_network');
    expect(await statusAfter('MessageWaiting')).toBe('waiting');
    expect(await statusAfter('DeliveredToNetwork')).toBe('waiting'); // late and earlier: ignored
    expect(await statusAfter('DeliveredToTerminal')).toBe('delivered');
    expect(await statusAfter('DeliveryImpossible')).toBe('delivered'); // final: never left
    expect(await statusAfter('MessageWaiting')).toBe('delivered');

    const tracked = (await sms.getMessage(sent.id))!;
    expect(tracked.deliveryStatus).toBe('DeliveredToTerminal');
    expect(tracked.deliveredAt).toBeInstanceOf(Date);
    expect(tracked.history.map((h) => h.status)).toEqual(['submitted', 'delivered_to_network', 'waiting', 'delivered']);
  });

  it('uncertain may still resolve to failed', async () => {
    const sent = await sms.send({ to: '+2250700000002', text: 'x' });
    await emulator.deliver(sent.id, 'DeliveryUncertain');
    expect((await sms.getMessage(sent.id))!.status).toBe('uncertain');
    await emulator.deliver(sent.id, 'DeliveryImpossible');
    expect((await sms.getMessage(sent.id))!.status).toBe('failed');
  });

  it('listMessages filters by recipient, status and reference, most recent first', async () => {
    const a = await sms.send({ to: '+237690000001', text: 'a', reference: 'cmr' });
    const b = await sms.send({ to: '237690000001', text: 'b' });
    expect((await sms.listMessages({ to: 'tel:+237690000001' })).map((m) => m.id)).toEqual([b.id, a.id]);
    expect((await sms.listMessages({ reference: 'cmr' })).map((m) => m.id)).toEqual([a.id]);
    expect((await sms.listMessages({ status: ['delivered', 'failed'] })).map((m) => m.status).sort()).toEqual([
      'delivered',
      'failed',
    ]);
  });

  it('the in-memory store keeps at most maxMessages, evicting the oldest', async () => {
    const first = (await sms.listMessages({ limit: 100 })).at(-1)!;
    for (let i = 0; i < 5; i++) await sms.send({ to: `+22507100000${i}1`, text: `fill ${i}` });
    expect(store.size).toBe(5);
    expect(await sms.getMessage(first.id)).toBeUndefined();
  });

  it('delivery statistics: counts by status, delivery rate, median time to delivery, by country', async () => {
    const fresh = new OrangeSmsMemoryStore();
    const app = await startTestApp(emulator, { options: { rateLimit: false, store: fresh } });
    try {
      const send = app.app.get(OrangeSmsService);
      const stats = app.app.get(OrangeSmsStatsService);
      const ids = [];
      for (const to of ['+2250700000011', '+2250700000012', '+2250700000013', '+237690000011']) {
        ids.push((await send.send({ to, text: 'stat' })).id);
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
      await emulator.deliver(ids[0]!, 'DeliveredToTerminal');
      await emulator.deliver(ids[1]!, 'DeliveryImpossible');
      await emulator.deliver(ids[3]!, 'DeliveredToTerminal');

      const result = await stats.getDeliveryStats();
      expect(result.total).toBe(4);
      expect(result.byStatus).toEqual({
        submitted: 1,
        delivered_to_network: 0,
        waiting: 0,
        delivered: 2,
        failed: 1,
        uncertain: 0,
      });
      expect(result.deliveryRate).toBe(0.5);
      expect(result.medianDeliveryMs).toBeGreaterThanOrEqual(40);
      expect(result.byCountry.CIV).toMatchObject({ total: 3, deliveryRate: 1 / 3 });
      expect(result.byCountry.CMR).toMatchObject({ total: 1, deliveryRate: 1 });

      const none = await stats.getDeliveryStats({ since: new Date(Date.now() + 60_000) });
      expect(none).toMatchObject({ total: 0, deliveryRate: null, medianDeliveryMs: null });
    } finally {
      await app.close();
    }
  });
});
