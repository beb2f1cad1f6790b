import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsService, OrangeSmsValidationError } from '../lib/index.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('delivery-receipt subscriptions', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let sms: OrangeSmsService;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    testApp = await startTestApp(emulator, { wireCallbacks: false });
    sms = testApp.app.get(OrangeSmsService);
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  it('creates (201), reads (200) and cancels (204) a subscription the way Orange documents', async () => {
    const notifyUrl = 'https://example.com/orange-sms/webhooks/delivery-receipts?token=abc';
    const created = await sms.subscribeDeliveryReceipts({ notifyUrl, callbackData: 'tenant-1' });
    expect(created).toMatchObject({ notifyUrl, callbackData: 'tenant-1', senderAddress: 'tel:+2250000' });
    expect(created.id).not.toBe('');

    const post = emulator.requests.find((r) => r.kind === 'subscription' && r.method === 'POST')!;
    expect(post.rawPath).toBe('/smsmessaging/v1/outbound/tel%3A%2B2250000/subscriptions');
    expect(post.json).toEqual({
      deliveryReceiptSubscription: { callbackReference: { notifyURL: notifyUrl, callbackData: 'tenant-1' } },
    });
    expect(post.status).toBe(201);

    expect(await sms.getDeliveryReceiptSubscription(created.id)).toMatchObject({ id: created.id, notifyUrl });
    expect(emulator.requests.at(-1)!.rawPath).toBe(`/smsmessaging/v1/outbound/subscriptions/${created.id}`);

    await sms.cancelDeliveryReceiptSubscription(created.id);
    const del = emulator.requests.at(-1)!;
    expect(del).toMatchObject({
      method: 'DELETE',
      status: 204,
      rawPath: `/smsmessaging/v1/outbound/tel%3A%2B2250000/subscriptions/${created.id}`,
    });
    expect(await sms.getDeliveryReceiptSubscription(created.id)).toBeUndefined();
  });

  it('requires an https notify URL, except on loopback', async () => {
    const before = emulator.requests.length;
    await expect(sms.subscribeDeliveryReceipts({ notifyUrl: 'http://example.com/dr' })).rejects.toBeInstanceOf(
      OrangeSmsValidationError,
    );
    await expect(sms.subscribeDeliveryReceipts({ notifyUrl: 'not a url' })).rejects.toMatchObject({
      field: 'notifyUrl',
    });
    expect(emulator.requests.length).toBe(before);
    await expect(sms.subscribeDeliveryReceipts({ notifyUrl: 'http://127.0.0.1:9/dr' })).resolves.toMatchObject({
      notifyUrl: 'http://127.0.0.1:9/dr',
    });
  });
});
