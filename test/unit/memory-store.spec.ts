import { OrangeSmsMemoryStore } from '../../lib/tracking/orange-sms.memory-store.js';
import type { TrackedSms } from '../../lib/tracking/orange-sms.tracked-sms.js';

const message = (id: string): TrackedSms => ({
  id,
  to: 'tel:+2250700000001',
  senderAddress: 'tel:+2250000',
  text: 'x',
  segments: 1,
  encoding: 'GSM-7',
  status: 'submitted',
  submittedAt: new Date(),
  resourceUrl: `https://api.orange.com/x/${id}`,
  updatedAt: new Date(),
  history: [{ status: 'submitted', at: new Date() }],
});

describe('OrangeSmsMemoryStore', () => {
  it('keeps a receipt that arrives before its message, and applies it when the message is saved', async () => {
    const store = new OrangeSmsMemoryStore();
    expect(await store.applyDeliveryStatus('early', { deliveryStatus: 'DeliveredToTerminal', at: new Date() })).toEqual(
      { applied: false },
    );
    await store.saveMessage(message('early'));
    expect((await store.getMessage('early'))!.status).toBe('delivered');
  });

  it('markSeen is true once per key within its TTL, and bounded', async () => {
    const store = new OrangeSmsMemoryStore({ maxSeenKeys: 2 });
    expect(await store.markSeen('a', 60_000)).toBe(true);
    expect(await store.markSeen('a', 60_000)).toBe(false);
    expect(await store.markSeen('b', 60_000)).toBe(true);
    expect(await store.markSeen('c', 60_000)).toBe(true); // evicts a
    expect(await store.markSeen('a', 60_000)).toBe(true);
    expect(await store.markSeen('d', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.markSeen('d', 1)).toBe(true);
  });

  it('returns copies: changing a result does not change the store', async () => {
    const store = new OrangeSmsMemoryStore();
    await store.saveMessage(message('m'));
    const copy = (await store.getMessage('m'))!;
    copy.status = 'failed';
    copy.history.push({ status: 'failed', at: new Date() });
    expect((await store.getMessage('m'))!).toMatchObject({ status: 'submitted', history: [{ status: 'submitted' }] });
  });

  it('opt-out list', async () => {
    const store = new OrangeSmsMemoryStore();
    await store.setOptedOut('tel:+2250700000001', true);
    expect(await store.isOptedOut('tel:+2250700000001')).toBe(true);
    await store.setOptedOut('tel:+2250700000001', false);
    expect(await store.isOptedOut('tel:+2250700000001')).toBe(false);
  });
});
