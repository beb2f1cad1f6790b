import { createServer, type Server, type Socket, connect } from 'node:net';

/**
 * A TCP proxy between a client and redis-server that understands just enough RESP to pair each command
 * with its reply, so a test can inject the faults production brings:
 *
 * - `dropReply(match)`: the next matching command runs on Redis, its reply is swallowed and the client's
 *   connection is cut (ioredis then reconnects and resends what it had pending: the "lost reply").
 * - `delayReply(match, ms)`: the next matching command runs on Redis, its reply comes `ms` late (past
 *   the client's command timeout: it gives up although the command took effect).
 * - `failCommand(match, error?)`: the next matching command never reaches Redis; the client gets an error
 *   reply (a failover, OOM, READONLY…).
 * - `pause()` / `resume()`: stop forwarding in both directions (a network partition); `cutAll()` cuts
 *   every open connection.
 *
 * `match` sees the command as an array of strings (`['EVALSHA', sha, '2', ...]`, upper-cased name first).
 */
export interface RedisFaultProxy {
  url: string;
  port: number;
  /** Every command the proxy forwarded or failed, in order (name upper-cased). */
  readonly commands: string[][];
  dropReply(match: CommandMatch): Promise<string[]>;
  /** The next matching command runs on Redis; its reply (and those after it) reach the client `ms` later. */
  delayReply(match: CommandMatch, ms: number): Promise<string[]>;
  failCommand(match: CommandMatch, error?: string): Promise<string[]>;
  pause(): void;
  resume(): void;
  cutAll(): void;
  close(): Promise<void>;
}

export type CommandMatch = (command: string[]) => boolean;

interface Fault {
  kind: 'drop' | 'fail' | 'delay';
  delayMs?: number;
  match: CommandMatch;
  error: string;
  resolve: (command: string[]) => void;
}

export async function startRedisFaultProxy(target: { host?: string; port: number }): Promise<RedisFaultProxy> {
  const faults: Fault[] = [];
  const sockets = new Set<Socket>();
  const commands: string[][] = [];
  let paused = false;
  const pausedQueue: (() => void)[] = [];
  const whenFlowing = (action: () => void) => (paused ? pausedQueue.push(action) : action());

  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host ?? '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    // One entry per command forwarded upstream, in order: what to do with its reply.
    const pending: { fault?: Fault; command: string[] }[] = [];
    let fromClient = Buffer.alloc(0);
    let fromServer = Buffer.alloc(0);
    let cut = false;
    // While a delayed reply is held, later replies (injected failures too) wait behind it, in order.
    let holding = false;

    const cutBoth = () => {
      if (cut) return;
      cut = true;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', cutBoth);
    upstream.on('error', cutBoth);
    client.on('close', cutBoth);
    upstream.on('close', cutBoth);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));

    client.on('data', (chunk: Buffer) =>
      whenFlowing(() => {
        fromClient = Buffer.concat([fromClient, chunk]);
        for (;;) {
          const parsed = parseValue(fromClient, 0);
          if (!parsed) break;
          const raw = fromClient.subarray(0, parsed.end);
          fromClient = fromClient.subarray(parsed.end);
          const command = toCommand(parsed.value);
          commands.push(command);
          const index = faults.findIndex((fault) => fault.match(command));
          const fault = index >= 0 ? faults.splice(index, 1)[0] : undefined;
          if (fault?.kind === 'fail') {
            fault.resolve(command);
            // Replies must stay in order: answer after the replies of commands already upstream.
            pending.push({ fault, command });
            if (pending.length === 1) flushFailures();
            continue;
          }
          pending.push({ fault, command });
          upstream.write(raw);
        }
      }),
    );

    const flushFailures = () => {
      while (!holding && pending.length > 0 && pending[0].fault?.kind === 'fail') {
        const { fault } = pending.shift()!;
        if (!cut) client.write(`-${fault!.error}\r\n`);
      }
    };

    const forwardReplies = () => {
      while (!holding) {
        const parsed = parseValue(fromServer, 0);
        if (!parsed) break;
        const raw = fromServer.subarray(0, parsed.end);
        fromServer = fromServer.subarray(parsed.end);
        // Replies with no command waiting (pub/sub pushes) pass through.
        const entry = pending.shift();
        if (entry?.fault?.kind === 'drop') {
          entry.fault.resolve(entry.command);
          cutBoth();
          return;
        }
        if (entry?.fault?.kind === 'delay') {
          const fault = entry.fault;
          holding = true;
          fault.resolve(entry.command);
          setTimeout(() => {
            holding = false;
            if (!cut) client.write(raw);
            flushFailures();
            forwardReplies();
          }, fault.delayMs);
          return;
        }
        if (!cut) client.write(raw);
        flushFailures();
      }
    };
    upstream.on('data', (chunk: Buffer) =>
      whenFlowing(() => {
        fromServer = Buffer.concat([fromServer, chunk]);
        forwardReplies();
      }),
    );
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  const addFault = (kind: Fault['kind'], match: CommandMatch, error = 'ERR injected by the test proxy') =>
    new Promise<string[]>((resolve) => faults.push({ kind, match, error, resolve }));

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    commands,
    dropReply: (match) => addFault('drop', match),
    delayReply: (match, ms) =>
      new Promise<string[]>((resolve) => faults.push({ kind: 'delay', match, error: '', delayMs: ms, resolve })),
    failCommand: (match, error) => addFault('fail', match, error),
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const action of pausedQueue.splice(0)) action();
    },
    cutAll: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** True for a script call (EVAL/EVALSHA/FCALL) whose script body or keys contain `fragment`. */
export function scriptTouching(fragment: string): CommandMatch {
  return (command) =>
    /^(EVAL|EVALSHA|EVAL_RO|EVALSHA_RO|FCALL)$/.test(command[0]) && command.some((part) => part.includes(fragment));
}

type RespValue = string | number | null | RespValue[] | Error;

function toCommand(value: RespValue): string[] {
  if (Array.isArray(value)) {
    const parts = value.map((part) => (part === null ? '' : String(part)));
    if (parts.length > 0) parts[0] = parts[0].toUpperCase();
    return parts;
  }
  // Inline command (telnet style).
  const parts = String(value).trim().split(/\s+/);
  parts[0] = (parts[0] ?? '').toUpperCase();
  return parts;
}

/** Parses one RESP2/RESP3 value at `offset`; undefined when the buffer does not hold it whole yet. */
function parseValue(buffer: Buffer, offset: number): { value: RespValue; end: number } | undefined {
  if (offset >= buffer.length) return undefined;
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buffer[offset]);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
    case '(':
    case ',':
    case '#':
    case '_':
      return { value: line, end: next };
    case '-':
      return { value: new Error(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$':
    case '=':
    case '!': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*':
    case '~':
    case '>':
    case '%':
    case '|': {
      const count = Number(line) * (type === '%' || type === '|' ? 2 : 1);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let cursor = next;
      for (let i = 0; i < count; i++) {
        const item = parseValue(buffer, cursor);
        if (!item) return undefined;
        items.push(item.value);
        cursor = item.end;
      }
      return { value: items, end: cursor };
    }
    default:
      // Inline command: the whole line.
      return { value: buffer.toString('utf8', offset, lineEnd), end: next };
  }
}
