import type { Row } from './support/row.js';
import { runWebhookBenchmark } from './support/webhook-bench.js';

/** 4. Webhook ingest on Express. */
export function run(): Promise<Row[]> {
  return runWebhookBenchmark('express');
}
