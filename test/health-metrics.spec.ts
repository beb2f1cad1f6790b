import 'reflect-metadata';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsHealthModule } from '../lib/health/index.js';
import { createServer, type Server } from 'node:http';
import { OrangeSmsService, OrangeSmsStatsService } from '../lib/index.js';
import { OrangeSmsMetricsModule } from '../lib/metrics/index.js';
import { healthController } from './support/health-controller.js';
import { startTestApp, type TestApp, WEBHOOK_SECRET, waitFor } from './support/test-app.js';

const HealthController = healthController('health', { lowBalanceThreshold: 100 });
const SpendableHealthController = healthController('health-spendable', {
  lowBalanceThreshold: 100,
  balanceTtlMs: 0,
  expiryWarningDays: 7,
});

describe('health on the spendable balance (an Orange of our own: the emulator has no EXPIRED contract with units)', () => {
  let mock: Server;
  let contracts: unknown;
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  const day = 86_400_000;

  beforeAll(async () => {
    mock = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url?.startsWith('/oauth/v3/token'))
        return response.end(JSON.stringify({ token_type: 'Bearer', access_token: 'mock-token', expires_in: 3600 }));
      if (request.url?.startsWith('/sms/admin/v1/contracts')) return response.end(JSON.stringify(contracts));
      response.statusCode = 404;
      response.end('{}');
    });
    await new Promise<void>((resolve) => mock.listen(0, '127.0.0.1', resolve));
    emulator = await OrangeSmsEmulator.start();
    testApp = await startTestApp(emulator, {
      imports: [TerminusModule, OrangeSmsHealthModule],
      controllers: [SpendableHealthController],
      options: { baseUrl: `http://127.0.0.1:${(mock.address() as { port: number }).port}` },
      wireCallbacks: false,
    });
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
    await new Promise((resolve) => mock.close(resolve));
  });

  const probe = async () => {
    await testApp.app.get(OrangeSmsStatsService).getBalance(); // holds a token, so the probe reads the balance
    const response = await fetch(`${testApp.url}/health-spendable`);
    return (await response.json()) as { status: string; details: Record<string, Record<string, unknown>> };
  };
  const contract = (id: string, units: number, status: string, expiresInMs: number) => ({
    id,
    country: 'CIV',
    offerName: 'SMS_OCB',
    availableUnits: units,
    status,
    expirationDate: new Date(Date.now() + expiresInMs).toISOString(),
  });

  it('an EXPIRED contract with 169 units left is no balance: degraded, 0 spendable', async () => {
    contracts = [contract('expired', 169, 'EXPIRED', -day)];
    const body = await probe();
    expect(body.status).toBe('degraded');
    expect(body.details['orange-sms']).toMatchObject({
      balance: { spendableUnits: 0, contracts: [{ id: 'expired', state: 'expired', availableUnits: 169 }] },
      lowBalance: ['expired'],
    });
  });

  it('enough units on an active contract: up; the same contract expiring within 7 days: degraded', async () => {
    contracts = [contract('active', 500, 'ACTIVE', 30 * day), contract('expired', 169, 'EXPIRED', -day)];
    const fine = await probe();
    expect(fine.status).toBe('ok');
    expect(fine.details['orange-sms']).toMatchObject({ status: 'up', balance: { spendableUnits: 500 } });
    contracts = [contract('active', 500, 'ACTIVE', 3 * day)];
    const soon = await probe();
    expect(soon.status).toBe('degraded');
    expect(soon.details['orange-sms']).toMatchObject({ expiringSoon: ['active'] });
    expect(soon.details['orange-sms']!.lowBalance).toBeUndefined();
  });
});

