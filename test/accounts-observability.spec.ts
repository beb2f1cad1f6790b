/**
 * Health and metrics with several Orange accounts: each account's token in the health report, one
 * account's refused credentials degrade (not down) and are named; Prometheus series carry a bounded
 * `account` label (the first N accounts by name, the rest `other`).
 */
import 'reflect-metadata';
import { TerminusModule } from '@nestjs/terminus';
import { Registry } from 'prom-client';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsHealthModule } from '../lib/health/index.js';
import { OrangeSmsAuthError, OrangeSmsService } from '../lib/index.js';
import { OrangeSmsMetricsModule } from '../lib/metrics/index.js';
import { healthController } from './support/health-controller.js';
import { emulatorOptions, startTestApp, type TestApp } from './support/test-app.js';

const HealthController = healthController('health', { lowBalanceThreshold: 1 });

describe('health and metrics per account', () => {
  let emulator: OrangeSmsEmulator;
  let app: TestApp;
  const registry = new Registry();

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({
      countries: ['CIV', 'SEN'],
      accounts: {
        a1: { clientId: 'a1', clientSecret: 'a1-secret' },
        a2: { clientId: 'a2', clientSecret: 'a2-secret' },
        a3: { clientId: 'a3', clientSecret: 'a3-secret' },
      },
    });
    const account = (name: string, secret = `${name}-secret`) => ({
      clientId: name,
      clientSecret: secret,
      country: 'CIV',
      webhookSecret: `${name}-webhook-secret-0123456789`,
    });
    app = await startTestApp(emulator, {
      imports: [
        TerminusModule,
        OrangeSmsHealthModule,
        OrangeSmsMetricsModule.forRoot({ registry, maxAccountLabels: 3 }),
      ],
      controllers: [HealthController],
      options: {
        ...emulatorOptions(emulator),
        rateLimit: false,
        // a3's secret is wrong: Orange refuses its token requests.
        accounts: { a1: account('a1'), a2: account('a2'), a3: account('a3', 'not-its-secret') },
      },
    });
  }, 30_000);
  afterAll(async () => {
    await app.close();
    await emulator.stop();
  });

  it('lists each used account token and degrades, naming it, when one account cannot get one', async () => {
    const sms = app.app.get(OrangeSmsService);
    await sms.send({ to: '+2250700000001', text: 'x' });
    await sms.send({ to: '+2250700000001', text: 'x', account: 'a1' });
    await sms.send({ to: '+2250700000001', text: 'x', account: 'a2' });
    await expect(sms.send({ to: '+2250700000001', text: 'x', account: 'a3' })).rejects.toBeInstanceOf(
      OrangeSmsAuthError,
    );
    const response = await fetch(`${app.url}/health`);
    const body = (await response.json()) as {
      status: string;
      info?: Record<string, unknown>;
      details: Record<
        string,
        { status: string; accounts: Record<string, { valid: boolean }>; failingAccounts?: string[] }
      >;
    };
    const details = body.details['orange-sms']!;
    expect(details.accounts).toMatchObject({ a1: { valid: true }, a2: { valid: true }, a3: { valid: false } });
    expect(details.failingAccounts).toEqual(['a3']);
    expect(details.status).not.toBe('down');
  });

  it('labels series by account, the accounts past maxAccountLabels as other', async () => {
    const text = await registry.metrics();
    const sends = text.split('\n').filter((line) => line.startsWith('orange_sms_sends_total{'));
    const labels = new Set(sends.map((line) => /account="([^"]*)"/.exec(line)?.[1]));
    // default, a1 and a2 were seen first; a3 is past the limit of 3.
    expect([...labels].sort()).toEqual(['a1', 'a2', 'default', 'other']);
    expect(sends.some((line) => line.includes('account="other"') && line.includes('outcome="failed"'))).toBe(true);
  });
});
