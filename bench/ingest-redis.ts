import type { Row } from './support/row.js';
import { startRedisServer } from './support/redis-server.js';
import { runWebhookBenchmark } from './support/webhook-bench.js';

/** 8. Durable webhook ingest on Redis (Express). */
export async function run(): Promise<Row[]> {
  const redis = await startRedisServer();
  try {
    return await runWebhookBenchmark('express', redis.url);
  } finally {
    await redis.stop();
  }
}
