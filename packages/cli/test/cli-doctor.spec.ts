/**
 * `orange-sms doctor` against the real emulator and a real Nest app with the module's webhooks: a
 * healthy set-up, then one broken thing at a time, each reported on its line with what to fix.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable } from '@nestjs/common';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { DeliveryReceiptEvent, InboundSmsEvent, OnDeliveryReceipt, OnInboundSms } from 'nestjs-orange-sms';
import { bearerTokensSeen, type CliEnv, emulatorCliEnv, expectNoSecrets, runCli } from './support/cli-run.js';
import { startTestApp, type TestApp, WEBHOOK_SECRET } from '../../../test/support/test-app.js';

@Injectable()
class RecordedNotifications {
  events: Array<DeliveryReceiptEvent | InboundSmsEvent> = [];
  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent) {
    this.events.push(event);
  }
  @OnInboundSms()
  onInbound(event: InboundSmsEvent) {
    this.events.push(event);
  }
}

type Env = CliEnv;

let emulator: OrangeSmsEmulator;
let testApp: TestApp;
let notifications: RecordedNotifications;
/** Every output, checked at the end for secrets. */
const outputs: string[] = [];

function doctorEnv(target: OrangeSmsEmulator, overrides: Env = {}): Env {
  return emulatorCliEnv(target, {
    ORANGE_SMS_SENDER_NAME: 'ACME',
    ORANGE_SMS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ...overrides,
  });
}

function doctor(args: string[], env: Env) {
  return runCli(['doctor', ...args], env, { outputs });
}

/** The status word each check was printed with, by check name. */
function verdicts(out: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of out.matchAll(/^(ok|warn|FAIL|skip)\s{2,}([a-z -]+?): /gm)) found[match[2]!] = match[1]!;
  return found;
}

/** A contract in Orange's current admin format, as recorded (§12: EXPIRED with units left). */
function recordedContract(fields: { id: string; status: string; availableUnits: number; expirationDate: string }) {
  return {
    type: 'SELFSERVICE',
    developerId: 'dev@example.com',
    applicationId: null,
    country: 'CIV',
    offerName: 'SMS_OCB',
    requestedUnits: 200,
    creationDate: '2023-08-26T10:00:00.000Z',
    lastUpdateDate: '2023-09-25T23:59:59.000Z',
    ...fields,
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
  testApp = await startTestApp(emulator, { providers: [RecordedNotifications], wireCallbacks: false });
  notifications = testApp.app.get(RecordedNotifications);
});

afterAll(async () => {
  await testApp?.close();
  await emulator?.stop();
});

