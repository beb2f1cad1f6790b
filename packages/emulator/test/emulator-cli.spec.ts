/** The `orange-sms-emulator` CLI: flags, banner (secret masked) and a working server. */
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { DeliveryReceiptEvent, OnDeliveryReceipt, OrangeSmsModule, OrangeSmsService } from 'nestjs-orange-sms';
import { CapturingLogger } from '../../../test/support/log-capture.js';
import { freePort } from '../../../test/support/redis-server.js';
import { WEBHOOK_SECRET, waitFor } from '../../../test/support/test-app.js';
import { OrangeSmsEmulatorCliExit, maskSecret, parseCliArgs, runCli } from '../src/orange-sms.emulator-cli.js';
import type { OrangeSmsEmulator } from '../src/index.js';

function output() {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
}

let running: OrangeSmsEmulator | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('orange-sms-emulator CLI', () => {
  it('starts with the given flags, prints the URL and client id with the secret masked, and answers a token request', async () => {
    const out = output();
    running = await runCli(
      [
        '--port',
        '0',
        '--client-id',
        'cli-id',
        '--client-secret',
        'cli-very-secret',
        '--admin-format',
        'legacy',
        '--token-ttl-seconds',
        '60',
      ],
      out,
    );
    const banner = out.text();
    expect(banner).toContain(`Orange SMS emulator listening on ${running.url}`);
    expect(banner).toContain('cli-id');
    expect(banner).toContain('cli-****cret');
    expect(banner).not.toContain('cli-very-secret');

    const response = await fetch(`${running.url}/oauth/v3/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from('cli-id:cli-very-secret').toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
    const token = JSON.parse(await response.text()) as { access_token: string; expires_in: number };
    expect(token.expires_in).toBe(60);
    const contracts = await fetch(`${running.url}/sms/admin/v1/contracts`, {
      headers: { Authorization: `Bearer ${token.access_token}` },
    });
    expect(Object.keys((await contracts.json()) as object)).toEqual(['partnerContracts']);
  });

  it('maps every flag to an emulator option', () => {
    expect(
      parseCliArgs([
        '--port',
        '9000',
        '--host',
        '::1',
        '--delivery-receipt-url',
        'http://127.0.0.1:3000/dr?token=x',
        '--inbound-url',
        'http://127.0.0.1:3000/mo',
        '--delivery-delay-ms',
        '50',
        '--auto-delivery-status',
        'none',
        '--rate-limit-per-second',
        '5',
        '--countries',
        'civ,CMR',
        '--initial-units',
        '20',
      ]),
    ).toEqual({
      port: 9000,
      host: '::1',
      credentials: { clientId: 'emulator-client-id', clientSecret: 'emulator-client-secret' },
      deliveryReceiptUrl: 'http://127.0.0.1:3000/dr?token=x',
      inboundUrl: 'http://127.0.0.1:3000/mo',
      deliveryDelayMs: 50,
      autoDeliveryStatus: null,
      rateLimitPerSecond: 5,
      countries: ['CIV', 'CMR'],
      initialUnits: 20,
    });
    expect(parseCliArgs([]).port).toBe(8085);
  });

  it('--help prints the usage and exits 0 without starting', () => {
    const out = output();
    let thrown: unknown;
    try {
      parseCliArgs(['--help'], out);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OrangeSmsEmulatorCliExit);
    expect((thrown as OrangeSmsEmulatorCliExit).exitCode).toBe(0);
    expect(out.text()).toMatch(/^Usage: orange-sms-emulator/);
    expect(out.text()).toContain('--rate-limit-per-second');
  });

  it.each([
    [['--port', 'abc'], /--port must be a number/],
    [['--admin-format', 'old'], /--admin-format must be current or legacy/],
    [['--unknown'], /Unknown option '--unknown'/],
    [['--delivery-receipt-url', 'not a url'], /--delivery-receipt-url is not a URL/],
    [['--auto-delivery-status', 'Delivered'], /--auto-delivery-status must be one of/],
  ])('rejects %j with exit code 2', async (argv, message) => {
    const failure = runCli(argv, output());
    await expect(failure).rejects.toBeInstanceOf(OrangeSmsEmulatorCliExit);
    await expect(failure).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });

  it('--app-url with --webhook-secret points both callbacks at the module: a send through the module gets its receipt', async () => {
    @Injectable()
    class Receipts {
      received: DeliveryReceiptEvent[] = [];
      @OnDeliveryReceipt()
      onReceipt(event: DeliveryReceiptEvent) {
        this.received.push(event);
      }
    }
    // The app's address must be known before the emulator starts (it is the flag's value), and the
    // emulator's before the app starts (it is the module's baseUrl): reserve the app's port first.
    const appPort = await freePort();
    const out = output();
    running = await runCli(
      [
        '--port',
        '0',
        '--app-url',
        `http://127.0.0.1:${appPort}`,
        '--webhook-secret',
        WEBHOOK_SECRET,
        '--delivery-delay-ms',
        '20',
      ],
      out,
    );
    expect(running.deliveryReceiptUrl).toBe(
      `http://127.0.0.1:${appPort}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`,
    );
    expect(running.inboundUrl).toBe(`http://127.0.0.1:${appPort}/orange-sms/webhooks/inbound?token=${WEBHOOK_SECRET}`);
    expect(out.text()).not.toContain(WEBHOOK_SECRET);
    expect(out.text()).toContain('/orange-sms/webhooks/delivery-receipts?token=test****6789');

    @Module({
      imports: [
        EventEmitterModule.forRoot(),
        OrangeSmsModule.forRoot({
          clientId: running.credentials.clientId,
          clientSecret: running.credentials.clientSecret,
          baseUrl: running.url,
          senderAddress: 'tel:+2250000',
          webhookSecret: WEBHOOK_SECRET,
        }),
      ],
      providers: [Receipts],
    })
    class CliAppModule {}
    const app = await NestFactory.create(CliAppModule, { logger: new CapturingLogger(), abortOnError: false });
    try {
      await app.listen(appPort, '127.0.0.1');
      const sent = await app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'via --app-url' });
      const receipts = app.get(Receipts);
      await waitFor(() => receipts.received.length > 0, 5_000, 'the delivery receipt');
      expect(receipts.received[0]).toMatchObject({ messageId: sent.id, status: 'DeliveredToTerminal' });
    } finally {
      await app.close();
    }
  });

  it("--webhook-path sets the prefix under --app-url, keeping the app URL's own path", () => {
    const options = parseCliArgs([
      '--app-url',
      'https://example.test/api/',
      '--webhook-path',
      '/hooks/sms/',
      '--webhook-secret',
      'a&b secret',
    ]);
    expect(options.deliveryReceiptUrl).toBe('https://example.test/api/hooks/sms/delivery-receipts?token=a%26b+secret');
    expect(options.inboundUrl).toBe('https://example.test/api/hooks/sms/inbound?token=a%26b+secret');
    expect(new URL(options.inboundUrl!).searchParams.get('token')).toBe('a&b secret');
    expect(parseCliArgs(['--app-url', 'http://127.0.0.1:3000']).deliveryReceiptUrl).toBe(
      'http://127.0.0.1:3000/orange-sms/webhooks/delivery-receipts',
    );
  });

  it.each([
    [
      ['--app-url', 'http://127.0.0.1:3000', '--delivery-receipt-url', 'http://127.0.0.1:3000/dr'],
      /--delivery-receipt-url/,
    ],
    [['--app-url', 'http://127.0.0.1:3000', '--inbound-url', 'http://127.0.0.1:3000/mo'], /--inbound-url/],
    [['--webhook-secret', 'abc'], /--webhook-secret needs --app-url/],
    [['--webhook-path', 'x'], /--webhook-path needs --app-url/],
    [['--app-url', 'not a url'], /--app-url is not a URL/],
  ])('usage error for %j: exit code 2', async (argv, message) => {
    const failure = runCli(argv, output());
    await expect(failure).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(message) });
  });

  it('masks secrets, never printing a short one', () => {
    expect(maskSecret('emulator-client-secret')).toBe('emul****cret');
    expect(maskSecret('short')).toBe('****');
  });
});
