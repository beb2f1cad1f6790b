/**
 * 2. Token single flight: 1,000 sends started at once on a cold module (no token yet) must cause one
 * token request. Baseline: the usual hand-written client, which checks a cached token and fetches
 * one when there is none, so every concurrent caller fetches its own.
 */
import { startEmulatorProcess } from './support/emulator.js';
import type { Row } from './support/row.js';
import { createSenderApp, naiveClient, RECIPIENT, TEXT } from './support/sender.js';
import { count, ratio } from './support/stats.js';

const CONCURRENT_SENDS = 1_000;

export async function run(): Promise<Row[]> {
  const emulator = await startEmulatorProcess({ autoDeliveryStatus: null });
  try {
    // Ours: a fresh module, so no token is cached.
    const sender = await createSenderApp(emulator.ready, { rateLimit: false });
    await emulator.call('reset');
    const results = await Promise.allSettled(
      Array.from({ length: CONCURRENT_SENDS }, () => sender.sms.send({ to: RECIPIENT, text: TEXT })),
    );
    const ours = await emulator.call<number>('tokenRequests');
    const failed = results.filter((result) => result.status === 'rejected').length;
    await sender.close();

    // Baseline: check-then-fetch, the pattern single flight replaces.
    await emulator.call('reset');
    const naive = naiveClient(emulator.ready.url, emulator.ready.credentials);
    const naiveResults = await Promise.allSettled(Array.from({ length: CONCURRENT_SENDS }, () => naive.send()));
    const baseline = await emulator.call<number>('tokenRequests');
    naive.close();
    const naiveFailed = naiveResults.filter((result) => result.status === 'rejected').length;

    return [
      {
        figure: `2. token requests for ${count(CONCURRENT_SENDS)} concurrent cold sends`,
        ours: `${count(ours)}${failed > 0 ? ` (${failed} sends failed)` : ''}`,
        baseline: `${count(baseline)} naive check-then-fetch${naiveFailed > 0 ? ` (${naiveFailed} failed)` : ''}`,
        ratio: ratio(ours, baseline, 3),
        target: '= 1',
        met: ours === 1 && failed === 0,
      },
    ];
  } finally {
    await emulator.stop();
  }
}
