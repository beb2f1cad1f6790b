import { ORANGE_SMS_STORE } from '../lib/orange-sms.constants.js';
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Inject, Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { InboundSmsEvent, OnInboundSms, OrangeSmsStatsService, OrangeSmsValidationError } from '../lib/index.js';
import { type OrangeSmsStore } from '../lib/interfaces/orange-sms.store.interfaces.js';
import { capturedLogs } from './support/log-capture.js';
import { type Platform, startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';

@Injectable()
class Inbox {
  events: InboundSmsEvent[] = [];
  constructor(@Inject(ORANGE_SMS_STORE) readonly store: OrangeSmsStore) {}
  @OnInboundSms()
  on(event: InboundSmsEvent) {
    this.events.push(event);
  }
}

/** The shape of a real inbound from Orange Cameroon (API reference §12), values changed. */
function recordedInbound(text: string, messageId: string, dateTime = '2022-06-11T12:33:14') {
  return {
    inboundSMSMessageNotification: {
      inboundSMSMessage: {
        senderAddress: 'acr:OrangeAPIToken',
        destinationAddress: '+2370000',
        message: text,
        dateTime,
        messageId,
        someFieldOrangeMayAdd: true,
      },
    },
    callbackData: 'cb-2022',
  };
}

describe.each<Platform>(['express', 'fastify'])('inbound as Orange really sends it, on %s', (platform) => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let inbox: Inbox;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start();
    testApp = await startTestApp(emulator, {
      platform,
      providers: [Inbox],
      options: { orangeTimeZone: 'Africa/Douala' },
    });
    inbox = testApp.app.get(Inbox);
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  const url = (route: string) => `${testApp.url}/orange-sms/webhooks/${route}?token=${WEBHOOK_SECRET}`;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(url('inbound'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('an acr: sender without the number header is kept as anonymous, a STOP opts the reference out, reply() explains', async () => {
    const response = await post(recordedInbound('STOP', '62a48a4a1e4c4b0b9e0e0001'));
    expect(response.status).toBe(200);
    await waitFor(() => inbox.events.some((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0001'));
    const event = inbox.events.find((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0001')!;
    expect(event).toMatchObject({ from: 'acr:OrangeAPIToken', senderKind: 'anonymous', callbackData: 'cb-2022' });
    // Zone-less 12:33:14 read in Africa/Douala (UTC+1), not in the server's zone.
    expect(event.sentAt?.toISOString()).toBe('2022-06-11T11:33:14.000Z');
    expect((event.raw as { callbackData: string }).callbackData).toBe('cb-2022');
    await expect(inbox.store.isOptedOut('acr:OrangeAPIToken')).resolves.toBe(true);
    await expect(event.reply('ok')).rejects.toBeInstanceOf(OrangeSmsValidationError);
    expect(emulator.messages.length).toBe(0);
  });

  it('with the x-orange-ise2 header the number is the sender and reply() sends to it', async () => {
    const response = await post(recordedInbound('BAL', '62a48a4a1e4c4b0b9e0e0002'), {
      'x-orange-ise2': '2250700000001',
    });
    expect(response.status).toBe(200);
    await waitFor(() => inbox.events.some((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0002'));
    const event = inbox.events.find((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0002')!;
    expect(event).toMatchObject({
      from: 'tel:+2250700000001',
      senderKind: 'number',
      senderReference: 'acr:OrangeAPIToken',
    });
    const sent = await event.reply('Your balance is 12');
    expect(sent.to).toBe('tel:+2250700000001');
  });

  it("an unreadable dateTime keeps the message with its raw time; a body that is not Orange's is 400", async () => {
    const response = await post(recordedInbound('HELLO', '62a48a4a1e4c4b0b9e0e0003', '11/06/2022 12h33'));
    expect(response.status).toBe(200);
    await waitFor(() => inbox.events.some((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0003'));
    const event = inbox.events.find((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0003')!;
    expect(event.sentAt).toBeUndefined();
    expect(event.sentAtRaw).toBe('11/06/2022 12h33');
    expect((await post({ hello: 'world' })).status).toBe(400);
  });

  it('other methods get 405 with Allow: POST and never echo the URL (it holds the secret)', async () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const route of ['inbound', 'delivery-receipts']) {
        const response = await fetch(url(route), { method });
        const text = await response.text();
        expect([method, route, response.status]).toEqual([method, route, 405]);
        expect(response.headers.get('allow')).toBe('POST');
        expect(text).not.toContain(WEBHOOK_SECRET);
      }
    }
  });

  it('any other path under the webhook prefix gets 404 without echoing the URL or its secret', async () => {
    for (const method of ['GET', 'POST']) {
      for (const route of ['delivery-receipt', 'inbound/extra', 'x', 'a/b/c/d']) {
        const response = await fetch(url(route), {
          method,
          ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
        });
        const text = await response.text();
        expect([method, route, response.status]).toEqual([method, route, 404]);
        expect(text).not.toContain(WEBHOOK_SECRET);
        expect(text).toContain('delivery-receipts and inbound');
      }
    }
    const prefix = await fetch(`${testApp.url}/orange-sms/webhooks?token=${WEBHOOK_SECRET}`);
    expect(prefix.status).toBe(404);
    expect(await prefix.text()).not.toContain(WEBHOOK_SECRET);
    // The real routes are not shadowed.
    expect((await post({ hello: 'world' })).status).toBe(400);
  });

  it('a gzip or chunked body over the limit gets 413 although its Content-Length is small or absent', async () => {
    const big = recordedInbound('x'.repeat(70 * 1024), '62a48a4a1e4c4b0b9e0e0004');
    const compressed = gzipSync(JSON.stringify(big));
    expect(compressed.length).toBeLessThan(64 * 1024);
    const gzip = await fetch(url('inbound'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: compressed,
    });
    // Express inflates, then the guard measures the decoded body (413); Fastify does not inflate
    // (its JSON parser refuses the compressed bytes: 400). Either way nothing is taken.
    expect(gzip.status).toBe(platform === 'express' ? 413 : 400);
    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(big)));
        controller.close();
      },
    });
    const chunked = await fetch(url('inbound'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(inbox.events.some((e) => e.messageId === '62a48a4a1e4c4b0b9e0e0004')).toBe(false);
  });

  it('order of checks as documented: body parser (400/413), then size, then token (401), then payload (400)', async () => {
    const raw = (body: string, query: string) =>
      fetch(`${testApp.url}/orange-sms/webhooks/inbound${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    // The platform parses the body before any guard can run: broken JSON is 400 even without a token.
    expect((await raw('{"broken', '')).status).toBe(400);
    expect((await raw(JSON.stringify({ hello: 'world' }), '')).status).toBe(401);
    expect((await raw(JSON.stringify({ hello: 'world' }), '?token=wrong')).status).toBe(401);
    expect((await raw(JSON.stringify({ hello: 'world' }), `?token=${WEBHOOK_SECRET}`)).status).toBe(400);
    // Over the guard's 64 KiB but under the parser's limit, without a token: 413 before 401.
    expect((await raw(JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), '')).status).toBe(413);
  });

  it('CR/LF in outside fields never starts a new log line', async () => {
    capturedLogs.length = 0;
    const body = recordedInbound('STOP\r\nFAKE', '62a48a4a1e4c4b0b9e0e0005');
    body.inboundSMSMessageNotification.inboundSMSMessage.destinationAddress = '+2370000\r\nERROR forged line';
    expect((await post(body)).status).toBe(200);
    const receipt = {
      deliveryInfoNotification: {
        deliveryInfo: { address: 'tel:+2250700000000', deliveryStatus: 'DeliveredToTerminal' },
        callbackData: 'id\r\nERROR forged receipt',
      },
    };
    const dr = await fetch(url('delivery-receipts'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(receipt),
    });
    expect(dr.status).toBe(200);
    await waitFor(() => capturedLogs.some((line) => line.includes('forged receipt')), 3_000, 'the receipt log');
    const lines = capturedLogs.filter((line) => line.includes('forged'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).not.toMatch(/[\r\n]/);
  });
});

describe('spendable balance: an EXPIRED contract with units left (recorded 2023-09-26) is not counted', () => {
  let mock: Server;
  let contractsBody: unknown;
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;

  beforeAll(async () => {
    // The emulator cannot show an EXPIRED contract with units, so a minimal Orange of our own.
    mock = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url?.startsWith('/oauth/v3/token'))
        return response.end(JSON.stringify({ token_type: 'Bearer', access_token: 'mock-token', expires_in: 3600 }));
      if (request.url?.startsWith('/sms/admin/v1/contracts')) return response.end(JSON.stringify(contractsBody));
      response.statusCode = 404;
      response.end('{}');
    });
    await new Promise<void>((resolve) => mock.listen(0, '127.0.0.1', resolve));
    const port = (mock.address() as { port: number }).port;
    emulator = await OrangeSmsEmulator.start();
    testApp = await startTestApp(emulator, {
      options: { baseUrl: `http://127.0.0.1:${port}`, legacyTimeZone: 'Africa/Douala' },
      wireCallbacks: false,
    });
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
    await new Promise((resolve) => mock.close(resolve));
  });

  it('current format: status EXPIRED', async () => {
    contractsBody = [
      {
        id: 'c-expired',
        country: 'CIV',
        offerName: 'SMS_OCB',
        availableUnits: 169,
        status: 'EXPIRED',
        expirationDate: '2023-09-25T23:59:59.000Z',
      },
      {
        id: 'c-active',
        country: 'CIV',
        offerName: 'SMS_OCB',
        availableUnits: 20,
        status: 'ACTIVE',
        expirationDate: '2999-01-01T00:00:00.000Z',
      },
    ];
    const balance = await testApp.app.get(OrangeSmsStatsService).getBalance();
    expect(balance.availableUnits).toBe(20);
    expect(balance.unspendableUnits).toBe(169);
    expect(balance.contracts.map((c) => [c.id, c.state])).toEqual([
      ['c-expired', 'expired'],
      ['c-active', 'active'],
    ]);
  });

  it('legacy format: a past zone-less `expires`, read in the configured zone (legacyTimeZone alias)', async () => {
    contractsBody = {
      partnerContracts: {
        partnerId: 'dev@example.com',
        contracts: [
          {
            service: 'SMS_OCB',
            serviceContracts: [
              {
                country: 'CMR',
                service: 'SMS_OCB',
                contractId: 'old',
                availableUnits: 99,
                expires: '2022-03-02T20:00:00',
              },
              {
                country: 'CMR',
                service: 'SMS_OCB',
                contractId: 'new',
                availableUnits: 5,
                expires: '2999-03-02T20:00:00',
              },
            ],
          },
        ],
      },
    };
    const balance = await testApp.app.get(OrangeSmsStatsService).getBalance();
    expect(balance.availableUnits).toBe(5);
    expect(balance.unspendableUnits).toBe(99);
    const old = balance.contracts.find((c) => c.id === 'old')!;
    expect(old.state).toBe('expired');
    expect(old.expiresAt?.toISOString()).toBe('2022-03-02T19:00:00.000Z');
  });
});
