/**
 * `npm run bench`: runs each benchmark in a fresh child process (one at a time, never in parallel),
 * prints one markdown table and writes it to bench/results.md.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Row } from './support/row.js';

const BENCHMARKS: Array<{ name: string; title: string }> = [
  { name: 'send-overhead', title: 'send overhead' },
  { name: 'token', title: 'token single flight' },
  { name: 'pacing', title: 'pacing accuracy' },
  { name: 'fleet-pacing', title: 'fleet pacing on Redis' },
  { name: 'webhook-express', title: 'webhook ingest (Express)' },
  { name: 'webhook-fastify', title: 'webhook ingest (Fastify)' },
  { name: 'ingest-redis', title: 'durable webhook ingest on Redis' },
  { name: 'ingest-postgres', title: 'durable webhook ingest on PostgreSQL' },
  { name: 'report-postgres', title: 'getReport over 1,000,000 messages on PostgreSQL' },
  { name: 'send-postgres', title: 'send overhead, PostgreSQL store vs memory store' },
  { name: 'footprint', title: 'footprint' },
  { name: 'memory', title: 'memory' },
  { name: 'accounts', title: 'several accounts sending at once' },
];

const LEGEND = `## What the figures mean

Every benchmark runs in a fresh child process, one after the other; the Orange emulator, the webhook
server and the load generator run in processes of their own, so each figure is the measured process
only. Sides of a comparison alternate in rounds; ratios are medians of per-round ratios.

1. **Send overhead**: \`OrangeSmsService.send\` (\`rateLimit: false\`) against a raw axios POST and an
   \`undici.request\` of the same request (path, bearer token, JSON body, keep-alive agent). p50/p99 of
   sequential calls; calls per second with 32 concurrent callers; client CPU per call.
2. **Token single flight**: token requests seen by the emulator when 1,000 sends start at once on a
   cold module, against a check-then-fetch client.
3. **Pacing**: with \`rateLimit: { perSecond: R }\`, the most sends the emulator received in any
   sliding second, and the sustained rate over the run.
4. **Webhook ingest**: autocannon (16 connections) on the module's delivery-receipt route (secret,
   parse, dedupe, store, outbox; a new \`callbackData\` each request, for ids the store does not know
   yet) against a bare route of the same app that takes the same JSON; and the 401 path (wrong
   secret). Server CPU per request is the least noise-sensitive of these figures.
5. **Footprint**: the packed tarball installed with its runtime dependencies only; boot time of a
   bare Nest app (EventEmitterModule, create + init) with and without importing the package and
   registering \`OrangeSmsModule.forRoot()\`, fresh processes, median of pairwise differences.
6. **Memory**: RSS and heap after \`gc()\` of a process holding only the client, after 10k … 200k
   sends (default in-memory store, capped at 10,000 messages).

7. **Fleet pacing**: three instances (child processes) on one redis-server send to the emulator at
   \`rateLimit: { perSecond: 5 }\` for \`FLEET_PACING_SECONDS\` (default 60): the busiest sliding
   second at the emulator and the sustained rate.
8. **Durable ingest on Redis**: figure 4 on Express with the module's Redis store and a
   delivery-receipt listener (each receipt taken by one Lua script: dedupe, state, outbox), against a
   bare route that makes one Redis round trip (a SET of the body); then every receipt answered 200 is
   counted at the listener.
9. **Durable ingest on PostgreSQL**: figure 8 with the module's PostgreSQL store (\`postgres: { url }\`,
   its pool of 10; each receipt taken in one transaction: dedupe, state, outbox; then the listener
   and the outbox row's delete), against a bare route doing one transaction per receipt on a pool of
   the same size (BEGIN; \`INSERT … ON CONFLICT DO NOTHING\`; COMMIT). The cluster is a throwaway one
   started by the benchmark, fsync on. Server CPU is the Node process's, not the database's.
10. **Reports on PostgreSQL**: 1,000,000 messages written by SQL (\`generate_series\`; 90 days, seven
   country groups, three sender names, six statuses, 1-3 segments), ANALYZEd; then
   \`getReport({ interval: 'day', timeZone: 'Africa/Abidjan', groupBy: 'country' })\` over the 90 days
   against the same aggregate written by hand in one SQL query (FILTER counts, \`sum(segments)\`,
   \`percentile_cont(0.5)\` of the delivery time), alternating, median of up to 5 rounds (fewer when a
   side takes more than 40 s in all). Both answers must agree row by row, else the figure is not met.
11. **Send overhead, PostgreSQL store**: figure 1's sends with \`postgres: { url }\` (each send recorded
   in one transaction before \`send()\` returns) against the default memory store, alternating blocks;
   then the stored rows are counted against the sends.
12. **Several accounts**: a module with 50 accounts (plus \`default\`), each \`rateLimit: { perSecond: 5 }\`,
   cold; every account sends 15 SMS at once (750 sends started together) to an emulator playing the 50
   Orange apps, each refusing a sixth send in a sliding second with 429. Token requests per account
   (baseline: one check-then-fetch client per account, unpaced, which also shows the emulator's limit
   biting); per account at the emulator, the busiest sliding second of send requests (refused ones
   included) and the sustained rate of accepted sends ((n − 1) over the first-to-last span); the wall
   time against N / R and against one account sending alone (a fresh module each).

The machine is shared and small; wall-clock figures (rates, latencies, boot time) move by 10-20 %
between runs, CPU-time figures much less.`;

const only = process.argv.slice(2);
const selected = only.length > 0 ? BENCHMARKS.filter((b) => only.includes(b.name)) : BENCHMARKS;

const rows: Row[] = [];
const started = performance.now();
for (const benchmark of selected) {
  const begin = performance.now();
  process.stderr.write(`[bench] ${benchmark.title} …\n`);
  try {
    rows.push(...(await runChild(benchmark.name)));
  } catch (error) {
    rows.push({
      figure: benchmark.title,
      ours: 'failed',
      baseline: '—',
      ratio: '—',
      target: String((error as Error).message)
        .split('\n')[0]!
        .slice(0, 120),
      met: false,
    });
  }
  process.stderr.write(`[bench] ${benchmark.title} done in ${((performance.now() - begin) / 1000).toFixed(1)} s\n`);
}

const table = renderTable(rows);
const cpus = os.cpus();
const header = [
  `Date: ${new Date().toISOString()}`,
  `Node: ${process.version} (${process.platform} ${process.arch})`,
  `Machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
  `Total time: ${((performance.now() - started) / 1000).toFixed(0)} s`,
].join('  \n');

process.stdout.write(`\n${table}\n`);
if (only.length === 0) {
  const file = fileURLToPath(new URL('../../bench/results.md', import.meta.url));
  writeFileSync(file, `# Benchmark results (\`npm run bench\`)\n\n${header}\n\n${table}\n\n${LEGEND}\n`);
  process.stderr.write(`[bench] written to ${file}\n`);
}

function runChild(name: string): Promise<Row[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./support/bench-child.js', import.meta.url)), [name], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: { rows?: Row[]; error?: string } | undefined;
    child.on('message', (message: { rows?: Row[]; error?: string }) => (result = message));
    child.on('exit', (code) => {
      if (result?.rows) resolve(result.rows);
      else reject(new Error(result?.error ?? `benchmark ${name} exited with ${code}`));
    });
  });
}

function renderTable(list: Row[]): string {
  const lines = ['| figure | ours | baseline | ratio | target | met |', '|---|---|---|---|---|---|'];
  for (const row of list) {
    const met = row.met === null ? '—' : row.met ? 'yes' : '**no**';
    lines.push(`| ${row.figure} | ${row.ours} | ${row.baseline} | ${row.ratio} | ${row.target} | ${met} |`);
  }
  return lines.join('\n');
}
