/**
 * 1. Send overhead: OrangeSmsService.send (pacing off) against a raw axios POST and an undici.request
 * of the same request (same path, headers with the bearer token, same JSON body), with the same
 * keep-alive agent. The emulator runs in its own process (no receipts), so this process holds only
 * the clients. Sides are measured in alternating blocks, rotated each round, so machine noise hits
 * all of them alike. BENCH_VERBOSE=1 prints every throughput round to stderr.
 */
import { Agent } from 'node:http';
import axios from 'axios';
import { Agent as UndiciAgent, request } from 'undici';
import { startEmulatorProcess } from './support/emulator.js';
import type { Row } from './support/row.js';
import { createSenderApp, fetchToken, outboundBody, outboundUrl, RECIPIENT, TEXT } from './support/sender.js';
import { collectGarbage, median, ms, percentile, perSecond, ratio, sortedCopy } from './support/stats.js';

const WARMUP_SENDS = 3_000;
const LATENCY_ROUNDS = 12;
const LATENCY_BLOCK = 250;
const THROUGHPUT_ROUNDS = 8;
const THROUGHPUT_BLOCK_MS = 1_000;
const CONCURRENCY = 32;
const P50_OVERHEAD_TARGET_MS = 0.15;
const THROUGHPUT_RATIO_TARGET = 0.9;

type Side = 'ours' | 'axios' | 'undici';
const SIDES: Side[] = ['ours', 'axios', 'undici'];

