import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  DeliveryReceiptEvent,
  InboundSmsEvent,
  OnDeliveryReceipt,
  OnInboundSms,
  OrangeSmsService,
} from '../lib/index.js';
import { type Platform, startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';

@Injectable()
class Listeners {
  receipts: DeliveryReceiptEvent[] = [];
  impossible: DeliveryReceiptEvent[] = [];
  inbound: InboundSmsEvent[] = [];
  balance: InboundSmsEvent[] = [];
  stopOrEnd: InboundSmsEvent[] = [];

  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    this.receipts.push(event);
  }
  @OnDeliveryReceipt({ status: 'DeliveryImpossible' })
  onImpossible(event: DeliveryReceiptEvent) {
    this.impossible.push(event);
  }
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    this.inbound.push(event);
  }
  @OnInboundSms({ keyword: 'bal' })
  onBalance(event: InboundSmsEvent) {
    this.balance.push(event);
  }
  @OnInboundSms({ keyword: 'STOP' })
  @OnInboundSms({ pattern: /^end\b/i })
  onStopOrEnd(event: InboundSmsEvent) {
    this.stopOrEnd.push(event);
  }
  clear() {
    this.receipts = [];
    this.impossible = [];
    this.inbound = [];
    this.balance = [];
    this.stopOrEnd = [];
  }
}

describe.each<Platform>(['express', 'fastify'])('webhooks on %s', (platform) => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let listeners: Listeners;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 20 });
    testApp = await startTestApp(emulator, { providers: [Listeners], platform });
    listeners = testApp.app.get(Listeners);
  });
  beforeEach(() => listeners.clear());
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  const route = (name: string) => `${testApp.url}/orange-sms/webhooks/${name}`;
  const post = (
    name: string,
    body: unknown,
    query = `?token=${WEBHOOK_SECRET}`,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${route(name)}${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('a sent SMS gets its delivery receipt from Orange as a typed event', async () => {
    const sent = await testApp.app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'hello' });
    await waitFor(() => listeners.receipts.length === 1, 3_000, 'the delivery receipt');
    const [receipt] = listeners.receipts;
    expect(receipt).toBeInstanceOf(DeliveryReceiptEvent);
    expect(receipt).toMatchObject({
      messageId: sent.id,
      callbackData: sent.id,
      to: 'tel:+2250700000001',
      status: 'DeliveredToTerminal',
      delivered: true,
      final: true,
    });
    expect(receipt!.raw).toEqual({
      deliveryInfoNotification: {
        deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
        callbackData: sent.id,
      },
    });
    expect(listeners.impossible).toHaveLength(0);
    await emulator.whenIdle();
    expect(emulator.callbacks.at(-1)).toMatchObject({ kind: 'delivery-receipt', status: 200 });
  });

  it('a status filter runs only for its status; a receipt for an id the store does not know is still emitted', async () => {
    const result = await emulator.deliver('not-sent-by-this-app', 'DeliveryImpossible', {
      callbackData: 'not-sent-by-this-app',
      address: 'tel:+2250700000002',
    });
    expect(result.status).toBe(200);
    await waitFor(() => listeners.impossible.length === 1, 2_000, 'the DeliveryImpossible listener');
    expect(listeners.impossible[0]).toMatchObject({
      messageId: 'not-sent-by-this-app',
      delivered: false,
      final: true,
      message: undefined,
    });
    expect(listeners.receipts).toHaveLength(1);
  });

  it('an inbound SMS reaches keyword and pattern listeners, each only on a match', async () => {
    await emulator.receive({ from: '+2250700000003', to: '+2250000', text: ' bal please' });
    await emulator.receive({ from: '+2250700000003', to: '+2250000', text: 'STOP' });
    await emulator.receive({ from: '+2250700000003', to: '+2250000', text: 'End now' });
    await waitFor(() => listeners.inbound.length === 3, 2_000, 'three inbound SMS');
    expect(listeners.inbound[0]).toMatchObject({
      from: 'tel:+2250700000003',
      to: '+2250000',
      text: ' bal please',
      keyword: 'BAL',
    });
    expect(listeners.balance.map((e) => e.text)).toEqual([' bal please']);
    expect(listeners.stopOrEnd.map((e) => e.text)).toEqual(['STOP', 'End now']);
  });

  it('accepts the secret as the X-Orange-Sms-Token header or the Basic-auth password', async () => {
    const body = {
      inboundSMSMessageNotification: {
        inboundSMSMessage: { senderAddress: 'tel:+2250700000004', destinationAddress: '+2250000', message: 'hi' },
      },
    };
    expect((await post('inbound', body, '', { 'x-orange-sms-token': WEBHOOK_SECRET })).status).toBe(200);
    const basic = `Basic ${Buffer.from(`orange:${WEBHOOK_SECRET}`).toString('base64')}`;
    expect((await post('inbound', body, '', { authorization: basic })).status).toBe(200);
    await waitFor(() => listeners.inbound.length === 2, 2_000, 'two inbound SMS');
  });

  it('the token is read from the URL itself: percent-encoded, among other parameters, whatever query parser the host set', async () => {
    const receipt = (callbackData: string) => ({
      deliveryInfoNotification: {
        deliveryInfo: { address: 'tel:+2250700000005', deliveryStatus: 'DeliveredToTerminal' },
        callbackData,
      },
    });
    const encoded = [...WEBHOOK_SECRET].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    expect((await post('delivery-receipts', receipt('q-1'), `?a=1&token=${encoded}&b=2#x`)).status).toBe(200);
    expect((await post('delivery-receipts', receipt('q-2'), `?tokens=${WEBHOOK_SECRET}`)).status).toBe(401);
    expect((await post('delivery-receipts', receipt('q-3'), `?token=${WEBHOOK_SECRET}x`)).status).toBe(401);
    if (platform === 'express') {
      // A host that turned Express' query parsing off (req.query is then {}): the secret still works.
      const express = testApp.app.getHttpAdapter().getInstance() as { set(name: string, value: unknown): void };
      express.set('query parser', false);
      try {
        expect((await post('delivery-receipts', receipt('q-4'))).status).toBe(200);
      } finally {
        express.set('query parser', 'simple');
      }
    }
    await waitFor(() => listeners.receipts.length === (platform === 'express' ? 2 : 1), 2_000, 'the receipts');
  });

  it('401 without or with a wrong secret, 400 naming the field for a malformed body; no event', async () => {
    const good = {
      deliveryInfoNotification: {
        deliveryInfo: { address: 'tel:+2250700000005', deliveryStatus: 'DeliveredToTerminal' },
        callbackData: 'abc',
      },
    };
    expect((await post('delivery-receipts', good, '')).status).toBe(401);
    expect((await post('delivery-receipts', good, '?token=wrong-secret-wrong-secret')).status).toBe(401);

    const bad = await post('delivery-receipts', {
      deliveryInfoNotification: {
        deliveryInfo: { address: 'tel:+2250700000005', deliveryStatus: 'Sent' },
        callbackData: 'abc',
      },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain(
      'deliveryInfoNotification.deliveryInfo.deliveryStatus',
    );
    expect((await post('inbound', { hello: 'world' })).status).toBe(400);

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listeners.receipts).toHaveLength(0);
    expect(listeners.inbound).toHaveLength(0);
  });
});
