/**
 * OrangeSmsInboxService on a real app over HTTP, inbound SMS posted by the emulator as Orange does,
 * on the memory store and on a real Redis: what is acknowledged is in the inbox once (Orange's
 * retries included), it pages without repeats, marks handled once, threads a conversation, and on
 * Redis outlives the application.
 */
import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsInboxService, OrangeSmsService, OrangeSmsValidationError } from '../lib/index.js';
import type { InboundSms } from '../lib/index.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SHORT_CODE = '+2250000';

describe.each(['memory', 'redis'] as const)('the inbox on the %s store', (kind) => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis | undefined;
  let testApp: TestApp;
  let inbox: OrangeSmsInboxService;
  let prefix = 0;

  async function boot(keyPrefix: string): Promise<TestApp> {
    const started = await startTestApp(emulator, {
      options: {
        rateLimit: false,
        ...(redis ? { redis: { url: redis.url, keyPrefix } } : {}),
      },
    });
    inbox = started.app.get(OrangeSmsInboxService);
    return started;
  }

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    if (kind === 'redis') redis = await startRedis();
  });
  beforeEach(async () => {
    emulator.reset();
    testApp = await boot(`inbox-${++prefix}:`);
  });
  afterEach(async () => {
    await testApp.close();
  });
  afterAll(async () => {
    await emulator.stop();
    await redis?.stop();
  });

  async function receive(from: string, text: string, messageId?: string): Promise<void> {
    const result = await emulator.receive({ from, to: SHORT_CODE, text, ...(messageId ? { messageId } : {}) });
    expect(result.status).toBe(200);
  }

  it('keeps each inbound SMS once, Orange resending it included, with its keyword and sender', async () => {
    await receive('+2250700000001', 'bal please', 'mo-1');
    await receive('+2250700000001', 'bal please', 'mo-1'); // Orange's retry: a duplicate
    await receive('+2250700000002', 'Hello', 'mo-2');
    const page = await inbox.list();
    expect(page.items.map((m) => m.id)).toEqual(['id:mo-2', 'id:mo-1']);
    const first = page.items[1]!;
    expect(first).toMatchObject({
      from: 'tel:+2250700000001',
      text: 'bal please',
      keyword: 'BAL',
      senderKind: 'number',
      handled: false,
    });
    expect(first.receivedAt).toBeInstanceOf(Date);
    expect(await inbox.get('id:mo-1')).toEqual(first);
    expect(page.nextCursor).toBeUndefined();
  });

  it('filters by sender (any accepted form), keyword and handled', async () => {
    await receive('+2250700000001', 'STOP', 'a');
    await receive('+2250700000002', 'stop now', 'b');
    await receive('+2250700000001', 'hi', 'c');
    expect((await inbox.list({ from: '2250700000001' })).items.map((m) => m.id)).toEqual(['id:c', 'id:a']);
    expect((await inbox.list({ keyword: 'Stop' })).items.map((m) => m.id).sort()).toEqual(['id:a', 'id:b']);
    await inbox.markHandled('id:b');
    expect((await inbox.list({ handled: false })).items.map((m) => m.id).sort()).toEqual(['id:a', 'id:c']);
    expect((await inbox.list({ handled: true })).items.map((m) => m.id)).toEqual(['id:b']);
  });

  it('pages with a cursor: every message once, most recent first, though new ones arrive in between', async () => {
    for (let i = 0; i < 23; i++) await receive(`+22507000001${String(i).padStart(2, '0')}`, `m${i}`, `p-${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await inbox.list({ limit: 10, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((m) => m.text));
      cursor = page.nextCursor;
      if (pages++ === 0) await receive('+2250700000999', 'newer', 'p-new'); // must not shift the pages
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `m${22 - i}`));
    await expect(inbox.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ field: 'cursor' });
  });

  it('marks handled once: the first time is kept, an unknown id is refused by name', async () => {
    await receive('+2250700000001', 'help', 'h-1');
    const marked = await inbox.markHandled('id:h-1');
    expect(marked.handled).toBe(true);
    const again = await inbox.markHandled('id:h-1');
    expect(again.handledAt).toEqual(marked.handledAt);
    expect((await inbox.get('id:h-1'))?.handled).toBe(true);
    await expect(inbox.markHandled('id:nope')).rejects.toBeInstanceOf(OrangeSmsValidationError);
  });

  it('threads the conversation with one number, outbound and inbound, in time order', async () => {
    const sms = testApp.app.get(OrangeSmsService);
    const phone = '+2250700000042';
    await sms.send({ to: phone, text: 'Your code is 1234' });
    await wait(5);
    await receive(phone, 'thanks', 'c-1');
    await wait(5);
    await sms.send({ to: '+2250700000043', text: 'someone else' });
    await sms.send({ to: phone, text: 'You are welcome' });
    await receive('+2250700000043', 'not this one', 'c-2');
    const thread = await inbox.conversation(phone);
    expect(thread.map((entry) => [entry.direction, entry.message.text])).toEqual([
      ['outbound', 'Your code is 1234'],
      ['inbound', 'thanks'],
      ['outbound', 'You are welcome'],
    ]);
    const latestTwo = await inbox.conversation(`tel:${phone}`, { limit: 2 });
    expect(latestTwo.map((entry) => entry.message.text)).toEqual(['thanks', 'You are welcome']);
    await expect(inbox.conversation('not a number')).rejects.toMatchObject({ field: 'phone' });
  });

  it('keeps the anonymous sender of the recorded Cameroon traffic as received', async () => {
    const result = await emulator.receive({ from: '+2370600000001', to: '+2370000', text: 'BAL', anonymous: true });
    expect(result.status).toBe(200);
    const [message] = (await inbox.list({ from: 'acr:OrangeAPIToken' })).items as [InboundSms];
    expect(message).toMatchObject({ from: 'acr:OrangeAPIToken', senderKind: 'anonymous', keyword: 'BAL' });
  });

  if (kind === 'redis') {
    it('outlives the application: a new instance on the same Redis sees the inbox and its marks', async () => {
      await receive('+2250700000001', 'persist me', 'r-1');
      await inbox.markHandled('id:r-1');
      const keyPrefix = `inbox-${prefix}:`;
      await testApp.close();
      testApp = await boot(keyPrefix);
      const message = await inbox.get('id:r-1');
      expect(message).toMatchObject({ text: 'persist me', handled: true });
      expect((await inbox.list()).items.map((m) => m.id)).toEqual(['id:r-1']);
    });
  }
});

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
