/**
 * A throwaway PostgreSQL cluster for the benchmarks, started as test/support/postgres-server.ts does
 * (a copy of the little it needs: start and stop; the tests' helper also kills and restarts, and
 * bench/ compiles without the test tree): initdb in a temporary directory, trust authentication, a
 * free loopback port, fsync on (commits cost what they cost in production). PostgreSQL refuses to
 * run as root: as root, the cluster belongs to the `postgres` user.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchPostgres {
  url: string;
  /** Fast shutdown (SIGINT to the postmaster), then the directory is removed. */
  stop(): Promise<void>;
}

export async function startPostgresServer(): Promise<BenchPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'orange-sms-bench-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, idOf('-u'), idOf('-g'));
  const command = (binary: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];

  const init = spawnSync(
    ...command(postgresBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-instructions']),
    { encoding: 'utf8' },
  );
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);

  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'];
  const child: ChildProcess = spawn(...command(postgresBin('postgres'), args), { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('database system is ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start postgres: ${error.message}`));
    });
  });

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      // The postmaster's PID from its lock file: runuser between us and it does not pass signals on.
      const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (alive(pid)) process.kill(pid, 'SIGINT');
      for (let waited = 0; alive(pid) && waited < 20_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** initdb and postgres: on PATH, else Debian's /usr/lib/postgresql/<version>/bin. */
function postgresBin(name: 'initdb' | 'postgres'): string {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      const candidate = join(root, version, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`no ${name} binary: install PostgreSQL (Debian: apt-get install postgresql)`);
}

function freePort(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function idOf(flag: '-u' | '-g'): number {
  return Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
}
