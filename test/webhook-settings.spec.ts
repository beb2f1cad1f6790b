/**
 * Webhook settings in one place: `webhookMaxBodyBytes` and `webhookAllowUnauthenticated` are options
 * now; the `webhooks` extra's `maxBodyBytes` and `allowUnauthenticated` still work (deprecated) and
 * build the same guard; the option wins when both are given. Real apps over HTTP.
 */
import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsConfigurationError } from '../lib/errors/orange-sms.errors.js';
import { resolveOrangeSmsOptions } from '../lib/orange-sms.options.js';
import {
  emulatorOptions,
  startTestApp,
  type TestApp,
  type TestAppOptions,
  WEBHOOK_SECRET,
} from './support/test-app.js';

describe('webhook settings', () => {
  let emulator: OrangeSmsEmulator;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
  });
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await emulator.stop();
  });

  async function app(options: TestAppOptions): Promise<TestApp> {
    const started = await startTestApp(emulator, { wireCallbacks: false, ...options });
    apps.push(started);
    return started;
  }

  /** A receipt padded to `bytes`; the guard measures the body before the payload parser runs. */
  async function postReceipt(target: TestApp, bytes: number, token: string | undefined = WEBHOOK_SECRET) {
    const body = JSON.stringify({
      deliveryInfoNotification: {
        callbackData: 'unknown-id',
        deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
      },
      pad: 'x'.repeat(bytes),
    });
    const query = token === undefined ? '' : `?token=${token}`;
    return fetch(`${target.url}/orange-sms/webhooks/delivery-receipts${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
  }

  it('webhookMaxBodyBytes bounds the body (413 above, accepted below)', async () => {
    const target = await app({ options: { webhookMaxBodyBytes: 2_000 } });
    expect((await postReceipt(target, 3_000)).status).toBe(413);
    expect((await postReceipt(target, 100)).status).toBe(200);
  });

  it('the deprecated webhooks.maxBodyBytes builds the same limit; the option wins over it', async () => {
    const aliased = await app({ extras: { webhooks: { maxBodyBytes: 2_000 } } });
    expect((await postReceipt(aliased, 3_000)).status).toBe(413);
    expect((await postReceipt(aliased, 100)).status).toBe(200);
    const both = await app({ options: { webhookMaxBodyBytes: 10_000 }, extras: { webhooks: { maxBodyBytes: 2_000 } } });
    expect((await postReceipt(both, 3_000)).status).toBe(200);
  });

  it('webhookAllowUnauthenticated, or its deprecated extra, boots without a secret and accepts calls', async () => {
    for (const options of [
      { options: { webhookSecret: undefined, webhookAllowUnauthenticated: true } },
      { options: { webhookSecret: undefined }, extras: { webhooks: { allowUnauthenticated: true } } },
    ] satisfies TestAppOptions[]) {
      const open = await app(options);
      expect((await postReceipt(open, 10, undefined)).status).toBe(200);
    }
  });

  it('without a secret and without the opt-in, the app refuses to boot, naming webhookSecret', async () => {
    await expect(app({ options: { webhookSecret: undefined } })).rejects.toMatchObject({
      issues: [expect.objectContaining({ field: 'webhookSecret' })],
    });
  });

  it('bad values are named in one configuration error', () => {
    try {
      resolveOrangeSmsOptions(
        emulatorOptions(emulator, {
          webhookMaxBodyBytes: -1,
          webhookAllowUnauthenticated: 'yes' as unknown as boolean,
        }),
      );
      throw new Error('expected a configuration error');
    } catch (error) {
      expect(error).toBeInstanceOf(OrangeSmsConfigurationError);
      expect((error as OrangeSmsConfigurationError).issues.map((issue) => issue.field).sort()).toEqual([
        'webhookAllowUnauthenticated',
        'webhookMaxBodyBytes',
      ]);
    }
  });
});