export async function run(): Promise<Row[]> {
  const emulator = await startEmulatorProcess({ autoDeliveryStatus: null });
  const sender = await createSenderApp(emulator.ready, { rateLimit: false });
  try {
    const token = await fetchToken(emulator.ready);
    const url = outboundUrl(emulator.ready);
    const body = outboundBody();
    const json = JSON.stringify(body);
    const headers = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    };
    const agent = new Agent({ keepAlive: true });
    // undici keeps connections alive by default; its own Agent, not the global dispatcher fetch set up.
    const dispatcher = new UndiciAgent();

    const calls: Record<Side, () => Promise<unknown>> = {
      ours: () => sender.sms.send({ to: RECIPIENT, text: TEXT }),
      axios: async () => {
        const response = await axios.post(url, body, { headers, httpAgent: agent });
        if (response.status !== 201) throw new Error(`axios: HTTP ${response.status}`);
        return response.data;
      },
      undici: async () => {
        const response = await request(url, { method: 'POST', headers, body: json, dispatcher });
        const data = await response.body.json();
        if (response.statusCode !== 201) throw new Error(`undici: HTTP ${response.statusCode}`);
        return data;
      },
    };

    // Warm-up: JIT, connections, the module's token.
    for (const side of SIDES) {
      for (let i = 0; i < WARMUP_SENDS; i++) await calls[side]();
      await Promise.all(Array.from({ length: CONCURRENCY }, () => calls[side]()));
    }
    await emulator.call('reset');

    // Sequential latency, in alternating blocks.
    const latencies: Record<Side, number[]> = { ours: [], axios: [], undici: [] };
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const side of rotate(SIDES, round)) {
        const call = calls[side];
        for (let i = 0; i < LATENCY_BLOCK; i++) {
          const start = performance.now();
          await call();
          latencies[side].push(performance.now() - start);
        }
      }
      await emulator.call('reset');
      await collectGarbage();
    }

    // Throughput at concurrency 32, in alternating one-second blocks; client CPU per call too.
    const rates: Record<Side, number[]> = { ours: [], axios: [], undici: [] };
    const cpu: Record<Side, number[]> = { ours: [], axios: [], undici: [] };
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (const side of rotate(SIDES, round)) {
        const { rate, cpuMicrosPerCall } = await throughput(calls[side]);
        rates[side].push(rate);
        cpu[side].push(cpuMicrosPerCall);
        if (process.env.BENCH_VERBOSE) {
          process.stderr.write(
            `  round ${round} ${side}: ${rate.toFixed(0)}/s, ${cpuMicrosPerCall.toFixed(0)} µs CPU\n`,
          );
        }
        await emulator.call('reset');
      }
      await collectGarbage();
    }

    const p = (side: Side, q: number) => percentile(sortedCopy(latencies[side]), q);
    const rps = (side: Side) => median(rates[side]);
    // Each round measures every side back to back: the median of the per-round ratios cancels the
    // slow drifts of a shared machine better than a ratio of medians.
    const pairedRatio = (side: Side) => median(rates.ours.map((rate, round) => rate / rates[side][round]!));
    const cpuPerCall = (side: Side) => median(cpu[side]);
    const overhead50 = p('ours', 50) - p('axios', 50);
    const overheadUndici50 = p('ours', 50) - p('undici', 50);
    agent.destroy();
    await dispatcher.close();

    return [
      {
        figure: '1. send p50, sequential (vs raw axios)',
        ours: ms(p('ours', 50)),
        baseline: `${ms(p('axios', 50))} axios`,
        ratio: ratio(p('ours', 50), p('axios', 50)),
        target: `overhead ≤ ${P50_OVERHEAD_TARGET_MS} ms (is ${signed(overhead50)})`,
        met: overhead50 <= P50_OVERHEAD_TARGET_MS,
      },
      {
        figure: '1. send p99, sequential (vs raw axios)',
        ours: ms(p('ours', 99)),
        baseline: `${ms(p('axios', 99))} axios`,
        ratio: ratio(p('ours', 99), p('axios', 99)),
        target: `info (overhead ${signed(p('ours', 99) - p('axios', 99))})`,
        met: null,
      },
      {
        figure: `1. send throughput, concurrency ${CONCURRENCY} (vs raw axios)`,
        ours: perSecond(rps('ours')),
        baseline: `${perSecond(rps('axios'))} axios`,
        ratio: `${pairedRatio('axios').toFixed(2)}×`,
        target: `ratio ≥ ${THROUGHPUT_RATIO_TARGET}`,
        met: pairedRatio('axios') >= THROUGHPUT_RATIO_TARGET,
      },
      {
        figure: '1. send p50 / p99, sequential (vs undici.request)',
        ours: `${ms(p('ours', 50))} / ${ms(p('ours', 99))}`,
        baseline: `${ms(p('undici', 50))} / ${ms(p('undici', 99))} undici`,
        ratio: `${ratio(p('ours', 50), p('undici', 50))} / ${ratio(p('ours', 99), p('undici', 99))}`,
        target: `info (p50 overhead ${signed(overheadUndici50)})`,
        met: null,
      },
      {
        figure: `1. send throughput, concurrency ${CONCURRENCY} (vs undici.request)`,
        ours: perSecond(rps('ours')),
        baseline: `${perSecond(rps('undici'))} undici`,
        ratio: `${pairedRatio('undici').toFixed(2)}×`,
        target: 'info',
        met: null,
      },
      {
        figure: `1. client CPU per send, concurrency ${CONCURRENCY}`,
        ours: `${cpuPerCall('ours').toFixed(0)} µs`,
        baseline: `${cpuPerCall('axios').toFixed(0)} µs axios, ${cpuPerCall('undici').toFixed(0)} µs undici`,
        ratio: ratio(cpuPerCall('ours'), cpuPerCall('axios')),
        target: 'info',
        met: null,
      },
    ];
  } finally {
    await sender.close();
    await emulator.stop();
  }
}

/** `CONCURRENCY` callers looping for THROUGHPUT_BLOCK_MS; completed calls per second, and CPU per call. */
async function throughput(call: () => Promise<unknown>): Promise<{ rate: number; cpuMicrosPerCall: number }> {
  let done = 0;
  let stop = false;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + THROUGHPUT_BLOCK_MS;
  const worker = async (): Promise<void> => {
    while (!stop) {
      await call();
      done++;
      if (performance.now() >= deadline) stop = true;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = performance.now() - start;
  const cpuUsed = process.cpuUsage(cpuStart);
  return { rate: (done * 1000) / elapsed, cpuMicrosPerCall: (cpuUsed.user + cpuUsed.system) / done };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function signed(valueMs: number): string {
  return `${valueMs >= 0 ? '+' : '−'}${Math.abs(valueMs).toFixed(3)} ms`;
}
