import 'reflect-metadata';
import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  HttpCode,
  Injectable,
  Post,
  Req,
  SetMetadata,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { APP_GUARD, APP_PIPE, Reflector } from '@nestjs/core';
import {
  DeliveryReceiptEvent,
  InboundSmsEvent,
  OnDeliveryReceipt,
  OnInboundSms,
  OrangeSmsEventDispatcher,
  OrangeSmsModule,
  OrangeSmsOptedOutError,
  OrangeSmsService,
  OrangeSmsWebhookGuard,
  OrangeSmsWebhookService,
} from '../lib/index.js';
import {
  emulatorOptions,
  type Platform,
  startTestApp,
  useEmulator,
  WEBHOOK_SECRET,
  waitFor,
} from './support/test-app.js';

@Injectable()
class ReceiptListener {
  delivered: DeliveryReceiptEvent[] = [];
  all: DeliveryReceiptEvent[] = [];
  @OnDeliveryReceipt()
  onAny(event: DeliveryReceiptEvent) {
    this.all.push(event);
  }
  @OnDeliveryReceipt({ status: 'DeliveredToTerminal' })
  onDelivered(event: DeliveryReceiptEvent) {
    this.delivered.push(event);
  }
}

@Injectable()
class InboundListener {
  stops: InboundSmsEvent[] = [];
  balances: InboundSmsEvent[] = [];
  all: InboundSmsEvent[] = [];
  @OnInboundSms()
  onAny(event: InboundSmsEvent) {
    this.all.push(event);
  }
  @OnInboundSms({ keyword: 'STOP' })
  onStop(event: InboundSmsEvent) {
    this.stops.push(event);
  }
  @OnInboundSms({ keyword: 'BAL' })
  async onBalance(event: InboundSmsEvent) {
    this.balances.push(event);
    await event.reply('Your balance is 1,000 XOF');
  }
}

const inbound = (from: string, text: string, messageId?: string) => ({
  inboundSMSMessageNotification: {
    inboundSMSMessage: {
      senderAddress: `tel:${from}`,
      destinationAddress: '+2250000',
      message: text,
      ...(messageId ? { messageId } : {}),
    },
  },
});

