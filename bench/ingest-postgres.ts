import { startPostgresServer } from './support/postgres-server.js';
import type { Row } from './support/row.js';
import { runWebhookBenchmark } from './support/webhook-bench.js';

/** 9. Durable webhook ingest on PostgreSQL (Express). */
export async function run(): Promise<Row[]> {
  const postgres = await startPostgresServer();
  try {
    return await runWebhookBenchmark('express', postgres.url);
  } finally {
    await postgres.stop();
  }
}
