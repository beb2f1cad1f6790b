import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-server.js';

export interface TestPostgres {
  url: string;
  /** Stops it cleanly (SIGINT: fast shutdown). */
  stop(): Promise<void>;
  /** Dies at once (SIGKILL), as in a crash; `restart()` brings it back on the same port and data. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/** initdb and postgres: on PATH, else Debian's /usr/lib/postgresql/<version>/bin. */
export function postgresBin(name: 'initdb' | 'postgres'): string {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    for (const version of readdirSync(root).sort().reverse()) {
      const candidate = join(root, version, 'bin', name);
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error(`no ${name} binary (npm test installs Debian's postgresql when missing)`);
}

/**
 * A throwaway PostgreSQL cluster on a free loopback port, in a temporary directory, trust
 * authentication, fsync on (a SIGKILL must lose nothing committed). PostgreSQL refuses to run as
 * root: as root, the cluster belongs to the `postgres` user.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'orange-sms-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chownSync(dir, uid('postgres'), gid('postgres'));
  const run = (command: string, args: string[]) =>
    asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', command, ...args], { encoding: 'utf8' })
      : spawnSync(command, args, { encoding: 'utf8' });
  const init = run(postgresBin('initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-instructions']);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'];
      // Its own process group: a signal reaches the postmaster and its backends, through runuser too.
      child = asRoot
        ? spawn('runuser', ['-u', 'postgres', '--', postgresBin('postgres'), ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: true,
          })
        : spawn(postgresBin('postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  const signal = (name: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return resolve();
      current.once('exit', () => resolve());
      try {
        process.kill(-current.pid!, name);
      } catch {
        current.kill(name);
      }
    });

  await launch();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await signal('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => signal('SIGKILL'),
    restart: launch,
  };
}

function uid(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}
function gid(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}
