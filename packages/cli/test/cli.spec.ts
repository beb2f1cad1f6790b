/** The `orange-sms` operator CLI, against the emulator: in-process through runOrangeSmsCli, and as the built bin. */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { runOrangeSmsCli } from '../src/orange-sms.cli.js';
import { maskUrlCredentials, redactingOutput } from '../src/orange-sms.cli-output.js';
import { bearerTokensSeen, type CliEnv, emulatorCliEnv, expectNoSecrets, runCli } from './support/cli-run.js';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsModule, OrangeSmsStatsService } from 'nestjs-orange-sms';

const run = promisify(execFile);
const BIN = join(process.cwd(), 'packages/cli/dist/orange-sms.cli.js');
const WEBHOOK_SECRET = 'cli-webhook-secret-0123456789';
const INITIAL_UNITS = 1000;

let emulator: OrangeSmsEmulator;
/** The library itself, on the same emulator: what `--json` must reproduce. */
let stats: OrangeSmsStatsService;
let closeLibrary: () => Promise<void>;
/** stdout and stderr of every run, checked at the end for secrets. */
const outputs: string[] = [];

type Env = CliEnv;

function cliEnv(overrides: Env = {}): Env {
  return emulatorCliEnv(emulator, overrides);
}

function cli(args: string[], env: Env = cliEnv(), signal?: AbortSignal) {
  return runCli(args, env, { outputs, ...(signal ? { signal } : {}) });
}

/** What the library's result looks like once serialised (Dates as strings). */
function serialised(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function unitsUsed(): number {
  return emulator.messages.reduce((sum, sms) => sum + sms.segments, 0);
}

beforeAll(async () => {
  emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null, countries: ['CIV'] });
  class LibraryModule {}
  Module({})(LibraryModule);
  const app = await NestFactory.createApplicationContext(
    {
      module: LibraryModule,
      imports: [
        EventEmitterModule.forRoot(),
        OrangeSmsModule.forRoot({
          ...emulator.credentials,
          baseUrl: emulator.url,
          country: 'CIV',
          webhooks: { enabled: false },
        }),
      ],
    },
    { logger: false, abortOnError: false },
  );
  stats = app.get(OrangeSmsStatsService);
  closeLibrary = () => app.close();
});

afterAll(async () => {
  await closeLibrary?.();
  await emulator?.stop();
});

