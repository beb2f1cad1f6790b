import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import {
  OrangeSmsApiError,
  OrangeSmsConnectionError,
  OrangeSmsService,
  OrangeSmsTimeoutError,
  OrangeSmsValidationError,
} from '../lib/index.js';
import type { OrangeSmsModuleOptions } from '../lib/orange-sms.options.js';
import { startTestApp, type TestApp, useEmulator, waitFor } from './support/test-app.js';
import { SendOutcomes } from './support/send-outcomes.js';

/** A tiny Orange of our own, for answers the emulator never gives. */
class MockOrange {
  tokenRequests = 0;
  sendRequests = 0;
  /** Tokens the send endpoint accepts; others get 401 code 41. */
  valid = new Set<string>();
  tokenStatus = 200;
  tokenBody: unknown = undefined;
  sendAnswer: (request: IncomingMessage) => { status: number; body: unknown } = () => this.created();

  private created(): { status: number; body: unknown } {
    return {
      status: 201,
      body: { outboundSMSMessageRequest: { resourceURL: `http://x/requests/id-${this.sendRequests}` } },
    };
  }
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.tokenRequests = 0;
    this.sendRequests = 0;
    this.valid.clear();
    this.tokenStatus = 200;
    this.tokenBody = undefined;
    this.sendAnswer = () => this.created();
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (request.url?.endsWith('/oauth/v3/token')) {
        this.tokenRequests++;
        if (this.tokenStatus !== 200) return reply(this.tokenStatus, this.tokenBody ?? {});
        const token = `token-${this.tokenRequests}`;
        this.valid.add(token);
        // A short delay, so concurrent callers really overlap with the token request.
        setTimeout(() => reply(200, { token_type: 'Bearer', access_token: token, expires_in: 3600 }), 20);
        return;
      }
      this.sendRequests++;
      const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!this.valid.has(bearer)) {
        return reply(401, { code: 41, message: 'Invalid credentials', description: 'Invalid or expired token' });
      }
      const { status, body } = this.sendAnswer(request);
      reply(status, body);
    });
  }
}

