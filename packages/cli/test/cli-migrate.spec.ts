/**
 * `orange-sms migrate` on a real PostgreSQL started by the test: applies the store's migrations once,
 * says so, keeps the database password out of its output, and an application with `migrate: false`
 * then boots on that schema.
 */
import pg from 'pg';
import { pendingOrangeSmsMigrations } from 'nestjs-orange-sms/postgres';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres-server.js';
import { runCli } from './support/cli-run.js';

describe('orange-sms migrate', () => {
  let postgres: TestPostgres;
  let pool: pg.Pool;

  beforeAll(async () => {
    postgres = await startPostgres();
    pool = new pg.Pool({ connectionString: postgres.url });
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
    expect(first.out).toBe('Schema cli_schema: applied migration(s) 1; now at version 1.\n');
    expect(await pendingOrangeSmsMigrations(pool, { schema: 'cli_schema' })).toEqual([]);
    const again = await runCli(['migrate', '--schema', 'cli_schema', '--json'], env);
    expect(JSON.parse(again.out)).toEqual({ schema: 'cli_schema', applied: [], version: 1 });
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
});
