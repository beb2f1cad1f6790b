import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { onJsonLines } from './json-lines.js';
import { waitFor } from './test-app.js';

/**
 * A webhook instance in its own process (test/support/webhook-instance.mjs, the built package: run
 * `npm run build` first), reporting on stdout as JSON lines: `ready` (its port), then `listening` and
 * `finished` (a listener started and ended for a notification id).
 */
export class WebhookInstance {
  readonly lines: Array<{ ready?: number; listening?: string; finished?: string }> = [];
  private readonly child: ChildProcess;

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, ['--no-warnings', join(process.cwd(), 'test/support/webhook-instance.mjs')], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    onJsonLines<WebhookInstance['lines'][number]>(this.child.stdout!, (line) => this.lines.push(line));
  }

  async port(): Promise<number> {
    await waitFor(() => this.lines.some((line) => line.ready), 20_000);
    return this.lines.find((line) => line.ready)!.ready!;
  }

  count(kind: 'listening' | 'finished', id: string): number {
    return this.lines.filter((line) => line[kind] === id).length;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}
