/**
 * 11. Send overhead of the PostgreSQL store: `OrangeSmsService.send` (pacing off) against the emulator
 * with `postgres: { url }` (each send saved in one transaction, fsync on) and with the default memory
 * store, two applications in this process, alternating blocks. Informational: what a durable record of
 * every send costs.
 */
import pg from 'pg';
import { startEmulatorProcess } from './support/emulator.js';
import { startPostgresServer } from './support/postgres-server.js';
import type { Row } from './support/row.js';
import { createSenderApp, RECIPIENT, TEXT } from './support/sender.js';
import { collectGarbage, count, median, ms, percentile, perSecond, ratio, sortedCopy } from './support/stats.js';

const WARMUP_SENDS = 1_000;
const LATENCY_ROUNDS = 8;
const LATENCY_BLOCK = 200;
const THROUGHPUT_ROUNDS = 6;
const THROUGHPUT_BLOCK_MS = 1_000;
const CONCURRENCY = 32;

type Side = 'postgres' | 'memory';

export async function run(): Promise<Row[]> {
  const emulator = await startEmulatorProcess({ autoDeliveryStatus: null });
  const postgres = await startPostgresServer();
  const memory = await createSenderApp(emulator.ready, { rateLimit: false });
  const durable = await createSenderApp(emulator.ready, { rateLimit: false, postgres: { url: postgres.url } });
  try {
    const sent: Record<Side, number> = { postgres: 0, memory: 0 };
    const calls: Record<Side, () => Promise<unknown>> = {
      postgres: async () => {
        await durable.sms.send({ to: RECIPIENT, text: TEXT });
        sent.postgres++;
      },
      memory: async () => {
        await memory.sms.send({ to: RECIPIENT, text: TEXT });
        sent.memory++;
      },
    };
    const sides: Side[] = ['postgres', 'memory'];

    // Warm-up: JIT, connections (HTTP and the pool), the token.
    for (const side of sides) {
      for (let i = 0; i < WARMUP_SENDS; i++) await calls[side]();
      await Promise.all(Array.from({ length: CONCURRENCY }, () => calls[side]()));
    }
    await emulator.call('reset');

    const latencies: Record<Side, number[]> = { postgres: [], memory: [] };
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        for (let i = 0; i < LATENCY_BLOCK; i++) {
          const start = performance.now();
          await calls[side]();
          latencies[side].push(performance.now() - start);
        }
      }
      await emulator.call('reset');
      await collectGarbage();
    }

    const rates: Record<Side, number[]> = { postgres: [], memory: [] };
    const cpu: Record<Side, number[]> = { postgres: [], memory: [] };
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
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

    // Every send that resolved is a row: the record is written before send() returns.
    const check = new pg.Pool({ connectionString: postgres.url, max: 1 });
    const { rows } = await check.query<{ stored: string }>('SELECT count(*) AS stored FROM orange_sms.messages');
    await check.end();
    const stored = Number(rows[0]!.stored);

    const p = (side: Side, q: number) => percentile(sortedCopy(latencies[side]), q);
    const rps = (side: Side) => median(rates[side]);
    const paired = median(rates.postgres.map((rate, round) => rate / rates.memory[round]!));
    const cpuPer = (side: Side) => median(cpu[side]);
    return [
      {
        figure: '11. send p50 / p99, sequential, PostgreSQL store (vs memory store)',
        ours: `${ms(p('postgres', 50))} / ${ms(p('postgres', 99))}`,
        baseline: `${ms(p('memory', 50))} / ${ms(p('memory', 99))} memory`,
        ratio: `${ratio(p('postgres', 50), p('memory', 50))} / ${ratio(p('postgres', 99), p('memory', 99))}`,
        target: `info (extra per send: p50 +${(p('postgres', 50) - p('memory', 50)).toFixed(3)} ms)`,
        met: null,
      },
      {
        figure: `11. send throughput, concurrency ${CONCURRENCY}, PostgreSQL store (vs memory store)`,
        ours: perSecond(rps('postgres')),
        baseline: `${perSecond(rps('memory'))} memory`,
        ratio: `${paired.toFixed(2)}×`,
        target: `info (${count(stored)} rows for ${count(sent.postgres)} sends)`,
        met: null,
      },
      {
        figure: `11. client CPU per send, concurrency ${CONCURRENCY}, PostgreSQL store (vs memory store)`,
        ours: `${cpuPer('postgres').toFixed(0)} µs`,
        baseline: `${cpuPer('memory').toFixed(0)} µs memory`,
        ratio: ratio(cpuPer('postgres'), cpuPer('memory')),
        target: 'info (the database server not counted)',
        met: null,
      },
    ];
  } finally {
    await durable.close();
    await memory.close();
    await postgres.stop();
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
