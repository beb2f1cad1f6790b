import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BodyHoldingProxy {
  url: string;
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of `target` that reads each request whole, then holds it for
 * `holdMs(request)` ms before forwarding it, and forwards it even when the client gave up
 * meanwhile: a request slow on its way to Orange (a congested link, a gateway's queue) that still
 * arrives. Unlike holding-proxy.ts it picks requests by their body.
 */
export async function startBodyHoldingProxy(
  target: string,
  holdMs: (request: { method: string; path: string; body: string }) => number,
): Promise<BodyHoldingProxy> {
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const upstream = httpRequest(
          target + (incoming.url ?? '/'),
          { method: incoming.method, headers: incoming.headers },
          (answer) => {
            if (outgoing.destroyed) return answer.resume();
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        upstream.on('error', () => outgoing.destroy());
        upstream.end(body);
      };
      const delay = holdMs({ method: incoming.method ?? 'GET', path: incoming.url ?? '/', body: body.toString() });
      if (delay > 0) setTimeout(forward, delay);
      else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
