import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import {
  OrangeSmsOutcomeUnknownError,
  OrangeSmsRateLimitError,
  OrangeSmsService,
  OrangeSmsStatsService,
  OrangeSmsTimeoutError,
} from '../lib/index.js';
import type { OrangeSmsModuleOptions } from '../lib/orange-sms.options.js';
import { startTestApp, useEmulator } from './support/test-app.js';

describe('resilience: tokens, retries, deadlines', () => {
  const ctx = useEmulator({ autoDeliveryStatus: null });

  async function app(options: OrangeSmsModuleOptions = {}): Promise<OrangeSmsService> {
    ctx.app = await startTestApp(ctx.emulator, { options: { rateLimit: false, ...options }, wireCallbacks: false });
    return ctx.app.app.get(OrangeSmsService);
  }
  const sends = () => ctx.emulator.requests.filter((r) => r.kind === 'send');

  describe('tokens', () => {
    it('1,000 concurrent sends on a cold start make exactly 1 token request', async () => {
      const sms = await app();
      const results = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => sms.send({ to: `+22507${String(i).padStart(8, '0')}`, text: `n${i}` })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1000);
      expect(ctx.emulator.tokenRequests()).toBe(1);
      expect(ctx.emulator.messages).toHaveLength(1000);
    });

    it('a token expired mid-run (401 code 42) makes exactly 1 refresh and every send succeeds', async () => {
      const sms = await app();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => sms.send({ to: `+225070000${String(i).padStart(4, '0')}`, text: 'a' })),
      );
      expect(ctx.emulator.tokenRequests()).toBe(1);

      ctx.emulator.expireTokens();
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) => sms.send({ to: `+225071000${String(i).padStart(4, '0')}`, text: 'b' })),
      );
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(0);
      expect(ctx.emulator.tokenRequests()).toBe(2);
      expect(ctx.emulator.requests.filter((r) => r.kind === 'send' && r.status === 401).length).toBeGreaterThan(0);
      expect(ctx.emulator.messages).toHaveLength(220);
    });
  });

  describe('retries', () => {
    it('429 with Retry-After is waited out, then succeeds', async () => {
      const sms = await app();
      ctx.emulator.failNext({ match: 'send', status: 429, headers: { 'Retry-After': '1' } });
      const started = Date.now();
      const sent = await sms.send({ to: '+2250700000001', text: 'x' });
      const [first, second] = sends();
      expect(first!.status).toBe(429);
      expect(second!.status).toBe(201);
      expect(second!.at.getTime() - first!.at.getTime()).toBeGreaterThanOrEqual(1000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(ctx.emulator.messages.map((m) => m.id)).toEqual([sent.id]);
    });

    it('a Retry-After longer than retry.maxDelayMs is not waited: OrangeSmsRateLimitError at once', async () => {
      const sms = await app({ retry: { maxDelayMs: 500 } });
      ctx.emulator.failNext({ match: 'send', status: 429, headers: { 'Retry-After': '30' } });
      const started = Date.now();
      const error = await sms.send({ to: '+2250700000001', text: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsRateLimitError);
      expect((error as OrangeSmsRateLimitError).retryAfterMs).toBe(30_000);
      expect(Date.now() - started).toBeLessThan(500);
      expect(sends()).toHaveLength(1);
    });

    it('503 is retried with growing delays, then succeeds', async () => {
      const sms = await app({ retry: { maxAttempts: 4, initialDelayMs: 100 } });
      ctx.emulator.failNext({ match: 'send', status: 503, count: 3 });
      await sms.send({ to: '+2250700000001', text: 'x' });
      const attempts = sends();
      expect(attempts.map((r) => r.status)).toEqual([503, 503, 503, 201]);
      const gaps = attempts.slice(1).map((r, i) => r.at.getTime() - attempts[i]!.at.getTime());
      // Equal jitter: attempt n waits between 50 % and 100 % of 100 ms × 2^(n-1).
      expect(gaps[0]).toBeGreaterThanOrEqual(50);
      expect(gaps[1]).toBeGreaterThanOrEqual(100);
      expect(gaps[2]).toBeGreaterThanOrEqual(200);
      expect(gaps[1]).toBeGreaterThanOrEqual(gaps[0]! - 5);
      expect(gaps[2]).toBeGreaterThanOrEqual(gaps[1]! - 5);
      expect(ctx.emulator.messages).toHaveLength(1);
    });

    it('a connection reset after the send was written gives OrangeSmsOutcomeUnknownError, and Orange saw it exactly once', async () => {
      const sms = await app();
      ctx.emulator.failNext({ match: 'send', mode: 'reset' });
      const error = await sms.send({ to: '+2250700000001', text: 'maybe sent' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsOutcomeUnknownError);
      expect(ctx.emulator.messages.map((m) => m.text)).toEqual(['maybe sent']);
      expect(sends()).toHaveLength(1);
    });

    it('a connection refused is retried (nothing was sent)', async () => {
      const dead = await OrangeSmsEmulator.start();
      const url = dead.url;
      await dead.stop();
      ctx.app = await startTestApp(ctx.emulator, {
        options: { baseUrl: url, rateLimit: false, retry: { maxAttempts: 2, initialDelayMs: 10 } },
        wireCallbacks: false,
      });
      const error = await ctx.app.app
        .get(OrangeSmsService)
        .send({ to: '+2250700000001', text: 'x' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'OrangeSmsConnectionError', code: 'ECONNREFUSED' });
    });
  });

  describe('deadlines', () => {
    it('a server that never answers a send gives OrangeSmsTimeoutError within the deadline, not retried', async () => {
      const sms = await app({ timeoutMs: 300, retry: { deadlineMs: 1_000 } });
      ctx.emulator.failNext({ match: 'send', mode: 'hang' });
      const started = Date.now();
      const error = await sms.send({ to: '+2250700000001', text: 'x' }).catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(OrangeSmsTimeoutError);
      expect((error as OrangeSmsTimeoutError).outcomeUnknown).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(290);
      expect(elapsed).toBeLessThan(1_000);
      expect(sends()).toHaveLength(1);
    });

    it('a read that never answers is retried, and the whole call still ends within the deadline', async () => {
      ctx.app = await startTestApp(ctx.emulator, {
        options: { rateLimit: false, timeoutMs: 400, retry: { deadlineMs: 1_000, initialDelayMs: 20, maxAttempts: 5 } },
        wireCallbacks: false,
      });
      const stats = ctx.app.app.get(OrangeSmsStatsService);
      await stats.getBalance(); // token first, so only admin requests hang below
      ctx.emulator.failNext({ match: 'admin', mode: 'hang', count: 5 });
      const started = Date.now();
      const error = await stats.getBalance().catch((e: unknown) => e);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(OrangeSmsTimeoutError);
      expect((error as OrangeSmsTimeoutError).outcomeUnknown).toBe(false);
      expect(elapsed).toBeLessThan(1_100);
      expect(ctx.emulator.requests.filter((r) => r.kind === 'admin').length).toBeGreaterThanOrEqual(3);
    });
  });

  it('a retry budget stops a storm: with Orange down, retries stay near 20 % of calls (+10)', async () => {
    const sms = await app({ retry: { maxAttempts: 5, initialDelayMs: 1 } });
    ctx.emulator.failNext({ match: 'send', status: 503, count: 10_000 });
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => sms.send({ to: `+225070000${String(i).padStart(4, '0')}`, text: 'x' })),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // Without a budget: 200 × 5 = 1,000 requests. With it: 200 calls + at most 10 + 20 % × 200 retries.
    expect(sends().length).toBeLessThanOrEqual(200 + 10 + 40);
    expect(sends().length).toBeGreaterThan(200);
  });
});
