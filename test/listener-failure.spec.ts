import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from '../lib/emulator/index.js';
import { InboundSmsEvent, OnInboundSms, OrangeSmsEventDispatcher, OrangeSmsMemoryStore } from '../lib/index.js';
import { type Platform, startTestApp, type TestApp, waitFor } from './support/test-app.js';

/** Fails its first `failures` calls, then succeeds. */
@Injectable()
class FlakyListener {
  static failures = 0;
  calls = 0;
  handled: InboundSmsEvent[] = [];
  @OnInboundSms()
  async handle(event: InboundSmsEvent) {
    this.calls++;
    if (this.calls <= FlakyListener.failures) throw new Error(`database down (call ${this.calls})`);
    this.handled.push(event);
  }
}

describe.each<Platform>(['express', 'fastify'])(
  'when a listener fails (%s): recorded before the 200, redelivered, never lost',
  (platform) => {
    let emulator: OrangeSmsEmulator;
    let testApp: TestApp | undefined;

    beforeAll(async () => {
      emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    });
    afterEach(async () => {
      await testApp?.close();
      testApp = undefined;
      emulator.reset();
    });
    afterAll(() => emulator.stop());

    it('Orange gets 200 at once; the notification is redelivered with backoff until the listener succeeds', async () => {
      FlakyListener.failures = 2;
      const store = new OrangeSmsMemoryStore();
      testApp = await startTestApp(emulator, {
        platform,
        providers: [FlakyListener],
        options: { store, listenerRetry: { initialDelayMs: 20 } },
      });
      const listener = testApp.app.get(FlakyListener);

      const result = await emulator.receive({
        from: '+2250700000001',
        to: '+2250000',
        text: 'YES',
        messageId: 'mo-42',
      });
      expect(result.status).toBe(200);
      await waitFor(() => listener.handled.length === 1, 3_000, 'the third delivery');
      expect(listener.calls).toBe(3);
      expect(listener.handled[0]).toMatchObject({ text: 'YES', messageId: 'mo-42', keyword: 'YES' });
      await testApp.app.get(OrangeSmsEventDispatcher).whenIdle();
      expect(await store.listEvents()).toEqual([]);
    });

    it('after maxAttempts it is kept as failed, and retryFailedEvents() delivers it once the listener is fixed', async () => {
      FlakyListener.failures = Number.POSITIVE_INFINITY;
      const store = new OrangeSmsMemoryStore();
      testApp = await startTestApp(emulator, {
        platform,
        providers: [FlakyListener],
        options: { store, listenerRetry: { maxAttempts: 2, initialDelayMs: 10 } },
      });
      const listener = testApp.app.get(FlakyListener);
      const dispatcher = testApp.app.get(OrangeSmsEventDispatcher);

      expect(
        (await emulator.receive({ from: '+2250700000002', to: '+2250000', text: 'hello', messageId: 'mo-43' })).status,
      ).toBe(200);
      await waitFor(() => listener.calls === 2, 3_000, 'two deliveries');
      await dispatcher.whenIdle();
      const failed = await dispatcher.listFailedEvents();
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        id: 'mo:id:mo-43',
        kind: 'inbound',
        state: 'failed',
        attempts: 2,
        lastError: 'database down (call 2)',
      });

      FlakyListener.failures = 0;
      expect(await dispatcher.retryFailedEvents()).toEqual({ delivered: 1, failed: 0 });
      expect(listener.handled.map((e) => e.messageId)).toEqual(['mo-43']);
      expect(await dispatcher.listFailedEvents()).toEqual([]);
    });

    it('a notification recorded but not yet delivered when the app stopped is delivered at the next boot', async () => {
      FlakyListener.failures = 0;
      const store = new OrangeSmsMemoryStore();
      await store.saveEvent({
        id: 'mo:id:mo-44',
        kind: 'inbound',
        state: 'pending',
        attempts: 0,
        createdAt: new Date(),
        data: {
          from: 'tel:+2250700000003',
          to: '+2250000',
          text: 'left pending',
          messageId: 'mo-44',
          receivedAt: new Date(),
          raw: {},
        },
      });
      testApp = await startTestApp(emulator, { platform, providers: [FlakyListener], options: { store } });
      await waitFor(() => testApp!.app.get(FlakyListener).handled.length === 1, 2_000, 'the recovered event');
      expect(testApp.app.get(FlakyListener).handled[0]!.text).toBe('left pending');
    });
  },
);
