/**
 * 3. Pacing accuracy: with `rateLimit: { perSecond: R }`, many sends queued at once must reach the
 * emulator (in its own process) with no sliding one-second window holding more than R, and at a
 * sustained rate close to R. Arrival times are the emulator's (`requests[].at`, kind send).
 * A send counts in the pacing's window from Orange's reply, so each run of R sends waits one round trip:
 * at 50/s, with the sender and the emulator sharing two cores, that is about 40 ms a second, hence the
 * lower goal there.
 */
import { startEmulatorProcess } from './support/emulator.js';
import type { Row } from './support/row.js';
import { createSenderApp, RECIPIENT, TEXT } from './support/sender.js';
import { maxInWindow, ratio } from './support/stats.js';

const RUNS: Array<{ perSecond: number; sends: number; target: number }> = [
  { perSecond: 5, sends: 41, target: 0.97 }, // ~8 s
  { perSecond: 50, sends: 301, target: 0.95 }, // ~6 s
];

export async function run(): Promise<Row[]> {
  const emulator = await startEmulatorProcess({ autoDeliveryStatus: null });
  const rows: Row[] = [];
  try {
    for (const { perSecond, sends, target } of RUNS) {
      const sender = await createSenderApp(emulator.ready, { rateLimit: { perSecond } });
      await emulator.call('reset');
      const results = await Promise.allSettled(
        Array.from({ length: sends }, () => sender.sms.send({ to: RECIPIENT, text: TEXT })),
      );
      const failed = results.filter((result) => result.status === 'rejected').length;
      const arrivals = (await emulator.call<Array<{ at: number; status: number }>>('sends')).map((send) => send.at);
      await sender.close();

      const busiest = maxInWindow(arrivals, 1000);
      const spanSeconds = (Math.max(...arrivals) - Math.min(...arrivals)) / 1000;
      const sustained = (arrivals.length - 1) / spanSeconds;
      const note = failed > 0 ? ` (${failed} failed)` : '';
      rows.push(
        {
          figure: `3. busiest 1 s window at R = ${perSecond}/s (${arrivals.length} sends)`,
          ours: `${busiest}${note}`,
          baseline: `R = ${perSecond}`,
          ratio: ratio(busiest, perSecond),
          target: `≤ R`,
          met: busiest <= perSecond && failed === 0,
        },
        {
          figure: `3. sustained rate at R = ${perSecond}/s (over ${spanSeconds.toFixed(1)} s)`,
          ours: `${sustained.toFixed(2)}/s`,
          baseline: `R = ${perSecond}`,
          ratio: ratio(sustained, perSecond, 3),
          target: `≥ ${target} R`,
          met: sustained >= target * perSecond && failed === 0,
        },
      );
    }
    return rows;
  } finally {
    await emulator.stop();
  }
}
