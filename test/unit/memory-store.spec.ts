import { OrangeSmsMemoryStore } from '../../lib/tracking/orange-sms.memory-store.js';
import type { TrackedSms } from '../../lib/interfaces/orange-sms.tracking.interfaces.js';
import { inboundEvent } from '../support/stored-events.js';

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

  it('takeNotification: once per key within its TTL (a replayed attempt answers the same), and bounded', async () => {
    const store = new OrangeSmsMemoryStore({ maxSeenKeys: 2 });
    const take = (key: string, attempt: string, dedupeTtlMs = 60_000) =>
      store.takeNotification({ key, attempt, dedupeTtlMs, event: inboundEvent(key) });
    expect((await take('a', '1')).fresh).toBe(true);
    expect((await take('a', '2')).fresh).toBe(false); // Orange sent it again
    expect(await take('a', '1')).toMatchObject({ fresh: true, event: { id: 'a' } }); // the same attempt replayed
    expect((await take('b', '3')).fresh).toBe(true);
    expect((await take('c', '4')).fresh).toBe(true); // evicts a
    expect((await take('a', '5')).fresh).toBe(true);
    expect((await take('d', '6', 1)).fresh).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await take('d', '7', 1)).fresh).toBe(true);
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
