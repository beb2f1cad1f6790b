/**
 * 4. Webhook ingest on one platform: the module's delivery-receipt route (secret checked, body
 * parsed, deduped, stored, outbox) against a bare Nest route on the same app, and the rejected path
 * (wrong secret → 401). Server and load generator are separate processes; sides alternate.
 */
import { startChild } from './ipc.js';
import type { LoadOptions, LoadResult } from './load-process.js';
import type { Row } from './row.js';
import { median, ms, perSecond, ratio } from './stats.js';

/** The secret of the measured module; the server child imports it from here. */
export const WEBHOOK_SECRET = 'bench-webhook-secret-0123456789';
const DURATION_SECONDS = 2;
const WARMUP_SECONDS = 1;
/** Six rounds of each side: the median of per-round ratios moved by ±0.05 between runs with four. */
const ROUNDS = 6;
const CONNECTIONS = 16;
const RATIO_TARGET = 0.9;

type Side = 'ours' | 'bare' | 'rejected';
const PATHS: Record<Side, string> = {
  ours: `/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`,
  bare: '/bare/delivery-receipts',
  rejected: '/orange-sms/webhooks/delivery-receipts?token=not-the-webhook-secret-at-all',
};
const EXPECTED: Record<Side, string> = { ours: '200', bare: '200', rejected: '401' };

/**
 * `storeUrl`: the durable variants: a `redis://` URL (figure 8), the module on the Redis store with a
 * listener, against a bare route that makes one Redis round trip; a `postgres://` URL (figure 9), the
 * module on the PostgreSQL store with a listener, against a bare route that makes one INSERT … ON
 * CONFLICT transaction.
 */
export async function runWebhookBenchmark(platform: 'express' | 'fastify', storeUrl?: string): Promise<Row[]> {
  const server = await startChild<{ url: string }>(new URL('./webhook-server.js', import.meta.url), {
    args: storeUrl ? [platform, storeUrl] : [platform],
  });
  const loader = await startChild<object>(new URL('./load-process.js', import.meta.url));
  try {
    const sides: Side[] = ['ours', 'bare', 'rejected'];
    const load = (side: Side, durationSeconds: number) =>
      loader.call<LoadResult>('load', {
        url: server.ready.url,
        path: PATHS[side],
        durationSeconds,
        connections: CONNECTIONS,
      } satisfies LoadOptions);

    let warmupAccepted = 0;
    for (const side of sides) {
      const warmup = await load(side, WARMUP_SECONDS);
      if (side === 'ours') warmupAccepted = warmup.statusCodes['200'] ?? 0;
    }
    const results: Record<Side, LoadResult[]> = { ours: [], bare: [], rejected: [] };
    const cpu: Record<Side, number[]> = { ours: [], bare: [], rejected: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        const cpuBefore = await server.call<number>('cpu');
        const result = await load(side, DURATION_SECONDS);
        cpu[side].push(((await server.call<number>('cpu')) - cpuBefore) / result.total);
        const unexpected = result.total - (result.statusCodes[EXPECTED[side]] ?? 0);
        if (unexpected > 0 || result.errors > 0) {
          throw new Error(
            `${platform} ${side}: ${unexpected} answers other than ${EXPECTED[side]} (${JSON.stringify(result.statusCodes)}), ${result.errors} errors`,
          );
        }
        results[side].push(result);
      }
    }
    if (storeUrl) {
      const store = storeUrl.startsWith('postgres') ? 'postgres' : 'redis';
      return await durableRows(platform, store, results, cpu, warmupAccepted, server);
    }
    const rps = (side: Side) => median(results[side].map((r) => r.requestsPerSecond));
    // Sides run back to back in each round: the median of per-round ratios cancels machine drift.
    const paired = (side: Side, base: Side) =>
      median(results[side].map((r, round) => r.requestsPerSecond / results[base][round]!.requestsPerSecond));
    const p99 = (side: Side) => median(results[side].map((r) => r.p99));
    const name = platform === 'express' ? 'Express' : 'Fastify';
    const cpuPer = (side: Side) => median(cpu[side]);
    return [
      {
        figure: `4. webhook receipts/s, ${name} (vs bare Nest route)`,
        ours: perSecond(rps('ours')),
        baseline: `${perSecond(rps('bare'))} bare`,
        ratio: `${paired('ours', 'bare').toFixed(2)}×`,
        target: `ratio ≥ ${RATIO_TARGET}`,
        met: paired('ours', 'bare') >= RATIO_TARGET,
      },
      {
        figure: `4. webhook p99, ${name}, ${CONNECTIONS} connections`,
        ours: ms(p99('ours'), 1),
        baseline: `${ms(p99('bare'), 1)} bare`,
        ratio: ratio(p99('ours'), p99('bare')),
        target: 'info',
        met: null,
      },
      {
        figure: `4. server CPU per request, ${name}`,
        ours: `${cpuPer('ours').toFixed(0)} µs`,
        baseline: `${cpuPer('bare').toFixed(0)} µs bare`,
        ratio: ratio(cpuPer('ours'), cpuPer('bare')),
        target: `info (module's own work ≈ ${(cpuPer('ours') - cpuPer('bare')).toFixed(0)} µs)`,
        met: null,
      },
      {
        figure: `4. rejected (401, wrong secret) vs accepted, ${name}`,
        ours: `${perSecond(rps('rejected'))}, p99 ${ms(p99('rejected'), 1)}, ${cpuPer('rejected').toFixed(0)} µs CPU`,
        baseline: `${perSecond(rps('ours'))}, p99 ${ms(p99('ours'), 1)}, ${cpuPer('ours').toFixed(0)} µs CPU accepted`,
        ratio: `${paired('rejected', 'ours').toFixed(2)}×`,
        target: 'not slower: ratio ≥ 1',
        met: paired('rejected', 'ours') >= 1,
      },
    ];
  } finally {
    await loader.stop();
    await server.stop();
  }
}

