/**
 * 12. Several Orange accounts: a module with 50 accounts (plus default), each `rateLimit: { perSecond:
 * R }`, cold (no token yet); every account sends N SMS at once (50 × N sends started together). Each
 * account must take exactly one token, and at the emulator (its own process, every app refusing a
 * send over R in a sliding second with 429) no account may exceed R in any second while each keeps
 * close to R: accounts do not slow each other down, so 50 × N sends take about N / R seconds, as
 * long as one account alone takes.
 * Baseline for tokens and the emulator's limit: the usual hand-written client, one per account, which
 * checks its cached token and fetches one when there is none, and does not pace.
 */
import type { OrangeSmsAccountOptions } from '../lib/index.js';
import { startEmulatorProcess } from './support/emulator.js';
import type { AppTraffic, EmulatorTraffic } from './support/emulator-process.js';
import type { Row } from './support/row.js';
import { createSenderApp, naiveClient, RECIPIENT, SENDER_ADDRESS, type SenderApp, TEXT } from './support/sender.js';
import { maxInWindow, median, ratio } from './support/stats.js';

const ACCOUNTS = 50;
const RATE = 5;
const SENDS_PER_ACCOUNT = 15;
const SUSTAINED_TARGET = 0.9;
/** Wall time may exceed N / R by this factor (token fetches, the last send's round trip). */
const WALL_TARGET = 1.1;
/** 50 accounts at once may take this much longer than one account alone. */
const ALONE_TARGET = 1.1;

const NAMES = Array.from({ length: ACCOUNTS }, (_, index) => `tenant-${String(index + 1).padStart(2, '0')}`);
const credentialsOf = (name: string) => ({ clientId: `${name}-client`, clientSecret: `${name}-secret` });

export async function run(): Promise<Row[]> {
  const emulator = await startEmulatorProcess({
    autoDeliveryStatus: null,
    // Orange's limit per app, as strict as our pacing: one send too many in a second is a 429.
    rateLimitPerSecond: RATE,
    accounts: Object.fromEntries(NAMES.map((name) => [name, { ...credentialsOf(name), rateLimitPerSecond: RATE }])),
  });
  const traffic = () => emulator.call<EmulatorTraffic>('traffic');
  const moduleOptions = {
    rateLimit: { perSecond: RATE },
    accounts: Object.fromEntries(
      NAMES.map((name): [string, OrangeSmsAccountOptions] => [
        name,
        { ...credentialsOf(name), senderAddress: SENDER_ADDRESS, rateLimit: { perSecond: RATE } },
      ]),
    ),
  };
  try {
    // Ours: a fresh module (no token cached), every account's N sends started at once.
    let sender = await createSenderApp(emulator.ready, moduleOptions);
    await emulator.call('reset');
    const all = await sendFrom(sender, NAMES);
    const ours = await traffic();
    await sender.close();

    // The same module, cold again, with one account sending alone: what 50 at once is compared with.
    sender = await createSenderApp(emulator.ready, moduleOptions);
    await emulator.call('reset');
    const alone = await sendFrom(sender, NAMES.slice(0, 1));
    const aloneTraffic = await traffic();
    await sender.close();

    // Baseline: one check-then-fetch client per account, no single flight, no pacing.
    await emulator.call('reset');
    const naive = NAMES.map((name) => naiveClient(emulator.ready.url, credentialsOf(name)));
    const naiveResults = await Promise.allSettled(
      naive.flatMap((client) => Array.from({ length: SENDS_PER_ACCOUNT }, () => client.send())),
    );
    const baseline = await traffic();
    for (const client of naive) client.close();

    return rows(all, ours, alone, aloneTraffic, baseline, naiveResults.length);
  } finally {
    await emulator.stop();
  }
}

interface Burst {
  sends: number;
  failed: number;
  wallMs: number;
  cpuMicros: number;
}

/** N sends per named account, all started together; wall and CPU time until the last one settles. */
async function sendFrom(sender: SenderApp, names: readonly string[]): Promise<Burst> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const results = await Promise.allSettled(
    names.flatMap((account) =>
      Array.from({ length: SENDS_PER_ACCOUNT }, () => sender.sms.send({ to: RECIPIENT, text: TEXT, account })),
    ),
  );
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const failed = results.filter((result) => result.status === 'rejected');
  if (failed.length > 0) {
    const first = (failed[0] as PromiseRejectedResult).reason as Error;
    process.stderr.write(`[accounts] ${failed.length} sends failed, first: ${String(first?.message).slice(0, 200)}\n`);
  }
  return { sends: results.length, failed: failed.length, wallMs, cpuMicros: used.user + used.system };
}

/** Accepted sends per second at the emulator over one account's run: (n − 1) gaps over the first-to-last span. */
function sustainedRate(app: AppTraffic): number {
  const times = app.sends.filter((send) => send.status >= 200 && send.status < 300).map((send) => send.at);
  if (times.length < 2) return 0;
  return (times.length - 1) / ((Math.max(...times) - Math.min(...times)) / 1000);
}

/** The shortest time between two consecutive send requests of one app, as the emulator saw them. */
function closestGap(app: AppTraffic): number {
  const times = app.sends.map((send) => send.at).sort((a, b) => a - b);
  let closest = Number.POSITIVE_INFINITY;
  for (let index = 1; index < times.length; index++) closest = Math.min(closest, times[index]! - times[index - 1]!);
  return closest;
}

function refused(traffic: EmulatorTraffic): number {
  const sends = [...Object.values(traffic.apps).flatMap((app) => app.sends), ...traffic.unattributed];
  return sends.filter((send) => send.status === 429).length;
}