describe('client faults', () => {
  const ctx = useEmulator({ autoDeliveryStatus: null });

  async function emulatorApp(options: OrangeSmsModuleOptions = {}): Promise<OrangeSmsService> {
    ctx.app = await startTestApp(ctx.emulator, {
      options: { rateLimit: false, ...options },
      providers: [SendOutcomes],
      wireCallbacks: false,
    });
    return ctx.app.app.get(OrangeSmsService);
  }

  describe('own axios instance', () => {
    it("never runs the host's global axios interceptors nor sends its default headers", async () => {
      let intercepted = 0;
      const interceptor = axios.interceptors.request.use((config) => {
        intercepted++;
        return config;
      });
      axios.defaults.headers.common['X-Host-Default'] = 'host-secret';
      try {
        const sms = await emulatorApp();
        await sms.send({ to: '+2250700000089', text: 'isolated' });
        // The host's own axios calls still go through its interceptor: the probe works.
        await axios.get(`${ctx.emulator.url}/nothing-here`, { validateStatus: () => true });
        expect(intercepted).toBe(1);
        const ours = ctx.emulator.requests.filter((r) => r.kind === 'token' || r.kind === 'send');
        expect(ours).toHaveLength(2);
        for (const request of ours) expect(request.headers['x-host-default']).toBeUndefined();
      } finally {
        axios.interceptors.request.eject(interceptor);
        delete axios.defaults.headers.common['X-Host-Default'];
      }
    });
  });

  describe('token inside the retry loop', () => {
    it('a 503 from the token endpoint does not fail a cold send', async () => {
      const sms = await emulatorApp({ retry: { initialDelayMs: 1 } });
      ctx.emulator.failNext({ match: 'token', status: 503 });
      const sent = await sms.send({ to: '+2250700000089', text: 'cold' });
      expect(sent.status).toBe('submitted');
      expect(ctx.emulator.tokenRequests()).toBe(2);
      expect(ctx.emulator.messages).toHaveLength(1);
    });

    it('a 503 from the token endpoint does not fail a cold paced send either', async () => {
      const sms = await emulatorApp({ retry: { initialDelayMs: 1 }, rateLimit: { perSecond: 50 } });
      ctx.emulator.failNext({ match: 'token', status: 503 });
      await sms.send({ to: '+2250700000089', text: 'cold paced' });
      expect(ctx.emulator.tokenRequests()).toBe(2);
      expect(ctx.emulator.messages).toHaveLength(1);
    });

    it('a token endpoint that hangs ends in a timeout within the deadline, nothing sent', async () => {
      for (const rateLimit of [false, { perSecond: 50 }] as const) {
        const sms = await emulatorApp({ timeoutMs: 200, retry: { deadlineMs: 600, initialDelayMs: 1 }, rateLimit });
        ctx.emulator.failNext({ match: 'token', mode: 'hang', count: 100 });
        await expect(sms.send({ to: '+2250700000089', text: 'hang' })).rejects.toBeInstanceOf(OrangeSmsTimeoutError);
        expect(ctx.emulator.messages).toHaveLength(0);
        await ctx.app!.close();
        ctx.app = undefined;
        ctx.emulator.reset();
      }
    }, 15_000);
  });

  describe('with a mock Orange', () => {
    const mock = new MockOrange();
    let app: TestApp | undefined;
    beforeEach(() => mock.start());
    afterEach(async () => {
      await app?.close();
      app = undefined;
      await mock.stop();
    });
    async function mockApp(options: OrangeSmsModuleOptions = {}) {
      app = await startTestApp(ctx.emulator, {
        options: { baseUrl: mock.url, rateLimit: false, ...options },
        providers: [SendOutcomes],
        wireCallbacks: false,
      });
      return { sms: app.app.get(OrangeSmsService), outcomes: app.app.get(SendOutcomes) };
    }

    it('200 concurrent sends hitting 401 code 41 make exactly 1 new token request and all succeed', async () => {
      const { sms } = await mockApp();
      await sms.send({ to: '+2250700000001', text: 'warm' });
      expect(mock.tokenRequests).toBe(1);
      mock.valid.clear(); // Orange forgets the token (revoked, credentials changed)

      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => sms.send({ to: `+225070000${String(i).padStart(4, '0')}`, text: 'b' })),
      );
      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      expect(mock.tokenRequests).toBe(2);
      expect(mock.sendRequests).toBe(1 + 200 + 200);
    });

    it('a 201 whose id cannot be decoded is sent, with the id as received, and tracked', async () => {
      mock.sendAnswer = () => ({
        status: 201,
        body: { outboundSMSMessageRequest: { resourceURL: 'http://x/outbound/tel%3A%2B2250000/requests/ab%E0%A4%A' } },
      });
      const { sms, outcomes } = await mockApp();
      const sent = await sms.send({ to: '+2250700000089', text: 'odd id' });
      expect(sent.id).toBe('ab%E0%A4%A');
      expect((await sms.getMessage('ab%E0%A4%A'))?.status).toBe('submitted');
      await waitFor(() => outcomes.sent.length === 1);
      expect(outcomes.failed).toHaveLength(0);
    });

    it('a 201 without resourceURL resolves as sent with an unknown: id, tracked, never SmsFailed', async () => {
      mock.sendAnswer = () => ({ status: 201, body: { outboundSMSMessageRequest: {} } });
      const { sms, outcomes } = await mockApp();
      const sent = await sms.send({ to: '+2250700000089', text: 'no url' });
      expect(sent.id).toMatch(/^unknown:[0-9a-f-]{36}$/);
      expect(sent.status).toBe('submitted');
      expect((await sms.getMessage(sent.id))?.to).toBe('tel:+2250700000089');
      await waitFor(() => outcomes.sent.length === 1);
      expect(outcomes.failed).toHaveLength(0);
    });

    it('a 404 from the token endpoint says to check baseUrl, not the credentials', async () => {
      mock.tokenStatus = 404;
      mock.tokenBody = { error: 'not_found', error_description: 'no such route' };
      const { sms } = await mockApp({ baseUrl: `${mock.url}/typo` });
      const error = await sms.send({ to: '+2250700000089', text: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsApiError);
      expect((error as Error).message).toContain(`${mock.url}/typo/oauth/v3/token answered 404: check baseUrl`);
      expect((error as Error).message).not.toContain(ctx.emulator.credentials.clientSecret);
      expect(mock.sendRequests).toBe(0);
    });
  });

  it('a refused connection names the URL it tried', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sms = await emulatorApp({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
    const error = await sms.send({ to: '+2250700000089', text: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OrangeSmsConnectionError);
    expect((error as OrangeSmsConnectionError).url).toBe(`http://127.0.0.1:${port}/oauth/v3/token`);
    expect((error as Error).message).toContain(`at http://127.0.0.1:${port}/oauth/v3/token (ECONNREFUSED)`);
  });

  describe('input', () => {
    it('reads a national number in the country of the sender address', async () => {
      const sms = await emulatorApp();
      const sent = await sms.send({ to: '07 00 00 00 89', text: 'national' });
      expect(sent.to).toBe('tel:+2250700000089');
      expect(ctx.emulator.messages[0]!.address).toBe('tel:+2250700000089');
    });

    it('refuses a lone surrogate in text before any HTTP call', async () => {
      const sms = await emulatorApp();
      const error = await sms.send({ to: '+2250700000089', text: 'broken \uD800 emoji' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsValidationError);
      expect((error as OrangeSmsValidationError).field).toBe('text');
      expect(ctx.emulator.requests).toHaveLength(0);
    });
  });
});