describe('orange-sms send', () => {
  it('posts exactly the SMS typed to Orange and prints the id Orange assigned', async () => {
    const { code, out, err } = await cli([
      'send',
      '--to',
      '+225 07 00 00 00 01',
      '--text',
      'Hello from the CLI',
      '--sender-name',
      'ACME',
      '--reference',
      'ref-1',
    ]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const sends = emulator.requests.filter((request) => request.kind === 'send');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.path).toBe('/smsmessaging/v1/outbound/tel:+2250000/requests');
    expect(sends[0]!.json).toEqual({
      outboundSMSMessageRequest: {
        address: 'tel:+2250700000001',
        senderAddress: 'tel:+2250000',
        senderName: 'ACME',
        outboundSMSTextMessage: { message: 'Hello from the CLI' },
      },
    });
    expect(emulator.messages).toHaveLength(1);
    expect(/^\s+id\s+(\S+)$/m.exec(out)?.[1]).toBe(emulator.messages[0]!.id);
    // The operator's own answer shows the full recipient (see formatSent).
    expect(out).toMatch(/^\s+to\s+\+2250700000001$/m);
    expect(out).toMatch(/^\s+from\s+tel:\+2250000 \(ACME\)$/m);
    expect(out).toMatch(/^\s+segments\s+1 \(GSM-7\)$/m);
    expect(out).toMatch(/^\s+reference\s+ref-1$/m);
  });

  it('--json prints the library result as one JSON document; --on-net reaches Orange', async () => {
    const text = 'x'.repeat(200); // two GSM-7 segments
    const { code, out, err } = await cli(['send', '--json', '--on-net', '--to', '+2250700000002', '--text', text]);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const sent = emulator.messages[1]!;
    expect(JSON.parse(out)).toEqual({
      id: sent.id,
      to: 'tel:+2250700000002',
      senderAddress: 'tel:+2250000',
      text,
      segments: 2,
      encoding: 'GSM-7',
      status: 'submitted',
      submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      resourceUrl: sent.resourceUrl,
      account: 'default',
    });
    expect(sent).toMatchObject({ onNet: true, segments: 2 });
    expect(emulator.requests.filter((r) => r.kind === 'send').at(-1)!.query).toEqual({
      resource_type_parameter_management: 'SMS_OCB2',
    });
  });

  it('flags override the environment; ORANGE_SMS_AUTHORIZATION_HEADER replaces the id and secret', async () => {
    const env = {
      ORANGE_SMS_AUTHORIZATION_HEADER: emulator.authorizationHeader,
      ORANGE_SMS_BASE_URL: 'https://api.orange.com',
      ORANGE_SMS_SENDER_ADDRESS: 'tel:+2259999',
      ORANGE_SMS_SENDER_NAME: 'FROMENV',
    };
    const { code, err } = await cli(
      ['send', '--base-url', emulator.url, '--country', 'CIV', '--to', '+2250700000004', '--text', 'override'],
      env,
    );
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(emulator.messages.at(-1)).toMatchObject({ senderAddress: 'tel:+2250000', senderName: 'FROMENV' });
    expect(emulator.requests.filter((r) => r.kind === 'token').at(-1)!.headers.authorization).toBe(
      emulator.authorizationHeader,
    );
  });

  it('an invalid number: exit 2 naming `to`, the number masked, and no request to Orange', async () => {
    const before = emulator.requests.length;
    const { code, out, err } = await cli(['send', '--to', '+22507000001', '--text', 'hi']);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/invalid to \(--to\): .*not a valid number/);
    expect(err).toContain('+22507****01');
    expect(err).not.toContain('+22507000001');
    expect(emulator.requests.length).toBe(before);
  });

  it("an Orange error: exit 1 with the status, Orange's id and its text filled in", async () => {
    const sent = emulator.messages.length;
    emulator.failNext({
      match: 'send',
      status: 403,
      body: {
        requestError: {
          policyException: {
            messageId: 'POL0001',
            text: 'A policy error occurred. Error code is %1',
            variables: ['Expired contract'],
          },
        },
      },
    });
    const { code, out, err } = await cli(['send', '--to', '+2250700000003', '--text', 'hi']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toContain('HTTP 403 (POL0001): A policy error occurred. Error code is Expired contract');
    expect(emulator.requests.filter((r) => r.kind === 'send').at(-1)!.status).toBe(403);
    expect(emulator.messages.length).toBe(sent);
  });

  it('refused credentials: exit 1 with the status, without echoing the secret', async () => {
    const { code, err } = await cli(['balance'], cliEnv({ ORANGE_SMS_CLIENT_SECRET: 'wrong-client-secret' }));
    expect(code).toBe(1);
    expect(err).toMatch(/Orange refused the credentials: .*401 \(invalid_client\)/);
    expect(err).toContain('ORANGE_SMS_CLIENT_SECRET');
    expect(err).not.toContain('wrong-client-secret');
  });
});

