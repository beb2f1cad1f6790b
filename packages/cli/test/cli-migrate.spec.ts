/**
 * `orange-sms migrate` on a real PostgreSQL started by the test: applies the store's migrations once,
 * says so, keeps the database password out of its output, and an application with `migrate: false`
 * then boots on that schema.
 */
import 'reflect-metadata';
import pg from 'pg';
import { OrangeSmsService } from 'nestjs-orange-sms';
import { ORANGE_SMS_MIGRATIONS, pendingOrangeSmsMigrations } from 'nestjs-orange-sms/postgres';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres-server.js';
import { startTestApp } from '../../../test/support/test-app.js';
import { emulatorCliEnv, runCli } from './support/cli-run.js';

describe('orange-sms migrate', () => {
  let postgres: TestPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    postgres = await startPostgres();
    pool = postgres.pool();
  }, 60_000);
  afterAll(async () => {
    await pool.end();
    await postgres.stop();
  });

  it('applies the pending migrations once, then finds the schema up to date; no Orange credentials needed', async () => {
    const env = { DATABASE_URL: postgres.url };
    const first = await runCli(['migrate', '--schema', 'cli_schema'], env);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const versions = ORANGE_SMS_MIGRATIONS.map(({ version }) => version);
    expect(first.out).toBe(
      `Schema cli_schema: applied migration(s) ${versions.join(', ')}; now at version ${versions.at(-1)}.\n`,
    );
    expect(await pendingOrangeSmsMigrations(pool, { schema: 'cli_schema' })).toEqual([]);
    const again = await runCli(['migrate', '--schema', 'cli_schema', '--json'], env);
    expect(JSON.parse(again.out)).toEqual({ schema: 'cli_schema', applied: [], version: versions.at(-1) });
  });

  it('names what is missing, and never prints the database password', async () => {
    const missing = await runCli(['migrate'], {});
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('ORANGE_SMS_DATABASE_URL');
    // A wrong password on a server that checks none still fails on the database name: the error is shown, the password is not.
    const url = postgres.url.replace('postgres@', 'postgres:s3cret-db-pass@').replace(/\/postgres$/, '/no_such_db');
    const failed = await runCli(['migrate'], { ORANGE_SMS_DATABASE_URL: url });
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('no_such_db');
    expect(failed.out + failed.err).not.toContain('s3cret-db-pass');
  });

  it('report and export read an application’s records on PostgreSQL (ORANGE_SMS_DATABASE_URL)', async () => {
    const emulator = await OrangeSmsEmulator.start({ autoDeliveryStatus: null });
    try {
      await runCli(['migrate', '--schema', 'cli_records'], { DATABASE_URL: postgres.url });
      const app = await startTestApp(emulator, {
        options: { rateLimit: false, postgres: { url: postgres.url, schema: 'cli_records', migrate: false } },
      });
      try {
        const sms = app.app.get(OrangeSmsService);
        const sent = await sms.send({ to: '+2250700000001', text: 'one' });
        await sms.send({ to: '+2250700000002', text: 'two' });
        expect((await emulator.deliver(sent.id, 'DeliveredToTerminal')).status).toBe(200);
      } finally {
        await app.close();
      }
      const env = emulatorCliEnv(emulator, {
        ORANGE_SMS_DATABASE_URL: postgres.url,
        ORANGE_SMS_DATABASE_SCHEMA: 'cli_records',
      });
      const since = new Date(Date.now() - 60_000).toISOString();
      const report = await runCli(['report', '--since', since, '--group-by', 'status', '--json'], env);
      expect(report.err).toBe('');
      const rows = (JSON.parse(report.out) as { rows: Array<{ group: string; sent: number }> }).rows;
      expect(Object.fromEntries(rows.map((row) => [row.group, row.sent]))).toEqual({ delivered: 1, submitted: 1 });
      const csv = await runCli(['export', '--since', since], env);
      expect(csv.out.trimEnd().split('\r\n')).toHaveLength(3);
    } finally {
      await emulator.stop();
    }
  });
});
