/**
 * Child processes with a tiny request/response protocol over Node's IPC channel, so a benchmark can
 * keep the emulator, the load generator or the measured app out of the process it measures.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface CallMessage {
  id: number;
  cmd: string;
  args?: unknown;
}

interface ReplyMessage {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface ChildHandle<Ready> {
  child: ChildProcess;
  /** What the child sent with `serve()` once it was ready. */
  ready: Ready;
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  /** Asks the child to exit, kills it (by its pid) if it does not within 5 s. */
  stop(): Promise<void>;
}

export interface StartOptions {
  args?: string[];
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the child's `ready` message; default 60 s. */
  timeoutMs?: number;
}

/** Forks `script` (a compiled .js URL) and waits for its `serve()` ready message. */
export function startChild<Ready>(script: URL, options: StartOptions = {}): Promise<ChildHandle<Ready>> {
  const child = fork(fileURLToPath(script), options.args ?? [], {
    execArgv: options.execArgv ?? [],
    env: options.env ?? process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  child.on('exit', (code, signal) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`child exited (${code ?? signal})`));
    pending.clear();
  });
  child.on('message', (message: ReplyMessage | { ready: unknown }) => {
    if ('ready' in message) return;
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(message.error));
  });

  const handle = (ready: Ready): ChildHandle<Ready> => ({
    child,
    ready,
    call<T>(cmd: string, args?: unknown): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, cmd, args } satisfies CallMessage);
      });
    },
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ id: 0, cmd: '__exit' } satisfies CallMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  });

  return new Promise<ChildHandle<Ready>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script.pathname}: no ready message within ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    const onReady = (message: { ready?: unknown }): void => {
      if (!('ready' in message)) return;
      clearTimeout(timer);
      child.off('message', onReady);
      child.off('exit', onExit);
      resolve(handle(message.ready as Ready));
    };
    const onExit = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${script.pathname} exited with ${code} before it was ready`));
    };
    child.on('message', onReady);
    child.once('exit', onExit);
  });
}

export type Handlers = Record<string, (args: unknown) => unknown>;

/** In a child: answers `call()`s with `handlers`, then tells the parent it is ready. */
export function serve(ready: unknown, handlers: Handlers): void {
  if (!process.send) throw new Error('serve() must run in a forked child');
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: CallMessage) => {
    if (message.cmd === '__exit') {
      process.exit(0);
    }
    const handler = handlers[message.cmd];
    void (async () => {
      try {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        const result = await handler(message.args);
        process.send!({ id: message.id, ok: true, result } satisfies ReplyMessage);
      } catch (error) {
        process.send!({
          id: message.id,
          ok: false,
          error: (error as Error)?.stack ?? String(error),
        } satisfies ReplyMessage);
      }
    })();
  });
  process.send({ ready });
}