describe('orange-sms balance, usage, purchases', () => {
  it('balance: a table and a total matching the units the sends used', async () => {
    const available = INITIAL_UNITS - unitsUsed();
    expect(available).toBe(INITIAL_UNITS - 4);
    const { code, out, err } = await cli(['balance']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const library = await stats.getBalance();
    expect(out).toMatch(/^COUNTRY\s+OFFER\s+STATE\s+AVAILABLE\s+EXPIRES\s+CONTRACT$/m);
    expect(out).toMatch(
      new RegExp(
        `^CIV\\s+SMS_OCB\\s+active\\s+${available}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\s+${library.contracts[0]!.id}$`,
        'm',
      ),
    );
    expect(out).toContain(`Total: ${available} units available`);
  });

  it('balance --json: exactly the library result', async () => {
    const { code, out } = await cli(['balance', '--json', '--country', 'civ']);
    expect(code).toBe(0);
    expect(emulator.requests.at(-1)!.query).toEqual({ country: 'CIV' });
    const json = JSON.parse(out) as { availableUnits: number };
    expect(json.availableUnits).toBe(INITIAL_UNITS - unitsUsed());
    expect(json).toEqual(serialised(await stats.getBalance({ country: 'CIV' })));
  });

  it('usage: human and --json, the units used by the sends, filtered by application id', async () => {
    const human = await cli(['usage']);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(new RegExp(`^CIV\\s+${emulator.appId}\\s+SMS_OCB\\s+${unitsUsed()}$`, 'm'));
    expect(human.out).toContain(`Total: ${unitsUsed()} units used`);

    const json = await cli(['usage', '--json', '--app-id', emulator.appId]);
    expect(json.code).toBe(0);
    expect(emulator.requests.at(-1)!.query).toEqual({ appid: emulator.appId });
    expect(JSON.parse(json.out)).toMatchObject({ usage: unitsUsed() });
    expect(JSON.parse(json.out)).toEqual(serialised(await stats.getUsage({ appId: emulator.appId })));

    const other = await cli(['usage', '--json', '--app-id', 'another-app']);
    expect(JSON.parse(other.out)).toMatchObject({ usage: 0 });
  });

  it('purchases: human and --json', async () => {
    const library = await stats.getPurchaseOrders();
    expect(library).toHaveLength(1);
    const order = library[0]!;
    const human = await cli(['purchases']);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/^DATE\s+COUNTRY\s+OFFER\s+BUNDLE\s+AMOUNT\s+ORDER$/m);
    expect(human.out).toContain(`${order.amount} ${order.currency}`);
    expect(human.out).toMatch(new RegExp(`CIV\\s+SMS_OCB\\s+.*\\s+${order.id}$`, 'm'));
    expect(human.out).toContain('Total: 1 purchase order');

    const json = await cli(['purchases', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(serialised(library));
  });
});

describe('orange-sms delivery-receipt subscriptions', () => {
  it('subscribe-receipts adds ORANGE_SMS_WEBHOOK_SECRET as ?token= and never prints it; get and cancel', async () => {
    const env = cliEnv({ ORANGE_SMS_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const notifyUrl = 'https://app.example.com/orange-sms/webhooks/delivery-receipts';
    const created = await cli(['subscribe-receipts', '--notify-url', notifyUrl, '--callback-data', 'ops'], env);
    expect({ code: created.code, err: created.err }).toEqual({ code: 0, err: '' });
    const request = emulator.requests.filter((r) => r.kind === 'subscription').at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.json).toEqual({
      deliveryReceiptSubscription: {
        callbackReference: { notifyURL: `${notifyUrl}?token=${WEBHOOK_SECRET}`, callbackData: 'ops' },
      },
    });
    expect(created.out).toMatch(
      /^\s+notify URL\s+https:\/\/app\.example\.com\/orange-sms\/webhooks\/delivery-receipts\?token=\*\*\*\*$/m,
    );
    expect(created.out).toMatch(/^\s+callback data\s+ops$/m);
    const id = /^\s+id\s+(\S+)$/m.exec(created.out)?.[1];
    expect(id).toMatch(/^[0-9a-f]{24}$/);

    const shown = await cli(['get-subscription', id!, '--json'], env);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toMatchObject({ id, notifyUrl: `${notifyUrl}?token=****`, callbackData: 'ops' });

    const cancelled = await cli(['cancel-subscription', id!, '--json'], env);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.out)).toEqual({ id, cancelled: true });
    expect(emulator.requests.at(-1)).toMatchObject({ method: 'DELETE', status: 204 });

    const gone = await cli(['get-subscription', id!], env);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain(`no delivery-receipt subscription '${id}'`);
  });

  it('a notify URL Orange would refuse: exit 2 naming notifyUrl, no request', async () => {
    const before = emulator.requests.length;
    const { code, err } = await cli(['subscribe-receipts', '--notify-url', 'http://app.example.com/dr']);
    expect(code).toBe(2);
    expect(err).toContain('invalid notifyUrl (--notify-url)');
    expect(emulator.requests.length).toBe(before);
  });
});

describe('orange-sms usage errors', () => {
  it('a missing environment variable: exit 2 naming it, no request', async () => {
    const before = emulator.requests.length;
    const noSecret = await cli(['balance'], cliEnv({ ORANGE_SMS_CLIENT_SECRET: undefined }));
    expect(noSecret.code).toBe(2);
    expect(noSecret.err).toMatch(/missing environment variable:\n\s+ORANGE_SMS_CLIENT_SECRET\n/);
    expect(noSecret.err).not.toMatch(/^\s+ORANGE_SMS_CLIENT_ID$/m);

    const noSender = await cli(['send', '--to', '+2250700000001', '--text', 'hi'], cliEnv({ ORANGE_SMS_COUNTRY: '' }));
    expect(noSender.code).toBe(2);
    expect(noSender.err).toContain('ORANGE_SMS_COUNTRY or ORANGE_SMS_SENDER_ADDRESS');
    expect(emulator.requests.length).toBe(before);
  });

  it('a bad variable: exit 2 naming the variable and the reason', async () => {
    const { code, err } = await cli(
      ['send', '--to', '+2250700000001', '--text', 'hi'],
      cliEnv({ ORANGE_SMS_COUNTRY: 'XYZ' }),
    );
    expect(code).toBe(2);
    expect(err).toMatch(/invalid configuration:\n\s+ORANGE_SMS_COUNTRY \(country\): unknown Orange SMS country/);
  });

  it('refuses a secret given as a flag, without echoing it', async () => {
    const { code, err } = await cli(['balance', '--client-secret', 'typed-secret-value']);
    expect(code).toBe(2);
    expect(err).toContain('--client-secret is not accepted');
    expect(err).toContain('ORANGE_SMS_CLIENT_SECRET');
    expect(err).not.toContain('typed-secret-value');
  });

  it('unknown command, unknown flag, missing required flag: exit 2', async () => {
    expect(await cli(['frobnicate'])).toMatchObject({
      code: 2,
      err: expect.stringContaining("unknown command 'frobnicate'"),
    });
    expect(await cli(['balance', '--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining("'--bogus'") });
    expect(await cli(['send', '--to', '+2250700000001'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('--text is required'),
    });
    expect(await cli([])).toMatchObject({ code: 2, err: expect.stringContaining('a command is required') });
  });

  it('--help, global and per command: exit 0, says secrets are never flags', async () => {
    const global = await cli(['--help'], {});
    expect(global.code).toBe(0);
    for (const command of ['send', 'balance', 'usage', 'purchases', 'subscribe-receipts', 'doctor', 'emulator']) {
      expect(global.out).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    expect(global.out).toContain('Secrets are never taken as flags');
    const send = await cli(['send', '--help'], {});
    expect(send.code).toBe(0);
    expect(send.out).toMatch(/^Usage: orange-sms send --to <\+225…> --text <TEXT> \[options\]$/m);
    for (const flag of ['--to', '--text', '--sender-name', '--on-net', '--reference', '--json', '--base-url']) {
      expect(send.out).toContain(flag);
    }
    expect(send.out).toContain('ORANGE_SMS_CLIENT_SECRET');
    expect((await cli(['help', 'usage'], {})).out).toContain('--app-id');
  });
});

describe('orange-sms emulator', () => {
  it('starts the embedded emulator with its flags and stops it when asked', async () => {
    const stop = new AbortController();
    let banner = '';
    const running = runOrangeSmsCli(['emulator', '--port', '0', '--client-id', 'cli-emu-id'], {
      out: { write: (chunk: string) => (banner += chunk) },
      err: { write: (chunk: string) => (banner += chunk) },
      env: {},
      signal: stop.signal,
    });
    const deadline = Date.now() + 5_000;
    while (!banner.includes('Press Ctrl+C') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const url = /listening on (http:\/\/\S+)/.exec(banner)?.[1];
    expect(url).toBeDefined();
    expect(banner).toContain('cli-emu-id');
    const token = await fetch(`${url}/oauth/v3/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from('cli-emu-id:emulator-client-secret').toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
    stop.abort();
    expect(await running).toBe(0);
    await expect(fetch(`${url}/oauth/v3/token`, { method: 'POST' })).rejects.toThrow();
  });

  it('passes bad emulator flags through: exit 2', async () => {
    const { code, err } = await cli(['emulator', '--admin-format', 'weird'], {});
    expect(code).toBe(2);
    expect(err).toContain('--admin-format must be current or legacy');
  });
});

describe('the built bin', () => {
  it('runs `node packages/cli/dist/orange-sms.cli.js balance --json` and sets the exit code', async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
    expect(readFileSync(BIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const env = { PATH: process.env.PATH, ...cliEnv() } as NodeJS.ProcessEnv;
    // Asynchronous: the emulator answering the child runs in this process.
    const { stdout, stderr } = await run(process.execPath, [BIN, 'balance', '--json'], { env, timeout: 20_000 });
    outputs.push(stdout, stderr);
    expect(stderr).toBe('');
    expect(JSON.parse(stdout)).toMatchObject({ availableUnits: INITIAL_UNITS - unitsUsed() });

    const failed = await run(process.execPath, [BIN, 'send', '--to', '+22507000001', '--text', 'hi'], {
      env,
      timeout: 20_000,
    }).then(
      () => undefined,
      (error: { code?: number; stderr?: string }) => error,
    );
    outputs.push(failed?.stderr ?? '');
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('invalid to (--to)');
  });
});

describe('secrets', () => {
  it('redaction masks known secrets and any Bearer or Basic value, even in an unexpected message', () => {
    let text = '';
    const out = redactingOutput({ write: (chunk: string) => (text += chunk) }, ['s3cret-value', undefined, 'abc']);
    out.write('failed with s3cret-value; Authorization: Bearer eyJhbGciOi.payload.sig and Basic dXNlcjpwYXNz; abc');
    expect(text).toBe('failed with ****; Authorization: Bearer **** and Basic ****; abc');
    expect(maskUrlCredentials('https://u:pw@h.example/dr?token=t0k3n&x=1')).toBe(
      'https://u:****@h.example/dr?token=****&x=1',
    );
    expect(maskUrlCredentials('https://h.example/dr?x=1')).toBe('https://h.example/dr?x=1');
  });

  it('no output of any run contains the client secret, the Basic credentials or a bearer token', () => {
    const tokens = new Set(bearerTokensSeen(emulator));
    expect(tokens.size).toBeGreaterThan(0);
    expect(outputs.join('').length).toBeGreaterThan(1000);
    expectNoSecrets(outputs, emulator, [WEBHOOK_SECRET, ...tokens]);
  });
});
