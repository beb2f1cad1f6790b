import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { InboundSmsEvent, OnInboundSms, OrangeSmsEventDispatcher, OrangeSmsMemoryStore } from '../lib/index.js';
import { type Platform, startTestApp, waitFor, useEmulator } from './support/test-app.js';

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
    const ctx = useEmulator({ autoDeliveryStatus: null });

    it('Orange gets 200 at once; the notification is redelivered with backoff until the listener succeeds', async () => {
      FlakyListener.failures = 2;
      const store = new OrangeSmsMemoryStore();
      ctx.app = await startTestApp(ctx.emulator, {
        platform,
        providers: [FlakyListener],
        options: { store, listenerRetry: { initialDelayMs: 20 } },
      });
      const listener = ctx.app.app.get(FlakyListener);

      const result = await ctx.emulator.receive({
        from: '+2250700000001',
        to: '+2250000',
        text: 'YES',
        messageId: 'mo-42',
      });
      expect(result.status).toBe(200);
      await waitFor(() => listener.handled.length === 1, 3_000, 'the third delivery');
      expect(listener.calls).toBe(3);
      expect(listener.handled[0]).toMatchObject({ text: 'YES', messageId: 'mo-42', keyword: 'YES' });
      await ctx.app.app.get(OrangeSmsEventDispatcher).whenIdle();
      expect(await store.listEvents()).toEqual([]);
    });

    it('after maxAttempts it is kept as failed, and retryFailedEvents() delivers it once the listener is fixed', async () => {
      FlakyListener.failures = Number.POSITIVE_INFINITY;
      const store = new OrangeSmsMemoryStore();
      ctx.app = await startTestApp(ctx.emulator, {
        platform,
        providers: [FlakyListener],
        options: { store, listenerRetry: { maxAttempts: 2, initialDelayMs: 10 } },
      });
      const listener = ctx.app.app.get(FlakyListener);
      const dispatcher = ctx.app.app.get(OrangeSmsEventDispatcher);

      expect(
        (await ctx.emulator.receive({ from: '+2250700000002', to: '+2250000', text: 'hello', messageId: 'mo-43' }))
          .status,
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
      ctx.app = await startTestApp(ctx.emulator, { platform, providers: [FlakyListener], options: { store } });
      await waitFor(() => ctx.app!.app.get(FlakyListener).handled.length === 1, 2_000, 'the recovered event');
      expect(ctx.app.app.get(FlakyListener).handled[0]!.text).toBe('left pending');
    });
  },
);
