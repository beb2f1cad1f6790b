/**
 * `orange-sms report` and `orange-sms export` read the records an application keeps on Redis: a real
 * app sends through the emulator and takes its receipts, then the CLI, pointed at the same Redis,
 * reports and exports what happened.
 */
import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsService } from 'nestjs-orange-sms';
import { startRedis, type TestRedis } from '../../../test/support/redis-server.js';
import { startTestApp, type TestApp } from '../../../test/support/test-app.js';
import { emulatorCliEnv, runCli } from './support/cli-run.js';

describe('orange-sms report and export', () => {
  let emulator: OrangeSmsEmulator;
  let redis: TestRedis;
  let testApp: TestApp;
  let env: Record<string, string | undefined>;
  const since = new Date(Date.now() - 60_000).toISOString();
  let ids: string[] = [];

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    redis = await startRedis();
    testApp = await startTestApp(emulator, {
      options: { rateLimit: false, redis: { url: redis.url, keyPrefix: 'cli-report:' } },
    });
    const sms = testApp.app.get(OrangeSmsService);
    const sent = [
      await sms.send({ to: '+2250700000001', text: 'one' }),
      await sms.send({ to: '+2250700000002', text: 'x'.repeat(200) }),
      await sms.send({ to: '+2250700000003', text: 'three' }),
    ];
    ids = sent.map((message) => message.id);
    expect((await emulator.deliver(sent[0]!.id, 'DeliveredToTerminal')).status).toBe(200);
    expect((await emulator.deliver(sent[1]!.id, 'DeliveryImpossible')).status).toBe(200);
    env = emulatorCliEnv(emulator, { ORANGE_SMS_REDIS_URL: redis.url, ORANGE_SMS_REDIS_KEY_PREFIX: 'cli-report:' });
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
    await redis.stop();
  });

  it('report --json: the rows of the library, per status', async () => {
    const { code, out, err } = await runCli(['report', '--since', since, '--group-by', 'status', '--json'], env);
    expect(err).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(out) as { rows: Array<{ group: string; sent: number; units: number }> };
    expect(Object.fromEntries(report.rows.map((row) => [row.group, [row.sent, row.units]]))).toEqual({
      delivered: [1, 1],
      failed: [1, 2],
      submitted: [1, 1],
    });
  });

  it('report: a table with the totals of the period', async () => {
    const { code, out } = await runCli(['report', '--since', since, '--interval', 'month'], env);
    expect(code).toBe(0);
    expect(out).toMatch(/^Report per month \(UTC\)$/m);
    expect(out).toMatch(/^PERIOD\s+SENT\s+DELIVERED\s+FAILED\s+PENDING\s+UNITS\s+RATE\s+MEDIAN$/m);
    expect(out).toMatch(/\s3\s+1\s+1\s+1\s+4\s+33\.3 %/);
  });

  it('export: CSV with masked numbers, or NDJSON with full ones when asked', async () => {
    const csv = await runCli(['export', '--since', since], env);
    expect(csv.code).toBe(0);
    const lines = csv.out.trimEnd().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(csv.out).not.toContain('0700000002');
    const ndjson = await runCli(['export', '--since', since, '--format', 'ndjson', '--show-numbers'], env);
    const rows = ndjson.out
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; to: string });
    expect(rows.map((row) => row.id).sort()).toEqual([...ids].sort());
    expect(rows.map((row) => row.to)).toContain('tel:+2250700000002');
  });

  it('names what is missing or wrong: the Redis URL, an unreadable time, a bad interval', async () => {
    const { ORANGE_SMS_REDIS_URL: _url, ...withoutRedis } = env;
    const missing = await runCli(['report', '--since', since], withoutRedis);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('ORANGE_SMS_REDIS_URL');
    const badTime = await runCli(['export', '--since', 'last tuesday'], env);
    expect(badTime.code).toBe(2);
    expect(badTime.err).toContain('--since');
    const badInterval = await runCli(['report', '--since', since, '--interval', 'year'], env);
    expect(badInterval.code).toBe(2);
    expect(badInterval.err).toContain('--interval');
  });
});
