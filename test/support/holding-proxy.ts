import { createServer, type IncomingMessage, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Requests that went through (held or not). */
  readonly forwarded: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of `target` that holds the requests `hold` picks for `holdMs` before
 * forwarding them: a request slow on its way to Orange (a congested link, a stalled socket).
 */
export async function startHoldingProxy(
  target: string,
  hold: (request: IncomingMessage, index: number) => boolean,
  holdMs: number,
): Promise<HoldingProxy> {
  let forwarded = 0;
  let index = 0;
  const server = createServer((incoming, outgoing) => {
    const forward = () => {
      forwarded++;
      const upstream = httpRequest(
        target + (incoming.url ?? '/'),
        { method: incoming.method, headers: incoming.headers },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on('error', () => outgoing.destroy());
      incoming.pipe(upstream);
    };
    if (hold(incoming, index++)) setTimeout(forward, holdMs);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get forwarded() {
      return forwarded;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Orange's send requests (`POST …/outbound/{sender}/requests`). */
export function isSendRequest(request: IncomingMessage): boolean {
  return request.method === 'POST' && /\/requests$/.test(request.url ?? '');
}
