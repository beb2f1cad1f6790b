import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { DeliveryReceiptEvent, OnDeliveryReceipt, OrangeSmsService, type SendSmsInput } from '../lib/index.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';
import { isSendRequest, startHoldingProxy } from './support/holding-proxy.js';
import { maxInWindow } from './support/windows.js';

@Injectable()
class ReceiptCounter {
  static received: DeliveryReceiptEvent[] = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    ReceiptCounter.received.push(event);
  }
}

describe('scale-out: three instances on one Redis', () => {
  let redis: TestRedis;
  let emulator: OrangeSmsEmulator;
  let fleet: TestApp[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // The emulator enforces Orange's 5/s: a fleet that went over would get 429s.
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null, rateLimitPerSecond: 5 });
  });
  afterEach(async () => {
    await Promise.all(fleet.map((app) => app.close()));
    fleet = [];
    emulator.reset();
    ReceiptCounter.received = [];
  });
  afterAll(async () => {
    await emulator.stop();
    await redis.stop();
  });

  async function startFleet(keyPrefix: string): Promise<TestApp[]> {
    fleet = await Promise.all(
      [0, 1, 2].map(() =>
        startTestApp(emulator, {
          providers: [ReceiptCounter],
          options: { redis: { url: redis.url, keyPrefix } },
          wireCallbacks: false,
        }),
      ),
    );
    return fleet;
  }

  it('a fleet cold start of three instances makes one token request', async () => {
    const apps = await startFleet('cold:');
    await Promise.all(
      apps.map((app, i) => app.app.get(OrangeSmsService).send({ to: `+22507000000${i}1`, text: 'cold' })),
    );
    expect(emulator.tokenRequests()).toBe(1);
    expect(emulator.messages).toHaveLength(3);
  });

  it('60 messages sent together by three instances never exceed 5 in any one-second window at Orange', async () => {
    const apps = await startFleet('rate:');
    const started = Date.now();
    const results = await Promise.all(
      apps.map((app, instance) =>
        app.app.get(OrangeSmsService).sendMany(
          Array.from({ length: 20 }, (_, i): SendSmsInput => ({
            to: `+2250710${instance}${String(i).padStart(5, '0')}`,
            text: `i${instance}-${i}`,
          })),
          { concurrency: 20 },
        ),
      ),
    );
    expect(results.map((r) => r.sent)).toEqual([20, 20, 20]);
    const sends = emulator.requests.filter((r) => r.kind === 'send');
    expect(sends).toHaveLength(60);
    expect(sends.filter((r) => r.status !== 201)).toHaveLength(0);
    expect(maxInWindow(sends.map((r) => r.at.getTime()))).toBeLessThanOrEqual(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(11_000);
  }, 30_000);

  it('one request held 1.2 s on its way to Orange: three instances still never put six in a second at Orange', async () => {
    // Instance A reaches the emulator through a proxy that holds its first send; B and C go straight.
    let sendsSeen = 0;
    const proxy = await startHoldingProxy(
      emulator.url,
      (request) => isSendRequest(request) && sendsSeen++ === 0,
      1_200,
    );
    try {
      fleet = await Promise.all(
        [proxy.url, emulator.url, emulator.url].map((baseUrl) =>
          startTestApp(emulator, {
            options: { baseUrl, redis: { url: redis.url, keyPrefix: 'held:' } },
            wireCallbacks: false,
          }),
        ),
      );
      const results = await Promise.all(
        fleet.map((app, instance) =>
          app.app.get(OrangeSmsService).sendMany(
            Array.from({ length: 6 }, (_, i): SendSmsInput => ({
              to: `+2250720${instance}${String(i).padStart(5, '0')}`,
              text: `held i${instance}-${i}`,
            })),
            { concurrency: 6 },
          ),
        ),
      );
      expect(results.map((r) => r.sent)).toEqual([6, 6, 6]);
      const sends = emulator.requests.filter((r) => r.kind === 'send');
      expect(sends.filter((r) => r.status !== 201).map((r) => r.status)).toEqual([]);
      expect(sends).toHaveLength(18);
      expect(maxInWindow(sends.map((r) => r.at.getTime()))).toBeLessThanOrEqual(5);
    } finally {
      await proxy.close();
    }
  }, 30_000);

  it('a receipt posted to instance B updates a message sent by instance A, and its listener runs once', async () => {
    const [a, b] = await startFleet('dr:');
    const sent = await a!.app.get(OrangeSmsService).send({ to: '+2250700000042', text: 'from A' });
    emulator.deliveryReceiptUrl = `${b!.url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`;
    expect((await emulator.deliver(sent.id, 'DeliveredToTerminal')).status).toBe(200);
    expect((await emulator.deliver(sent.id, 'DeliveredToTerminal')).status).toBe(200); // a repeat
    await waitFor(() => ReceiptCounter.received.length === 1, 3_000, 'the receipt listener');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ReceiptCounter.received).toHaveLength(1);
    expect(ReceiptCounter.received[0]!.message).toMatchObject({ id: sent.id, status: 'delivered', text: 'from A' });
    expect(await a!.app.get(OrangeSmsService).getMessage(sent.id)).toMatchObject({ status: 'delivered' });
  });
});
