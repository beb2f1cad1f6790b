/**
 * 5. Footprint: what installing the package adds to a container (packed tarball installed with its
 * runtime dependencies only, from the local npm cache), and what importing it and registering the
 * module adds to a bare Nest application's boot, measured in fresh processes (median of several).
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Row } from './support/row.js';
import { median, mb, ms, ratio } from './support/stats.js';

const run$ = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./support/startup-probe.js', import.meta.url));
const BOOT_RUNS = 11;
const IMPORT_RUNS = 5;
const BOOT_TARGET_MS = 30;
/** What a bare Nest HTTP application installs. */
const BARE_NEST = ['@nestjs/core', '@nestjs/common', '@nestjs/platform-express', 'reflect-metadata', 'rxjs'];
/** Peers the module needs that a bare Nest application does not have. */
const EXTRA_PEERS = ['@nestjs/axios', 'axios', '@nestjs/event-emitter'];

export async function run(): Promise<Row[]> {
  const install = await installedSize();
  const bareSize = closureSize(BARE_NEST);
  const peers = closureSize(EXTRA_PEERS, new Set(closurePackages(BARE_NEST)));

  // Boot time, bare vs ours, alternating, in fresh processes; one unmeasured run each first (disk cache).
  await probe('bare');
  await probe('ours');
  const bare: Probe[] = [];
  const ours: Probe[] = [];
  for (let i = 0; i < BOOT_RUNS; i++) {
    const order: Array<'bare' | 'ours'> = i % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
    for (const mode of order) (mode === 'bare' ? bare : ours).push(await probe(mode));
  }
  // Each pair ran back to back: the median of the pairwise differences cancels machine drift.
  const delta = median(ours.map((o, i) => o.ms - bare[i]!.ms));
  const cpuDelta = median(ours.map((o, i) => (o.cpuMs ?? 0) - (bare[i]!.cpuMs ?? 0)));
  const bareMs = bare.map((p) => p.ms);
  const oursMs = ours.map((p) => p.ms);
  const firstCheck = ours.map((p) => p.firstCheckMs ?? Number.NaN);

  const breakdown: Array<[string, number]> = [];
  const parts: Array<[string, string]> = [
    ['@nestjs/axios + axios', 'import:@nestjs/axios'],
    ['own modules', 'own'],
    ['libphonenumber-js/min (now loaded on first use)', 'import:libphonenumber-js/min'],
  ];
  for (const [name, mode] of parts) {
    const samples: number[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) samples.push((await probe(mode)).ms);
    breakdown.push([name, median(samples)]);
  }

  return [
    {
      figure: '5. installed size: package + runtime dependencies',
      ours: `${mb(install.total, 2)} (${install.detail})`,
      baseline: `${mb(bareSize, 2)} bare Nest (${BARE_NEST.length} packages + deps)`,
      ratio: ratio(install.total, bareSize),
      target: `info (tarball ${(install.tarball / 1024).toFixed(0)} kB; ${install.method})`,
      met: null,
    },
    {
      figure: '5. peers a bare Nest app lacks (@nestjs/axios, axios, @nestjs/event-emitter + deps)',
      ours: mb(peers, 2),
      baseline: `${mb(bareSize, 2)} bare Nest`,
      ratio: ratio(peers, bareSize),
      target: 'info',
      met: null,
    },
    {
      figure: `5. import + init on top of a bare Nest app (median of ${BOOT_RUNS} fresh processes)`,
      ours: `+${ms(delta, 1)} (${ms(median(oursMs), 1)} total; CPU +${ms(cpuDelta, 1)})`,
      baseline: `${ms(median(bareMs), 1)} bare Nest + EventEmitterModule`,
      ratio: ratio(median(oursMs), median(bareMs)),
      target: `≤ +${BOOT_TARGET_MS} ms`,
      met: delta <= BOOT_TARGET_MS,
    },
    {
      figure: '5. import alone, after Nest is loaded (median)',
      ours: breakdown.map(([name, value]) => `${name} ${ms(value, 1)}`).join(', '),
      baseline: '—',
      ratio: '—',
      target: 'info',
      met: null,
    },
    {
      figure: '5. first recipient check after boot (lazy loads included)',
      ours: ms(median(firstCheck), 2),
      baseline: '—',
      ratio: '—',
      target: 'info',
      met: null,
    },
  ];
}

