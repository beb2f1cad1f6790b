/**
 * 7. Fleet pacing: three instances (child processes) share one redis-server and send to the emulator
 * (its own process) as fast as their pacing lets them, at `rateLimit: { perSecond: R }`, for
 * FLEET_PACING_SECONDS (default 60). Figures from the emulator's arrival times: the busiest sliding
 * second (must be ≤ R) and the sustained rate (goal ≥ 0.98 R), plus any send Orange refused.
 * FLEET_PACING_DEBUG=1 prints the gaps around any second that held more than R.
 * This file is also the instances' entry (`--sender`).
 */
import { type EmulatorReady, startEmulatorProcess } from './support/emulator.js';
import { type ChildHandle, serve, startChild } from './support/ipc.js';
import type { Row } from './support/row.js';
import { createSenderApp, RECIPIENT, TEXT } from './support/sender.js';
import { startRedisServer } from './support/redis-server.js';
import { maxInWindow, ratio } from './support/stats.js';

const R = 5;
const INSTANCES = 3;
const SUSTAINED_TARGET = 0.98;
/** Concurrent sends per instance: enough that pacing, not the callers, sets the rate. */
const CALLERS = 8;

if (process.argv[2] === '--sender') {
  const { emulator, redisUrl } = JSON.parse(process.argv[3]!) as { emulator: EmulatorReady; redisUrl: string };
  const sender = await createSenderApp(emulator, {
    rateLimit: { perSecond: R },
    redis: { url: redisUrl, keyPrefix: 'fleet-bench:' },
  });
  serve(
    {},
    {
      /** Sends until `until` (ms since epoch); resolves with the number sent and failed. */
      run: async (args) => {
        const { until } = args as { until: number };
        let sent = 0;
        let failed = 0;
        await Promise.all(
          Array.from({ length: CALLERS }, async () => {
            while (Date.now() < until) {
              try {
                await sender.sms.send({ to: RECIPIENT, text: TEXT });
                sent++;
              } catch {
                failed++;
              }
            }
          }),
        );
        return { sent, failed };
      },
      close: () => sender.close(),
    },
  );
}

export async function run(): Promise<Row[]> {
  const seconds = Number(process.env.FLEET_PACING_SECONDS ?? 60);
  const redis = await startRedisServer();
  const emulator = await startEmulatorProcess({ autoDeliveryStatus: null, rateLimitPerSecond: R });
  const senders: ChildHandle<unknown>[] = [];
  try {
    for (let i = 0; i < INSTANCES; i++) {
      senders.push(
        await startChild(new URL(import.meta.url), {
          args: ['--sender', JSON.stringify({ emulator: emulator.ready, redisUrl: redis.url })],
        }),
      );
    }
    await emulator.call('reset');
    const until = Date.now() + seconds * 1000;
    const results = await Promise.all(
      senders.map((sender) => sender.call<{ sent: number; failed: number }>('run', { until })),
    );
    const sends = await emulator.call<Array<{ at: number; status: number }>>('sends');
    const arrivals = sends.filter((send) => send.status === 201).map((send) => send.at);
    const refused = sends.length - arrivals.length;
    const failed = results.reduce((sum, result) => sum + result.failed, 0);
    const busiest = maxInWindow(
      sends.map((send) => send.at),
      1000,
    );
    if (process.env.FLEET_PACING_DEBUG) {
      const all = sends.map((send) => send.at).sort((a, b) => a - b);
      for (let i = 5; i < all.length; i++) {
        if (all[i]! - all[i - 5]! < 1000) {
          process.stderr.write(
            `[fleet-pacing] 6 in ${all[i]! - all[i - 5]!} ms: gaps ${all
              .slice(i - 5, i + 1)
              .map((t, k, a) => (k ? t - a[k - 1]! : 0))
              .join(' ')}\n`,
          );
        }
      }
    }
    const spanSeconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
    const sustained = (arrivals.length - 1) / spanSeconds;
    const perInstance = results.map((result) => result.sent).join(' + ');
    process.stderr.write(
      `[fleet-pacing] ${INSTANCES} instances, ${seconds} s: ${arrivals.length} sends (${perInstance}), ` +
        `busiest second ${busiest}, sustained ${sustained.toFixed(3)}/s, ${refused} refused by Orange, ${failed} failed\n`,
    );
    const note = refused + failed > 0 ? ` (${refused} refused, ${failed} failed)` : '';
    return [
      {
        figure: `7. fleet of ${INSTANCES} on one Redis: busiest 1 s window at R = ${R}/s (${arrivals.length} sends, ${seconds} s)`,
        ours: `${busiest}${note}`,
        baseline: `R = ${R}`,
        ratio: ratio(busiest, R),
        target: '≤ R',
        met: busiest <= R && refused === 0,
      },
      {
        figure: `7. fleet of ${INSTANCES} on one Redis: sustained rate at R = ${R}/s (over ${spanSeconds.toFixed(1)} s)`,
        ours: `${sustained.toFixed(3)}/s`,
        baseline: `R = ${R}`,
        ratio: ratio(sustained, R, 3),
        target: `≥ ${SUSTAINED_TARGET} R`,
        met: sustained >= SUSTAINED_TARGET * R && refused === 0,
      },
    ];
  } finally {
    for (const sender of senders) await sender.call('close').catch(() => undefined);
    await Promise.all(senders.map((sender) => sender.stop()));
    await emulator.stop();
    await redis.stop();
  }
}
