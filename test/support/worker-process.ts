import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** A queue worker in its own process (test/support/queue-worker.mjs): SmsFailed and boot errors arrive on stdout. */
export class WorkerProcess {
  readonly failures: { failed: string; error: string }[] = [];
  bootError?: { bootError: string; name: string };
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private buffer = '';
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
    this.child.stdout!.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString();
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const text = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        if (!text.startsWith('{')) continue; // Nest's logger (LOGGER=1) writes here too
        const line = JSON.parse(text) as { ready?: number; failed?: string; error?: string; bootError?: string };
        if (line.ready) this.readyResolve();
        if (line.failed) this.failures.push(line as { failed: string; error: string });
        if (line.bootError) this.bootError = line as { bootError: string; name: string };
      }
    });
  }

  get stdoutRest(): string {
    return this.buffer;
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