interface Probe {
  ms: number;
  cpuMs?: number;
  firstCheckMs?: number;
}

async function probe(mode: string): Promise<Probe> {
  const { stdout } = await run$(process.execPath, [PROBE, mode], { cwd: ROOT, timeout: 60_000 });
  const line = stdout.trim().split('\n').pop()!;
  return JSON.parse(line) as Probe;
}

/** npm pack, then install the tarball with its runtime dependencies only, offline from the npm cache. */
async function installedSize(): Promise<{ total: number; tarball: number; detail: string; method: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'orange-sms-footprint-'));
  try {
    const { stdout } = await run$('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; size: number }>;
    const tarball = packed!.size;
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
    };
    let modules: string;
    let method: string;
    try {
      writeFileSync(join(dir, 'package.json'), '{ "name": "footprint-probe", "private": true }\n');
      await run$(
        'npm',
        [
          'install',
          join(dir, packed!.filename),
          '--omit=peer',
          '--omit=dev',
          '--ignore-scripts',
          '--offline',
          '--no-audit',
          '--no-fund',
          '--no-package-lock',
          '--prefix',
          dir,
        ],
        { cwd: dir, timeout: 120_000 },
      );
      modules = join(dir, 'node_modules');
      method = 'tarball installed offline';
    } catch {
      // No cache: the built dist plus the runtime dependencies' installed folders.
      modules = '';
      method = 'dist + local node_modules (offline install failed)';
    }
    if (modules) {
      const sizes = readdirSync(modules)
        .filter((name) => !name.startsWith('.'))
        .flatMap((name) =>
          name.startsWith('@') ? readdirSync(join(modules, name)).map((sub) => `${name}/${sub}`) : [name],
        )
        .map((name) => [name, treeSize(join(modules, name))] as const)
        .sort((a, b) => b[1] - a[1]);
      const total = sizes.reduce((sum, [, size]) => sum + size, 0);
      return { total, tarball, detail: sizes.map(([name, size]) => `${name} ${mb(size, 2)}`).join(', '), method };
    }
    const deps = closurePackages(Object.keys(manifest.dependencies ?? {}));
    const own = treeSize(join(ROOT, 'dist'));
    const depSizes = deps.map((dir) => treeSize(dir, true));
    const total = own + depSizes.reduce((sum, size) => sum + size, 0);
    return { total, tarball, detail: `dist ${mb(own, 2)}, deps ${mb(total - own, 2)}`, method };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Apparent size of every file under `path` (what `du -sb` reports, give or take directory entries).
 * `ownFilesOnly` leaves out a package's nested node_modules (counted as packages of their own).
 */
function treeSize(path: string, ownFilesOnly = false): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path)) {
    if (ownFilesOnly && entry === 'node_modules') continue;
    total += treeSize(join(path, entry), ownFilesOnly);
  }
  return total;
}

/** Directories of `names` and of all their (production) dependencies, resolved as Node does. */
function closurePackages(names: string[], exclude = new Set<string>()): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string): void => {
    const dir = resolvePackage(name, from);
    if (!dir || found.has(dir) || exclude.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) visit(dep, dir);
  };
  for (const name of names) visit(name, ROOT);
  return [...found];
}

function closureSize(names: string[], exclude = new Set<string>()): number {
  return closurePackages(names, exclude).reduce((sum, dir) => sum + treeSize(dir, true), 0);
}

function resolvePackage(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}
