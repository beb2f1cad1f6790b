/**
 * Several Orange accounts on a fleet sharing one Redis: two instances sending from two accounts at
 * once keep each account at or under its rate in every second at Orange (one pacing bucket per
 * account, fleet-wide), fetch one token per account for the whole fleet, keep STOP per account in
 * the shared store, and the durable queue sends each job from its account.
 */
import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsService, OrangeSmsUnknownAccountError } from '../lib/index.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { maxInWindow } from './support/windows.js';
import { emulatorOptions, startTestApp, type TestApp, waitFor } from './support/test-app.js';

describe('several accounts on a fleet sharing Redis', () => {
  let redis: TestRedis;
  let emulator: OrangeSmsEmulator;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await OrangeSmsEmulator.start({
      autoDeliveryStatus: null,
      countries: ['CIV', 'SEN'],
      accounts: {
        ci: { clientId: 'ci-client', clientSecret: 'ci-secret' },
        sn: { clientId: 'sn-client', clientSecret: 'sn-secret' },
      },
    });
    const options = {
      ...emulatorOptions(emulator),
      rateLimit: { perSecond: 4 },
      redis: { url: redis.url, keyPrefix: 'fleet-accounts:' },
      accounts: {
        ci: {
          clientId: 'ci-client',
          clientSecret: 'ci-secret',
          country: 'CIV',
          webhookSecret: 'ci-webhook-secret-0123456789',
        },
        sn: {
          clientId: 'sn-client',
          clientSecret: 'sn-secret',
          country: 'SEN',
          webhookSecret: 'sn-webhook-secret-0123456789',
        },
      },
    };
    for (let i = 0; i < 2; i++) {
      apps.push(await startTestApp(emulator, { options, wireCallbacks: false }));
    }
  }, 30_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await emulator.stop();
    await redis.stop();
  });

  it('each account at or under its rate fleet-wide, both at once; one token per account for the fleet', async () => {
    const start = emulator.messages.length;
    await Promise.all(
      apps.flatMap((app, instance) =>
        ['ci', 'sn'].flatMap((account) =>
          Array.from({ length: 6 }, (_, i) =>
            app.app
              .get(OrangeSmsService)
              .send({ to: account === 'ci' ? '+2250700000001' : '+221770000001', text: `${instance}-${i}`, account }),
          ),
        ),
      ),
    );
    const sent = emulator.messages.slice(start);
    for (const account of ['ci', 'sn']) {
      const times = sent
        .filter((message) => message.account === account)
        .map((message) => message.receivedAt.getTime());
      expect(times).toHaveLength(12);
      expect(maxInWindow(times)).toBeLessThanOrEqual(4);
    }
    // Two buckets, not one shared: together they went above one account's rate in some second.
    expect(maxInWindow(sent.map((message) => message.receivedAt.getTime()))).toBeGreaterThan(4);
    // Side by side: neither account waited for the other to finish.
    const order = sent.map((message) => message.account);
    expect(order.indexOf('sn')).toBeLessThan(order.lastIndexOf('ci'));
    expect(order.indexOf('ci')).toBeLessThan(order.lastIndexOf('sn'));
    expect(emulator.account('ci').tokenRequests()).toBe(1);
    expect(emulator.account('sn').tokenRequests()).toBe(1);
  }, 30_000);

  it("a STOP taken by one instance on one account's route silences that account on every instance, not the others", async () => {
    const response = await fetch(
      `${apps[0]!.url}/orange-sms/webhooks/accounts/ci/inbound?token=ci-webhook-secret-0123456789`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inboundSMSMessageNotification: {
            inboundSMSMessage: {
              senderAddress: 'tel:+2250700000077',
              destinationAddress: '+2250000',
              message: 'STOP',
              messageId: 'fleet-stop-1',
            },
          },
        }),
      },
    );
    expect(response.status).toBe(200);
    const other = apps[1]!.app.get(OrangeSmsService);
    await expect(other.send({ to: '+2250700000077', text: 'promo', account: 'ci' })).rejects.toMatchObject({
      name: 'OrangeSmsOptedOutError',
    });
    await expect(other.send({ to: '+2250700000077', text: 'otp', account: 'sn' })).resolves.toMatchObject({
      account: 'sn',
    });
    await expect(other.send({ to: '+2250700000077', text: 'otp' })).resolves.toMatchObject({ account: 'default' });
  });
});

describe('the durable queue with accounts', () => {
  let redis: TestRedis;
  let emulator: OrangeSmsEmulator;
  let app: TestApp;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await OrangeSmsEmulator.start({
      countries: ['CIV', 'SEN'],
      accounts: { sn: { clientId: 'sn-client', clientSecret: 'sn-secret' } },
    });
    app = await startTestApp(emulator, {
      options: {
        ...emulatorOptions(emulator),
        rateLimit: { perSecond: 20 },
        redis: { url: redis.url, keyPrefix: 'queue-accounts:' },
        queue: { enabled: true },
        accounts: {
          sn: {
            clientId: 'sn-client',
            clientSecret: 'sn-secret',
            country: 'SEN',
            webhookSecret: 'sn-webhook-secret-0123456789',
          },
        },
      },
      wireCallbacks: false,
    });
  }, 30_000);
  afterAll(async () => {
    await app.close();
    await emulator.stop();
    await redis.stop();
  });

  it('sends each job from its account; an unknown account is refused at enqueue time', async () => {
    const sms = app.app.get(OrangeSmsService);
    await sms.enqueue({ to: '+221770000001', text: 'from sn', account: 'sn', reference: 'q-sn' });
    await sms.enqueue({ to: '+2250700000001', text: 'from default', reference: 'q-default' });
    await expect(sms.enqueue({ to: '+2250700000001', text: 'x', account: 'ghost' })).rejects.toBeInstanceOf(
      OrangeSmsUnknownAccountError,
    );
    await waitFor(() => emulator.messages.length === 2, 10_000, 'two sends');
    const byText = Object.fromEntries(emulator.messages.map((message) => [message.text, message.account]));
    expect(byText).toEqual({ 'from sn': 'sn', 'from default': 'default' });
    expect((await sms.listMessages({ reference: 'q-sn' }))[0]).toMatchObject({
      account: 'sn',
      senderAddress: 'tel:+2210000',
    });
  }, 20_000);
});
