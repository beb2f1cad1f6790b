import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis-server.js';

export interface TestPostgres {
  url: string;
  /** Stops it cleanly (SIGINT: fast shutdown). */
  stop(): Promise<void>;
  /** Dies at once (SIGKILL), as in a crash; `restart()` brings it back on the same port and data. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  /**
   * A pool on it for the test's own queries. An idle connection the server ends emits 'error' on the
   * pool, which would otherwise end the whole test process: it is reported with the server's log
   * instead (unless `expectDrops`: the test kills the server itself), and the next query reconnects
   * (or fails, if the server is really gone).
   */
  pool(options?: { expectDrops?: boolean }): pg.Pool;
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
  let serverLog = '';

  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const args = ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=on'];
      child = asRoot
        ? spawn('runuser', ['-u', 'postgres', '--', postgresBin('postgres'), ...args], {
            stdio: ['ignore', 'pipe', 'pipe'],
          })
        : spawn(postgresBin('postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const timer = setTimeout(() => reject(new Error(`postgres did not start:\n${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        serverLog = (serverLog + chunk.toString()).slice(-4_000);
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
  /** The postmaster's PID, from its lock file (runuser between us and it does not pass signals on). */
  const postmaster = (): number | undefined => {
    try {
      return Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = async (name: NodeJS.Signals) => {
    const pid = postmaster();
    if (pid === undefined || !alive(pid)) return;
    // SIGKILL: the backends too, at once, as a machine losing power would (they would otherwise
    // linger until they notice, and hold the shared memory a restart needs).
    if (name === 'SIGKILL') spawnSync('pkill', ['-KILL', '-P', String(pid)]);
    process.kill(pid, name);
    for (let waited = 0; alive(pid) && waited < 20_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const wrapper = child;
    if (wrapper && wrapper.exitCode === null && wrapper.signalCode === null) {
      await new Promise<void>((resolve) => {
        wrapper.once('exit', () => resolve());
        setTimeout(resolve, 2_000).unref();
      });
    }
  };

  await launch();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await signal('SIGINT');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => signal('SIGKILL'),
    restart: launch,
    pool: ({ expectDrops = false } = {}) => {
      const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
      const report = (error: Error) => {
        if (!expectDrops) {
          console.warn(`test pool: PostgreSQL connection ended (${error.message}); server log:\n${serverLog}`);
        }
      };
      pool.on('error', report);
      pool.on('connect', (client) => client.on('error', report));
      return pool;
    },
  };
}

function uid(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}
function gid(user: string): number {
  return Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
}