const DURABLE_RATIO_TARGET = 0.7;

const DURABLE_FIGURES = {
  redis: { number: 8, name: 'Redis', bare: 'a bare route making one Redis round trip' },
  postgres: {
    number: 9,
    name: 'PostgreSQL',
    bare: 'a bare route making one INSERT … ON CONFLICT transaction',
  },
} as const;

/** Figures 8 and 9: receipts/s made durable, and proof that every one reached the listener. */
async function durableRows(
  platform: 'express' | 'fastify',
  store: keyof typeof DURABLE_FIGURES,
  results: Record<Side, LoadResult[]>,
  cpu: Record<Side, number[]>,
  warmupAccepted: number,
  server: { call<T>(cmd: string): Promise<T> },
): Promise<Row[]> {
  const rps = (side: Side) => median(results[side].map((r) => r.requestsPerSecond));
  const paired = median(results.ours.map((r, round) => r.requestsPerSecond / results.bare[round]!.requestsPerSecond));
  const cpuPer = (side: Side) => median(cpu[side]);
  // Every receipt answered 200 (checked above) must reach the listener: wait for the outbox to drain,
  // as long as it makes progress.
  const accepted = warmupAccepted + results.ours.reduce((sum, r) => sum + r.total, 0);
  let received = 0;
  for (let idle = 0; idle < 50 && received < accepted; idle++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await server.call<number>('received');
    if (now > received) idle = 0;
    received = now;
  }
  const name = platform === 'express' ? 'Express' : 'Fastify';
  const figure = DURABLE_FIGURES[store];
  return [
    {
      figure: `${figure.number}. durable ingest on ${figure.name}, receipts/s, ${name} (vs ${figure.bare})`,
      ours: perSecond(rps('ours')),
      baseline: `${perSecond(rps('bare'))} bare`,
      ratio: `${paired.toFixed(2)}×`,
      target: `ratio ≥ ${DURABLE_RATIO_TARGET}`,
      met: paired >= DURABLE_RATIO_TARGET,
    },
    {
      figure: `${figure.number}. receipts acknowledged 200 that reached the listener, ${figure.name}, ${name}`,
      // autocannon does not count the requests still in flight when a round ends (≤ connections each).
      ours: `${received} for ${accepted} counted 200s`,
      baseline: 'all',
      ratio: '—',
      target: 'all',
      met: received >= accepted,
    },
    {
      figure: `${figure.number}. server CPU per request, ${figure.name}, ${name} (the database's own CPU not counted)`,
      ours: `${cpuPer('ours').toFixed(0)} µs`,
      baseline: `${cpuPer('bare').toFixed(0)} µs bare`,
      ratio: ratio(cpuPer('ours'), cpuPer('bare')),
      target: `info (module's own work ≈ ${(cpuPer('ours') - cpuPer('bare')).toFixed(0)} µs)`,
      met: null,
    },
  ];
}