describe('health indicator and Prometheus metrics', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
    await emulator.stop();
  });

  async function start(initialUnits: number) {
    emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 10, initialUnits });
    testApp = await startTestApp(emulator, {
      imports: [
        TerminusModule,
        OrangeSmsHealthModule,
        OrangeSmsMetricsModule.forRoot({ registry: new Registry(), path: 'metrics' }),
      ],
      controllers: [HealthController],
      options: { rateLimit: false, retry: { initialDelayMs: 5 } },
    });
    return testApp;
  }
  type Details = Record<string, Record<string, unknown>>;
  const probe = async () => {
    const response = await fetch(`${testApp!.url}/health`);
    return {
      status: response.status,
      body: (await response.json()) as {
        status: string;
        info?: Details;
        error?: Details;
        details: Details;
      },
    };
  };

  it('a probe never makes a token request; the balance is read only with a valid token, then cached', async () => {
    await start(1000);
    for (let i = 0; i < 3; i++) expect((await probe()).status).toBe(200);
    expect(emulator.tokenRequests()).toBe(0);
    expect((await probe()).body.details['orange-sms']).toMatchObject({
      status: 'up',
      token: { valid: false, requests: 0 },
      lastCall: null,
      balance: null,
    });

    await testApp!.app.get(OrangeSmsService).send({ to: '+2250700000001', text: 'hello' });
    const first = await probe();
    expect(first.body.details['orange-sms']).toMatchObject({
      status: 'up',
      token: { valid: true, requests: 1 },
      balance: { contracts: [{ country: 'CIV', availableUnits: 999 }], lowBalanceThreshold: 100 },
    });
    const admin = () => emulator.requests.filter((r) => r.kind === 'admin').length;
    expect(admin()).toBe(1);
    await probe();
    await probe();
    expect(admin()).toBe(1);
    expect(emulator.tokenRequests()).toBe(1);
  });

  it('degraded (still 200) when a contract runs low; down (503) when Orange fails', async () => {
    await start(50);
    const sms = testApp!.app.get(OrangeSmsService);
    await sms.send({ to: '+2250700000001', text: 'hello' });
    const low = await probe();
    expect(low.status).toBe(200);
    expect(low.body.status).toBe('degraded');
    expect(low.body.details['orange-sms']).toMatchObject({ status: 'degraded', lowBalance: [expect.any(String)] });

    emulator.failNext({ match: 'send', status: 503, count: 3 });
    await expect(sms.send({ to: '+2250700000001', text: 'x' })).rejects.toMatchObject({ status: 503 });
    const down = await probe();
    expect(down.status).toBe(503);
    expect(down.body.details['orange-sms']).toMatchObject({
      status: 'down',
      lastCall: { operation: 'send', ok: false, status: 503 },
    });
  });

  it('metrics count sends, Orange requests, tokens, retries, receipts, inbound SMS and webhook results, with bounded labels', async () => {
    await start(1000);
    const sms = testApp!.app.get(OrangeSmsService);
    const sent = await sms.send({ to: '+2250700000077', text: 'metered' });
    await sms.send({ to: 'bad', text: 'x' }).catch(() => undefined);
    emulator.failNext({ match: 'send', status: 503 });
    await sms.send({ to: '+2250700000078', text: 'retried' });
    await waitFor(() => emulator.callbacks.length >= 2, 3_000, 'the automatic receipts');
    await emulator.deliver(sent.id, 'DeliveredToTerminal'); // a repeat
    await emulator.receive({ from: '+2250700000079', to: '+2250000', text: 'HELLO' });
    await fetch(`${testApp!.url}/orange-sms/webhooks/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    const response = await fetch(`${testApp!.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    const value = (line: string) =>
      Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('orange_sms_sends_total{outcome="sent",error="",account="default"}')).toBe(2);
    expect(value('orange_sms_sends_total{outcome="failed",error="OrangeSmsValidationError",account="default"}')).toBe(
      1,
    );
    expect(value('orange_sms_orange_requests_total{operation="send",outcome="ok",status="201"}')).toBe(2);
    expect(value('orange_sms_orange_requests_total{operation="send",outcome="error",status="503"}')).toBe(1);
    expect(value('orange_sms_retries_total{operation="send",error="OrangeSmsApiError"}')).toBe(1);
    expect(value('orange_sms_token_requests_total{outcome="obtained"}')).toBe(1);
    expect(
      value('orange_sms_delivery_receipts_total{status="DeliveredToTerminal",duplicate="false",account="default"}'),
    ).toBe(2);
    expect(
      value('orange_sms_delivery_receipts_total{status="DeliveredToTerminal",duplicate="true",account="default"}'),
    ).toBe(1);
    expect(value('orange_sms_inbound_sms_total{duplicate="false",account="default"}')).toBe(1);
    expect(value('orange_sms_webhook_requests_total{route="inbound",outcome="unauthorized"}')).toBe(1);
    expect(value('orange_sms_webhook_requests_total{route="delivery-receipts",outcome="duplicate"}')).toBe(1);
    expect(value('orange_sms_send_duration_seconds_count{outcome="sent"}')).toBe(2);
    // Bounded labels: no phone number, no message id, no secret.
    expect(text).not.toMatch(/22507000000\d\d/);
    expect(text).not.toContain(sent.id);
    expect(text).not.toContain(WEBHOOK_SECRET);
  });
});
