import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { onJsonLines } from './json-lines.js';

export interface InstanceDone {
  done: string;
  sent: number;
  failed: number;
  errors: string[];
}

/**
 * One instance of a fleet in its own process (test/support/pacing-instance.mjs, the built package),
 * pacing through Redis: a test can SIGSTOP it between being let go and writing, or SIGKILL it mid-send.
 */
export class PacingInstance {
  readonly exited: Promise<number | null>;
  stderr = '';
  bootError?: string;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<string, (done: InstanceDone) => void>();
  private readyResolve!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));
  private stoppingResolve!: () => void;
  /** Resolves when the instance stopped itself before a write (`stopBeforeWrite`). */
  readonly stopping = new Promise<void>((resolve) => (this.stoppingResolve = resolve));

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--no-warnings', join(process.cwd(), 'test/support/pacing-instance.mjs')], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    onJsonLines<{ ready?: number; bootError?: string; stopping?: number } & Partial<InstanceDone>>(
      this.child.stdout!,
      (line) => {
        if (line.ready) this.readyResolve();
        if (line.bootError) this.bootError = line.bootError;
        if (line.stopping) this.stoppingResolve();
        if (line.done) this.waiting.get(line.done)?.(line as InstanceDone);
      },
    );
  }

  /**
   * Sends `count` SMS through sendMany (texts `${tag} ${i}`); resolves with the instance's tally. With
   * `stopBeforeWrite` the instance stops itself (SIGSTOP) once let go, right before writing the first.
   */
  send(
    tag: string,
    count: number,
    { concurrency = count, number = 0, stopBeforeWrite = false } = {},
  ): Promise<InstanceDone> {
    const done = new Promise<InstanceDone>((resolve) => this.waiting.set(tag, resolve));
    this.child.stdin!.write(`${JSON.stringify({ send: count, tag, concurrency, number, stopBeforeWrite })}\n`);
    return done;
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      // SIGKILL ends a stopped process too.
      this.child.kill('SIGKILL');
    });
  }
}
