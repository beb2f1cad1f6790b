import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { onJsonLines } from './json-lines.js';

/** A queue worker in its own process (test/support/queue-worker.mjs): SmsFailed and boot errors arrive on stdout. */
export class WorkerProcess {
  readonly failures: { failed: string; error: string }[] = [];
  bootError?: { bootError: string; name: string };
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly rest: () => string;
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--no-warnings', join(process.cwd(), 'test/support/queue-worker.mjs')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // 'close', not 'exit': stdout is fully read by then.
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    // Nest's logger (LOGGER=1) writes to stdout too: only the JSON lines are ours.
    this.rest = onJsonLines<{ ready?: number; failed?: string; error?: string; bootError?: string }>(
      this.child.stdout!,
      (line) => {
        if (line.ready) this.readyResolve();
        if (line.failed) this.failures.push(line as { failed: string; error: string });
        if (line.bootError) this.bootError = line as { bootError: string; name: string };
      },
    );
  }

  get stdoutRest(): string {
    return this.rest();
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}
