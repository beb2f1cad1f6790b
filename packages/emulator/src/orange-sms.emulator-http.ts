/**
 * Low-level HTTP helpers of the emulator: request target parsing, bounded body reading and reply
 * writing. Handlers return a `Reply` value instead of writing, so a fault can decide afterwards
 * to send it, drop the connection, or never answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  /** Object: serialised as JSON. String: sent as is. Undefined: empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export function reply(status: number, body?: unknown, headers?: Record<string, string>): Reply {
  return { status, body, ...(headers ? { headers } : {}) };
}

export interface RequestTarget {
  rawPath: string;
  /** Whole pathname percent-decoded (raw when it is not valid percent-encoding). */
  path: string;
  /** Path segments, each decoded on its own (so an encoded '/' stays inside its segment); undefined when undecodable. */
  segments: (string | undefined)[];
  query: Record<string, string>;
}

export function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

export function parseTarget(rawPath: string): RequestTarget {
  const q = rawPath.indexOf('?');
  const pathname = q < 0 ? rawPath : rawPath.slice(0, q);
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(q < 0 ? '' : rawPath.slice(q + 1))) {
    if (!(key in query)) query[key] = value;
  }
  // One trailing slash is tolerated: '/sms/admin/v1/contracts/' routes like '/sms/admin/v1/contracts'.
  const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  const segments = trimmed.split('/').slice(1).map(safeDecode);
  return { rawPath, path: safeDecode(pathname) ?? pathname, segments, query };
}

export interface ReadBody {
  body: string;
  tooLarge: boolean;
  /** The client went away before the body was complete. */
  aborted: boolean;
}

/**
 * Reads the body up to `maxBytes`. Beyond that it keeps draining without buffering, so the
 * client can finish writing and read the 413 instead of failing on a half-written request.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<ReadBody> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > maxBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve({ body: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge, aborted: false }),
    );
    req.on('error', () => resolve({ body: '', tooLarge, aborted: true }));
    req.on('aborted', () => resolve({ body: '', tooLarge, aborted: true }));
  });
}

export function newRequestId(): string {
  return randomUUID();
}

/** Writes a reply; every response is JSON and carries Orange's request id header. */
export function writeReply(
  res: ServerResponse,
  value: Reply,
  requestId: string,
  extraHeaders?: Record<string, string>,
): void {
  if (res.destroyed || res.headersSent) return;
  const payload =
    value.body === undefined ? '' : typeof value.body === 'string' ? value.body : JSON.stringify(value.body);
  // Later sources win, compared case-insensitively (a fault may override Content-Type).
  const headers = new Map<string, [string, string]>();
  const put = (source: Record<string, string> | undefined): void => {
    for (const [name, v] of Object.entries(source ?? {})) headers.set(name.toLowerCase(), [name, v]);
  };
  put(value.status === 204 ? {} : { 'Content-Type': 'application/json' });
  put({ 'X-OAPI-Request-Id': requestId });
  put(extraHeaders);
  put(value.headers);
  if (value.status !== 204) put({ 'Content-Length': String(Buffer.byteLength(payload)) });
  res.writeHead(value.status, Object.fromEntries([...headers.values()]));
  res.end(value.status === 204 ? undefined : payload);
}