function rows(
  all: Burst,
  ours: EmulatorTraffic,
  alone: Burst,
  aloneTraffic: EmulatorTraffic,
  baseline: EmulatorTraffic,
  naiveSends: number,
): Row[] {
  const apps = NAMES.map((name) => ours.apps[name]!);
  const naiveApps = NAMES.map((name) => baseline.apps[name]!);
  const tokens = apps.map((app) => app.tokenRequests);
  const naiveTokens = naiveApps.map((app) => app.tokenRequests);
  const busiest = apps.map((app) =>
    maxInWindow(
      app.sends.map((send) => send.at),
      1000,
    ),
  );
  const naiveBusiest = naiveApps.map((app) =>
    maxInWindow(
      app.sends.map((send) => send.at),
      1000,
    ),
  );
  const rates = apps.map(sustainedRate);
  const worstRate = Math.min(...rates);
  const medianRate = median(rates);
  const received = apps.reduce((sum, app) => sum + app.sends.length, 0);
  const ours429 = refused(ours);
  const naive429 = refused(baseline);
  const idealSeconds = SENDS_PER_ACCOUNT / RATE;
  const wallSeconds = all.wallMs / 1000;
  const aloneSeconds = alone.wallMs / 1000;
  const aloneTokens = aloneTraffic.apps[NAMES[0]!]!.tokenRequests;
  const failedNote = all.failed > 0 ? ` (${all.failed} sends failed)` : '';
  const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
  const tokenTotal = ours.tokenRequests;
  const sendsLabel = `${ACCOUNTS} accounts × ${SENDS_PER_ACCOUNT} cold sends at once`;

  return [
    {
      figure: `12. token requests per account, ${sendsLabel}`,
      ours: `max ${Math.max(...tokens)}, min ${Math.min(...tokens)}; ${tokenTotal} in all${failedNote}`,
      baseline: `max ${Math.max(...naiveTokens)}; ${total(naiveTokens)} in all (naive check-then-fetch per account)`,
      ratio: ratio(tokenTotal, baseline.tokenRequests, 3),
      target: `= 1 per account (${ACCOUNTS} in all)`,
      met: tokens.every((value) => value === 1) && tokenTotal === ACCOUNTS && all.failed === 0,
    },
    {
      figure: `12. busiest 1 s window per account at R = ${RATE}/s (${received} sends at the emulator)`,
      ours: `worst ${Math.max(...busiest)}, median ${median(busiest)}`,
      baseline: `worst ${Math.max(...naiveBusiest)} (naive, unpaced)`,
      ratio: ratio(Math.max(...busiest), RATE),
      target: '≤ R for every account',
      met: busiest.every((value) => value <= RATE) && received === ACCOUNTS * SENDS_PER_ACCOUNT,
    },
    {
      figure: `12. 429s from the emulator (limit R per app) and failed sends`,
      ours: `${ours429} × 429, ${all.failed} failed`,
      baseline: `${naive429} × 429 of ${naiveSends} (naive, unpaced)`,
      ratio: '—',
      target: '0',
      met: ours429 === 0 && all.failed === 0,
    },
    {
      figure: `12. sustained rate per account (accepted sends) at R = ${RATE}/s, ${ACCOUNTS} at once`,
      ours: `median ${medianRate.toFixed(2)}/s, worst ${worstRate.toFixed(2)}/s`,
      baseline: `R = ${RATE}/s`,
      ratio: ratio(worstRate, RATE, 3),
      target: `≥ ${SUSTAINED_TARGET} R (worst account)`,
      met: worstRate >= SUSTAINED_TARGET * RATE,
    },
    {
      figure: `12. wall time, ${sendsLabel}`,
      ours: `${wallSeconds.toFixed(2)} s (${Math.round(all.sends / wallSeconds)} sends/s)`,
      baseline: `N / R = ${idealSeconds.toFixed(2)} s (${ACCOUNTS} R = ${ACCOUNTS * RATE}/s)`,
      ratio: ratio(wallSeconds, idealSeconds),
      target: `≤ ${WALL_TARGET} × N / R`,
      met: wallSeconds <= WALL_TARGET * idealSeconds && all.failed === 0,
    },
    {
      figure: `12. wall time, ${ACCOUNTS} accounts at once vs one account alone (${SENDS_PER_ACCOUNT} sends each)`,
      ours: `${wallSeconds.toFixed(2)} s`,
      baseline: `${aloneSeconds.toFixed(2)} s alone (${aloneTokens} token request${aloneTokens === 1 ? '' : 's'}, ${refused(aloneTraffic)} × 429)`,
      ratio: ratio(wallSeconds, aloneSeconds),
      target: `≤ ${ALONE_TARGET}×`,
      met: wallSeconds <= ALONE_TARGET * aloneSeconds && alone.failed === 0,
    },
    {
      figure: `12. closest two consecutive send requests of one account at the emulator`,
      ours: `${Math.min(...apps.map(closestGap))} ms (median account ${median(apps.map(closestGap))} ms)`,
      baseline: `${(1000 / RATE).toFixed(0)} ms (1 / R)`,
      ratio: ratio(Math.min(...apps.map(closestGap)), 1000 / RATE),
      target: 'info (arrival jitter)',
      met: null,
    },
    {
      figure: `12. client CPU per send (token fetch and pacing included), ${sendsLabel}`,
      ours: `${(all.cpuMicros / all.sends).toFixed(0)} µs`,
      baseline: `${(alone.cpuMicros / alone.sends).toFixed(0)} µs, one account alone`,
      ratio: ratio(all.cpuMicros / all.sends, alone.cpuMicros / alone.sends),
      target: 'info',
      met: null,
    },
  ];
}
