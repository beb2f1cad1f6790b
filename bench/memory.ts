/**
 * 6. Memory: resident memory of a process that only holds the client (the emulator runs in its own
 * process and is reset every 10,000 sends) after 10k … 200k sends with the default in-memory store
 * (capped at 10,000 messages). Past the cap, RSS and heap must stay flat.
 */
import { startEmulatorProcess } from './support/emulator.js';
import type { Row } from './support/row.js';
import { createSenderApp, RECIPIENT, TEXT } from './support/sender.js';
import { collectGarbage, count, mb, ratio } from './support/stats.js';

const TOTAL = 200_000;
const CHUNK = 10_000;
const CHECKPOINTS = [10_000, 50_000, 100_000, 200_000];
const CONCURRENCY = 64;
const GROWTH_TARGET = 1.1;

interface Sample {
  sends: number;
  rss: number;
  heapUsed: number;
  storeSize: number;
}

export async function run(): Promise<Row[]> {
  const emulator = await startEmulatorProcess({ autoDeliveryStatus: null });
  const sender = await createSenderApp(emulator.ready, { rateLimit: false });
  const storeSize = () => (sender.store as unknown as { size: number }).size;
  try {
    const sample = async (sends: number): Promise<Sample> => {
      await collectGarbage();
      const usage = process.memoryUsage();
      return { sends, rss: usage.rss, heapUsed: usage.heapUsed, storeSize: storeSize() };
    };
    // Booted and warmed (token, connections, JIT) with a few sends, store nearly empty.
    for (let i = 0; i < 200; i++) await sender.sms.send({ to: RECIPIENT, text: TEXT });
    const idle = await sample(200);

    const samples: Sample[] = [];
    let sent = 200;
    const started = performance.now();
    while (sent < TOTAL) {
      const target = Math.min(TOTAL, (Math.floor(sent / CHUNK) + 1) * CHUNK);
      let next = sent;
      let failed = 0;
      const worker = async (): Promise<void> => {
        while (next < target) {
          next++;
          try {
            await sender.sms.send({ to: RECIPIENT, text: TEXT });
          } catch {
            failed++;
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      if (failed > 0) throw new Error(`${failed} sends failed between ${sent} and ${target}`);
      sent = target;
      await emulator.call('reset');
      if (CHECKPOINTS.includes(sent)) samples.push(await sample(sent));
    }
    const seconds = (performance.now() - started) / 1000;

    const atCap = samples[0]!;
    const last = samples[samples.length - 1]!;
    const cap = 10_000;
    const rows: Row[] = samples.map((s) => ({
      figure: `6. RSS after ${count(s.sends)} sends (heap used, store size)`,
      ours: `${mb(s.rss)} (heap ${mb(s.heapUsed)}, store ${count(s.storeSize)})`,
      baseline: s === atCap ? `${mb(idle.rss)} booted, idle (heap ${mb(idle.heapUsed)})` : `${mb(atCap.rss)} at cap`,
      ratio: s === atCap ? ratio(s.rss, idle.rss) : ratio(s.rss, atCap.rss),
      target: s === atCap ? 'info (cost of a full store)' : `≤ ${GROWTH_TARGET}× the RSS at cap`,
      met: s === atCap ? null : s.rss <= GROWTH_TARGET * atCap.rss,
    }));
    rows.push({
      figure: `6. store size after ${count(last.sends)} sends (${seconds.toFixed(0)} s at concurrency ${CONCURRENCY})`,
      ours: count(last.storeSize),
      baseline: `cap ${count(cap)}`,
      ratio: ratio(last.storeSize, cap),
      target: '= cap',
      met: last.storeSize === cap && samples.every((s) => s.storeSize === cap),
    });
    return rows;
  } finally {
    await sender.close();
    await emulator.stop();
  }
}