describe.each<Platform>(['express', 'fastify'])('webhooks in depth on %s', (platform) => {
  const ctx = useEmulator({ autoDeliveryStatus: null });

  const post = (path: string, body: unknown, init: { query?: string; headers?: Record<string, string> } = {}) =>
    fetch(`${ctx.app!.url}/${path}${init.query ?? `?token=${WEBHOOK_SECRET}`}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...init.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('a receipt posted three times and out of order with an earlier status ends delivered, its listener called once', async () => {
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      providers: [ReceiptListener],
      options: { rateLimit: false },
    });
    const listener = ctx.app.app.get(ReceiptListener);
    const sms = ctx.app.app.get(OrangeSmsService);
    const sent = await sms.send({ to: '+2250700000001', text: 'hello' });

    const statuses: number[] = [];
    for (const status of [
      'DeliveredToTerminal',
      'DeliveredToTerminal',
      'DeliveredToNetwork',
      'DeliveredToTerminal',
    ] as const) {
      statuses.push((await ctx.emulator.deliver(sent.id, status)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200]);
    await ctx.app.app.get(OrangeSmsEventDispatcher).whenIdle();
    await waitFor(() => listener.delivered.length >= 1, 2_000, 'the receipt');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(listener.delivered).toHaveLength(1);
    expect(listener.all.map((e) => e.status)).toEqual(['DeliveredToTerminal']);
    expect(listener.delivered[0]!.message).toMatchObject({ id: sent.id, status: 'delivered' });
    expect((await sms.getMessage(sent.id))!.status).toBe('delivered');
    const bodies = ctx.emulator.callbacks.map((c) => c.responseBody);
    expect(bodies.map((b) => JSON.parse(String(b)))).toEqual([
      { accepted: 1, duplicates: 0 },
      { accepted: 0, duplicates: 1 },
      { accepted: 1, duplicates: 0 },
      { accepted: 0, duplicates: 1 },
    ]);
  });

  it('DeliveredToTerminal after DeliveryImpossible moves the message to delivered and is emitted; nothing moves it back', async () => {
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      providers: [ReceiptListener],
      options: { rateLimit: false },
    });
    const listener = ctx.app.app.get(ReceiptListener);
    const sms = ctx.app.app.get(OrangeSmsService);
    const sent = await sms.send({ to: '+2250700000002', text: 'maybe' });
    // Orange's recorded shape: deliveryInfo as an object, callbackData = the message id.
    const receipt = (deliveryStatus: string) => ({
      deliveryInfoNotification: {
        callbackData: sent.id,
        deliveryInfo: { address: 'tel:+2250700000002', deliveryStatus },
      },
    });
    for (const status of ['DeliveryImpossible', 'DeliveredToTerminal', 'DeliveryImpossible', 'DeliveredToNetwork']) {
      expect((await post('orange-sms/webhooks/delivery-receipts', receipt(status))).status).toBe(200);
    }
    await ctx.app.app.get(OrangeSmsEventDispatcher).whenIdle();
    await waitFor(() => listener.all.length >= 2, 2_000, 'both receipts');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listener.all.map((e) => [e.status, e.final, e.message?.status])).toEqual([
      ['DeliveryImpossible', true, 'failed'],
      ['DeliveredToTerminal', true, 'delivered'],
    ]);
    const message = (await sms.getMessage(sent.id))!;
    expect(message.status).toBe('delivered');
    expect(message.history.map((h) => h.status)).toEqual(['submitted', 'failed', 'delivered']);
  });

  it('STOP opts the number out and the next send fails with no HTTP call; START undoes it; keyword listeners run only on their keyword', async () => {
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      providers: [InboundListener],
      options: { rateLimit: false },
    });
    const listener = ctx.app.app.get(InboundListener);
    const sms = ctx.app.app.get(OrangeSmsService);

    expect((await ctx.emulator.receive({ from: '+2250700000009', to: '+2250000', text: 'stop' })).status).toBe(200);
    await waitFor(() => listener.stops.length === 1, 2_000, 'the STOP listener');
    const before = ctx.emulator.requests.length;
    const error = await sms.send({ to: '+2250700000009', text: 'promo' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrangeSmsOptedOutError);
    expect((error as Error).message).not.toContain('2250700000009');
    expect(ctx.emulator.requests.length).toBe(before);

    await ctx.emulator.receive({ from: '+2250700000009', to: '+2250000', text: 'START' });
    await waitFor(() => listener.all.length === 2, 2_000, 'the START message');
    await expect(sms.send({ to: '+2250700000009', text: 'welcome back' })).resolves.toMatchObject({
      to: 'tel:+2250700000009',
    });
    expect(listener.stops).toHaveLength(1);
    expect(listener.balances).toHaveLength(0);
  });

  it('reply() from a listener answers the sender', async () => {
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      providers: [InboundListener],
      options: { rateLimit: false },
    });
    const listener = ctx.app.app.get(InboundListener);
    await ctx.emulator.receive({ from: '+2250700000008', to: '+2250000', text: 'BAL' });
    await waitFor(() => ctx.emulator.messages.length === 1, 2_000, 'the reply');
    expect(listener.balances).toHaveLength(1);
    expect(ctx.emulator.messages[0]).toMatchObject({
      address: 'tel:+2250700000008',
      text: 'Your balance is 1,000 XOF',
    });
  });

  it('an inbound SMS repeated with the same messageId is emitted once', async () => {
    ctx.app = await startTestApp(ctx.emulator, { platform, providers: [InboundListener] });
    const listener = ctx.app.app.get(InboundListener);
    for (let i = 0; i < 3; i++)
      expect((await post('orange-sms/webhooks/inbound', inbound('+2250700000007', 'hi', 'mo-1'))).status).toBe(200);
    await ctx.app.app.get(OrangeSmsEventDispatcher).whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(listener.all).toHaveLength(1);
  });

  it('no secret → 401, wrong secret → 401, wrong IP → 403, malformed → 400, too large → 413; no event in any', async () => {
    ctx.app = await startTestApp(ctx.emulator, { platform, providers: [InboundListener] });
    const listener = ctx.app.app.get(InboundListener);
    const good = inbound('+2250700000006', 'hello');
    expect((await post('orange-sms/webhooks/inbound', good, { query: '' })).status).toBe(401);
    expect((await post('orange-sms/webhooks/inbound', good, { query: '?token=not-the-secret-at-all' })).status).toBe(
      401,
    );
    const malformed = await post('orange-sms/webhooks/inbound', {
      inboundSMSMessageNotification: { inboundSMSMessage: { senderAddress: 'tel:+2250700000006' } },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toContain('inboundSMSMessage.message');
    expect((await post('orange-sms/webhooks/inbound', '{"not json')).status).toBe(400);
    const large = JSON.stringify({ ...good, padding: 'x'.repeat(70 * 1024) });
    expect((await post('orange-sms/webhooks/inbound', large)).status).toBe(413);
    await ctx.app.close();

    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      providers: [InboundListener],
      options: { webhookAllowedIps: ['10.0.0.0/8', '2001:db8::/32'] },
    });
    expect((await post('orange-sms/webhooks/inbound', good)).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(listener.all).toHaveLength(0);
    expect(ctx.app.app.get(InboundListener).all).toHaveLength(0);
  });

  it('allowedIps admits loopback, and behind a trusted proxy reads X-Forwarded-For', async () => {
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      options: { webhookAllowedIps: ['127.0.0.1', '196.207.0.0/16'], webhookTrustProxy: 1 },
    });
    const body = inbound('+2250700000005', 'hi');
    expect(
      (await post('orange-sms/webhooks/inbound', body, { headers: { 'x-forwarded-for': '196.207.10.20' } })).status,
    ).toBe(200);
    expect(
      (await post('orange-sms/webhooks/inbound', body, { headers: { 'x-forwarded-for': '196.207.10.20, 8.8.8.8' } }))
        .status,
    ).toBe(403);
  });

  it('accepts either of two secrets during a rotation', async () => {
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      options: { webhookSecret: [WEBHOOK_SECRET, 'the-next-secret-0123456789'] },
    });
    const body = inbound('+2250700000004', 'hi');
    expect((await post('orange-sms/webhooks/inbound', body)).status).toBe(200);
    expect(
      (await post('orange-sms/webhooks/inbound', body, { query: '?token=the-next-secret-0123456789' })).status,
    ).toBe(200);
    expect(
      (await post('orange-sms/webhooks/inbound', body, { query: '?token=the-old-secret-0123456789' })).status,
    ).toBe(401);
  });

  it("the host's global guard and ValidationPipe do not break the routes when the decorators extra marks them public", async () => {
    const IS_PUBLIC = 'isPublic';
    const Public = () => SetMetadata(IS_PUBLIC, true);
    @Injectable()
    class DenyAllButPublic implements CanActivate {
      constructor(private readonly reflector: Reflector) {}
      canActivate(context: ExecutionContext): boolean {
        return (
          this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]) === true
        );
      }
    }
    const pipe = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
    const globals = [
      { provide: APP_GUARD, useClass: DenyAllButPublic },
      { provide: APP_PIPE, useValue: pipe },
    ];

    ctx.app = await startTestApp(ctx.emulator, { platform, providers: globals, wireCallbacks: false });
    expect((await post('orange-sms/webhooks/inbound', inbound('+2250700000003', 'hi'))).status).toBe(403);
    await ctx.app.close();

    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      providers: [...globals, InboundListener],
      extras: { webhooks: { decorators: [Public()] } },
    });
    expect((await post('orange-sms/webhooks/inbound', inbound('+2250700000003', 'hi'))).status).toBe(200);
    await waitFor(() => ctx.app!.app.get(InboundListener).all.length === 1, 2_000, 'the inbound event');
    expect(ctx.app.app.get(InboundListener).all[0]!.raw).toEqual(inbound('+2250700000003', 'hi'));
  });

  it('a custom webhooks.path works with forRoot and forRootAsync', async () => {
    ctx.app = await startTestApp(ctx.emulator, { platform, extras: { webhooks: { path: '/hooks/orange/' } } });
    expect((await post('hooks/orange/inbound', inbound('+2250700000002', 'hi'))).status).toBe(200);
    expect((await post('orange-sms/webhooks/inbound', inbound('+2250700000002', 'hi'))).status).toBe(404);
    await ctx.app.close();

    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      orangeSms: OrangeSmsModule.forRootAsync({
        useFactory: () => emulatorOptions(ctx.emulator),
        webhooks: { path: 'async-hooks' },
      }),
    });
    expect(
      (
        await post('async-hooks/delivery-receipts', {
          deliveryInfoNotification: {
            deliveryInfo: { address: 'tel:+2250700000002', deliveryStatus: 'MessageWaiting' },
            callbackData: 'x-1',
          },
        })
      ).status,
    ).toBe(200);
  });

  it('with the controller off, the host mounts the handlers in its own controller behind OrangeSmsWebhookGuard', async () => {
    @Controller('my/orange')
    @UseGuards(OrangeSmsWebhookGuard)
    class MyOrangeController {
      constructor(private readonly webhooks: OrangeSmsWebhookService) {}
      @Post('mo')
      @HttpCode(200)
      inbound(@Body() body: unknown, @Req() _request: unknown) {
        return this.webhooks.handleInboundSms(body);
      }
    }
    ctx.app = await startTestApp(ctx.emulator, {
      platform,
      controllers: [MyOrangeController],
      providers: [InboundListener],
      extras: { webhooks: { enabled: false } },
    });
    expect((await post('orange-sms/webhooks/inbound', inbound('+2250700000001', 'hi'))).status).toBe(404);
    expect((await post('my/orange/mo', inbound('+2250700000001', 'hi'), { query: '' })).status).toBe(401);
    expect((await post('my/orange/mo', inbound('+2250700000001', 'hi'))).status).toBe(200);
    await waitFor(() => ctx.app!.app.get(InboundListener).all.length === 1, 2_000, 'the inbound event');
  });
});
