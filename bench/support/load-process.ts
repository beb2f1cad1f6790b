/**
 * Child process entry: the load generator (autocannon), so it never shares an event loop with the
 * server it measures. Every request carries a new `callbackData`, so the module's dedupe never
 * short-cuts it.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { serve } from './ipc.js';

export interface LoadOptions {
  url: string;
  path: string;
  durationSeconds: number;
  connections: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

let counter = 0;
const runId = randomUUID().slice(0, 8);

function receipt(): string {
  counter++;
  return JSON.stringify({
    deliveryInfoNotification: {
      callbackData: `${runId}-${counter}`,
      deliveryInfo: { address: 'tel:+2250700000001', deliveryStatus: 'DeliveredToTerminal' },
    },
  });
}

async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: receipt() }),
      },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = (stats as { count: number }).count;
  }
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

serve({}, { load: (args) => load(args as LoadOptions) });