describe('orange-sms doctor', () => {
  it('a healthy set-up: every check ok, exit 0, and the webhook probe records nothing', async () => {
    const { code, out, err } = await doctor(['--app-url', testApp.url], doctorEnv(emulator));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(verdicts(out)).toEqual({
      token: 'ok',
      contracts: 'ok',
      sender: 'ok',
      'webhook delivery-receipts': 'ok',
      'webhook inbound': 'ok',
    });
    expect(out).toMatch(
      /^ok {4}token: Orange issued an access token \(http:\/\/127\.0\.0\.1:\d+\/oauth\/v3\/token\)$/m,
    );
    expect(out).toMatch(/^ok {4}contracts: 1000 units spendable$/m);
    expect(out).toMatch(/^ {6}CIV\s+SMS_OCB\s+active\s+1000\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\s+\S+$/m);
    expect(out).toMatch(/^ok {4}sender: tel:\+2250000, name "ACME" in a form Orange accepts$/m);
    expect(out).toContain(
      `ok    webhook delivery-receipts: ${testApp.url}/orange-sms/webhooks/delivery-receipts reached, secret accepted`,
    );
    expect(out).toContain(`ok    webhook inbound: ${testApp.url}/orange-sms/webhooks/inbound reached, secret accepted`);
    expect(out).toMatch(/^All checks passed\. 5 ok, 0 warn, 0 FAIL, 0 skip$/m);
    // The probe is not a notification: no event, and the emulator sent nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(notifications.events).toEqual([]);
    expect(emulator.messages).toEqual([]);
    expect(emulator.requests.map((r) => r.kind)).toEqual(['token', 'admin']);
  });

  it('--json: one document with every check, ok true', async () => {
    const { code, out } = await doctor(['--json', '--app-url', testApp.url], doctorEnv(emulator));
    expect(code).toBe(0);
    const report = JSON.parse(out) as { ok: boolean; checks: Array<{ check: string; status: string }> };
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => `${c.check}=${c.status}`)).toEqual([
      'token=ok',
      'contracts=ok',
      'sender=ok',
      'webhook delivery-receipts=ok',
      'webhook inbound=ok',
    ]);
  });

  it('a wrong client secret: invalid_client explained with its usual causes, contracts skipped, exit 1', async () => {
    const { code, out } = await doctor([], doctorEnv(emulator, { ORANGE_SMS_CLIENT_SECRET: 'wrong-client-secret' }));
    expect(code).toBe(1);
    expect(verdicts(out)).toMatchObject({ token: 'FAIL', contracts: 'skip', sender: 'ok', webhooks: 'skip' });
    expect(out).toMatch(/^FAIL {2}token: Orange refused the credentials: .*invalid_client/m);
    expect(out).toMatch(/^ {6}- no SMS bundle bought yet for this application/m);
    expect(out).toMatch(/^ {6}- the SMS API is not activated on this application/m);
    expect(out).toMatch(/^ {6}- credentials of another product or application/m);
    expect(out).toMatch(
      /^ {6}- ORANGE_SMS_CLIENT_ID and ORANGE_SMS_CLIENT_SECRET .*base64\(client_id:client_secret\)/m,
    );
    expect(out).toMatch(/^Some checks failed\. 1 ok, 0 warn, 1 FAIL, 2 skip$/m);
    expect(out).not.toContain('wrong-client-secret');
  });

  it('an ORANGE_SMS_AUTHORIZATION_HEADER Orange cannot decode: the Basic header cause is named', async () => {
    const notAPair = `Basic ${Buffer.from('no-colon-in-here').toString('base64')}`;
    const { code, out } = await doctor(
      [],
      doctorEnv(emulator, {
        ORANGE_SMS_CLIENT_ID: undefined,
        ORANGE_SMS_CLIENT_SECRET: undefined,
        ORANGE_SMS_AUTHORIZATION_HEADER: notAPair,
      }),
    );
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL {2}token: Orange refused the credentials: .*invalid_client/m);
    expect(out).toMatch(
      /^ {6}- ORANGE_SMS_AUTHORIZATION_HEADER must be "Basic " \+ base64\(client_id:client_secret\)/m,
    );
  });

  it('a header the module refuses before any request: FAIL configuration naming the variable', async () => {
    const before = emulator.requests.length;
    const { code, out } = await doctor(
      [],
      doctorEnv(emulator, {
        ORANGE_SMS_CLIENT_ID: undefined,
        ORANGE_SMS_CLIENT_SECRET: undefined,
        ORANGE_SMS_AUTHORIZATION_HEADER: 'Bearer something-else',
      }),
    );
    expect(code).toBe(1);
    expect(verdicts(out)).toMatchObject({ configuration: 'FAIL', contracts: 'skip', sender: 'ok' });
    expect(out).toMatch(/^ {6}fix ORANGE_SMS_AUTHORIZATION_HEADER \(authorizationHeader\): /m);
    expect(out).toMatch(/^ok {4}sender: tel:\+2250000, name "ACME" in a form Orange accepts$/m);
    expect(emulator.requests.length).toBe(before);
  });

  it('an EXPIRED contract with units left (recorded shape): not spendable, FAIL, exit 1', async () => {
    emulator.failNext({
      match: 'admin',
      status: 200,
      body: [
        recordedContract({
          id: 'contract-expired-civ',
          status: 'EXPIRED',
          availableUnits: 169,
          expirationDate: '2023-09-25T23:59:59.000Z',
        }),
      ],
    });
    const { code, out } = await doctor([], doctorEnv(emulator));
    expect(code).toBe(1);
    expect(verdicts(out)).toMatchObject({ token: 'ok', contracts: 'FAIL', sender: 'ok' });
    expect(out).toMatch(
      /^FAIL {2}contracts: no spendable units: every send will be refused \(169 more on expired or inactive contracts, not counted\)$/m,
    );
    expect(out).toMatch(/^ {6}CIV\s+SMS_OCB\s+expired\s+169\s+2023-09-25 23:59 UTC\s+contract-expired-civ$/m);
    expect(out).toMatch(
      /^ {6}warn: CIV contract contract-expired-civ is expired with 169 units left: Orange refuses every send on it/m,
    );
    expect(out).toMatch(/^ {6}fix: buy an SMS bundle/m);
  });

  it('zero units left: FAIL, exit 1', async () => {
    const empty = await OrangeSmsEmulator.start({ initialUnits: 0, inbox: false });
    try {
      const { code, out } = await doctor([], doctorEnv(empty));
      expect(code).toBe(1);
      expect(verdicts(out)).toMatchObject({ token: 'ok', contracts: 'FAIL' });
      expect(out).toMatch(/^FAIL {2}contracts: no spendable units: every send will be refused$/m);
    } finally {
      await empty.stop();
    }
  });

  it('an active contract expiring within --expiry-days: warn, exit 0', async () => {
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    emulator.failNext({
      match: 'admin',
      status: 200,
      body: [
        recordedContract({
          id: 'contract-soon',
          status: 'ACTIVE',
          availableUnits: 40,
          expirationDate: inTwoDays.toISOString(),
        }),
      ],
    });
    const { code, out } = await doctor(['--expiry-days', '3'], doctorEnv(emulator));
    expect(code).toBe(0);
    expect(out).toMatch(/^warn {2}contracts: 40 units spendable$/m);
    expect(out).toMatch(/^ {6}warn: CIV contract contract-soon expires .* UTC, within 3 days/m);
    expect(out).toMatch(/^No check failed\. 2 ok, 1 warn, 0 FAIL, 1 skip$/m);
  });

  it('a webhook secret the app does not hold: 401 reported per route, exit 1, secret never printed', async () => {
    const wrong = 'not-the-app-webhook-secret';
    const { code, out } = await doctor(
      ['--app-url', testApp.url],
      doctorEnv(emulator, { ORANGE_SMS_WEBHOOK_SECRET: wrong }),
    );
    expect(code).toBe(1);
    expect(verdicts(out)).toMatchObject({
      token: 'ok',
      'webhook delivery-receipts': 'FAIL',
      'webhook inbound': 'FAIL',
    });
    expect(out).toContain(
      `FAIL  webhook delivery-receipts: ${testApp.url}/orange-sms/webhooks/delivery-receipts refused the secret (HTTP 401)`,
    );
    expect(out).toMatch(/^ {6}fix: ORANGE_SMS_WEBHOOK_SECRET is not one of the application's webhookSecret values/m);
    expect(out).not.toContain(wrong);
  });

  it('an app that accepts calls without the secret: warn, though the secret was accepted', async () => {
    const open = await startTestApp(emulator, {
      options: { webhookSecret: undefined },
      extras: { webhooks: { allowUnauthenticated: true } },
      wireCallbacks: false,
    });
    try {
      const { code, out } = await doctor(['--app-url', open.url], doctorEnv(emulator));
      expect(code).toBe(0);
      expect(out).toContain(
        `warn  webhook inbound: ${open.url}/orange-sms/webhooks/inbound reached, but it accepts calls without the secret too`,
      );
      expect(out).toMatch(
        /^ {6}fix: remove webhookAllowUnauthenticated \(or the deprecated webhooks.allowUnauthenticated\)/m,
      );
    } finally {
      await open.close();
    }
  });

  it('a wrong webhook path: 404 reported with what to check', async () => {
    const { code, out } = await doctor(
      ['--app-url', testApp.url, '--webhook-path', '/api/orange'],
      doctorEnv(emulator),
    );
    expect(code).toBe(1);
    expect(out).toContain(
      `FAIL  webhook inbound: ${testApp.url}/api/orange/inbound answered HTTP 404: no webhook route there`,
    );
    expect(out).toMatch(/^ {6}fix: check --app-url and --webhook-path/m);
  });

  it('baseUrl at a server answering 404: "check baseUrl", not a credentials problem, exit 1', async () => {
    const notOrange = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not_found"}');
    });
    const url = await listen(notOrange);
    try {
      const { code, out } = await doctor([], doctorEnv(emulator, { ORANGE_SMS_BASE_URL: url }));
      expect(code).toBe(1);
      expect(out).toContain(`FAIL  token: ${url}/oauth/v3/token answered HTTP 404: check baseUrl`);
      expect(out).toMatch(/^ {6}fix ORANGE_SMS_BASE_URL: Orange's is https:\/\/api\.orange\.com/m);
      expect(out).not.toContain('Orange refused the credentials');
    } finally {
      await new Promise((resolve) => notOrange.close(resolve));
    }
  });

  it('baseUrl where nothing listens: the token URL is named', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const { code, out } = await doctor(['--base-url', url], doctorEnv(emulator));
    expect(code).toBe(1);
    expect(out).toContain(`FAIL  token: cannot reach ${url}/oauth/v3/token`);
    expect(out).toMatch(/^ {6}fix: check --base-url, DNS, proxy and firewall/m);
  });

  it('a sender name Orange would refuse: FAIL naming the variable, with the reason', async () => {
    const { code, out } = await doctor([], doctorEnv(emulator, { ORANGE_SMS_SENDER_NAME: 'MUCH TOO LONG A NAME' }));
    expect(code).toBe(1);
    expect(verdicts(out)).toMatchObject({ token: 'ok', contracts: 'ok', sender: 'FAIL' });
    expect(out).toMatch(/^ {6}fix ORANGE_SMS_SENDER_NAME \(senderName\): expected 1 to 11 letters/m);
  });

  it('a bad --expiry-days: usage error, exit 2, nothing asked of Orange', async () => {
    const before = emulator.requests.length;
    const { code, err } = await doctor(['--expiry-days', 'soon'], doctorEnv(emulator));
    expect(code).toBe(2);
    expect(err).toContain('--expiry-days must be a whole number');
    expect(emulator.requests.length).toBe(before);
  });

  it('no output holds the client secret, the Basic credentials, the webhook secret or a token', () => {
    const tokens = bearerTokensSeen(emulator);
    expect(tokens.length).toBeGreaterThan(0);
    expectNoSecrets(outputs, emulator, [WEBHOOK_SECRET, ...tokens]);
  });
});
