/** The `orange-sms-emulator` CLI: flags, banner (secret masked) and a working server. */
import { OrangeSmsEmulatorCliExit, maskSecret, parseCliArgs, runCli } from '../lib/emulator/orange-sms.emulator-cli.js';
import type { OrangeSmsEmulator } from '../lib/emulator/index.js';

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

  it('masks secrets, never printing a short one', () => {
    expect(maskSecret('emulator-client-secret')).toBe('emul****cret');
    expect(maskSecret('short')).toBe('****');
  });
});
