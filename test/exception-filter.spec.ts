import { ORANGE_SMS_STORE } from '../lib/orange-sms.constants.js';
import 'reflect-metadata';
import { Body, Controller, Post, UseFilters } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { OrangeSmsExceptionFilter, OrangeSmsService, OrangeSmsStoreError, type SendSmsInput } from '../lib/index.js';
import { type OrangeSmsStore } from '../lib/interfaces/orange-sms.store.interfaces.js';
import { startTestApp, type TestApp, useEmulator } from './support/test-app.js';

/** The host's own route: no error handling of its own, the filter does it. */
@Controller('notify')
@UseFilters(OrangeSmsExceptionFilter)
class NotifyController {
  constructor(private readonly sms: OrangeSmsService) {}
  @Post()
  async notify(@Body() body: SendSmsInput) {
    const sent = await this.sms.send(body);
    return { id: sent.id };
  }
}

/** The same route without the decorator: only a global filter can answer for it. */
@Controller('bare')
class BareController {
  constructor(private readonly sms: OrangeSmsService) {}
  @Post()
  async notify(@Body() body: SendSmsInput) {
    return { id: (await this.sms.send(body)).id };
  }
}

describe('OrangeSmsExceptionFilter in a host route (Express)', () => {
  const ctx = useEmulator({ autoDeliveryStatus: null });
  let testApp: TestApp;

  beforeEach(async () => {
    testApp = await startTestApp(ctx.emulator, {
      controllers: [NotifyController, BareController],
      options: { rateLimit: false, timeoutMs: 300, retry: { maxAttempts: 1 } },
      wireCallbacks: false,
    });
    ctx.app = testApp;
  });

  const post = (body: unknown, route = 'notify') =>
    fetch(`${testApp.url}/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('passes a success through', async () => {
    const response = await post({ to: '+2250700000089', text: 'hello' });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { id: string }).id).toBe(ctx.emulator.messages[0]!.id);
  });

  it('validation → 400 naming the field, nothing sent', async () => {
    const response = await post({ to: '+2250700000089', text: 'broken \uD800' });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ statusCode: 400, error: 'OrangeSmsValidationError', field: 'text' });
    expect(ctx.emulator.requests).toHaveLength(0);
  });

  it('opted out → 422, number masked', async () => {
    await testApp.app.get<OrangeSmsStore>(ORANGE_SMS_STORE).setOptedOut('tel:+2250700000089', true);
    const response = await post({ to: '+2250700000089', text: 'promo' });
    expect(response.status).toBe(422);
    const text = await response.text();
    expect(text).toContain('OrangeSmsOptedOutError');
    expect(text).not.toContain('2250700000089');
  });

  it('rate limited → 429 with Retry-After', async () => {
    ctx.emulator.failNext({ match: 'send', status: 429, headers: { 'Retry-After': '7' } });
    const response = await post({ to: '+2250700000089', text: 'x' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('outcome unknown → 502 that says the SMS may have been sent, no Retry-After', async () => {
    await post({ to: '+2250700000089', text: 'warm the token' });
    ctx.emulator.failNext({ match: 'send', mode: 'hang' });
    const response = await post({ to: '+2250700000089', text: 'x' });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ outcomeUnknown: true });
    expect(response.headers.get('retry-after')).toBeNull();
  });

  it('Orange unavailable → 503 with Retry-After; bad credentials → 502 without secrets', async () => {
    ctx.emulator.failNext({ match: 'token', status: 503 });
    const unavailable = await post({ to: '+2250700000089', text: 'x' });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).not.toBeNull();

    ctx.emulator.failNext({
      match: 'token',
      status: 401,
      body: { error: 'invalid_client', error_description: `bad ${ctx.emulator.authorizationHeader}` },
    });
    const refused = await post({ to: '+2250700000089', text: 'x' });
    expect(refused.status).toBe(502);
    const text = await refused.text();
    expect(text).toContain('OrangeSmsAuthError');
    expect(text).not.toContain(ctx.emulator.credentials.clientSecret);
    expect(text).not.toContain(ctx.emulator.authorizationHeader);
  });

  it('a store failure → 503 with Retry-After, whose text does not claim a send (it can be a read)', async () => {
    const store = testApp.app.get<OrangeSmsStore>(ORANGE_SMS_STORE);
    const original = store.isOptedOut.bind(store);
    store.isOptedOut = () => Promise.reject(new OrangeSmsStoreError('Redis down', { operation: 'isOptedOut' }));
    try {
      const response = await post({ to: '+2250700000089', text: 'x' });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(await response.json()).toMatchObject({
        error: 'OrangeSmsStoreError',
        message: 'The SMS service is unavailable; try again later',
      });
      expect(ctx.emulator.requests.filter((r) => r.kind === 'send')).toHaveLength(0);
    } finally {
      store.isOptedOut = original;
    }
  });

  it('works registered globally as APP_FILTER (with the adapter host)', async () => {
    await testApp.close();
    testApp = await startTestApp(ctx.emulator, {
      controllers: [BareController],
      providers: [{ provide: APP_FILTER, useClass: OrangeSmsExceptionFilter }],
      options: { rateLimit: false },
      wireCallbacks: false,
    });
    ctx.app = testApp;
    const response = await post({ to: 'not a number', text: 'x' }, 'bare');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { field: string }).field).toBe('to');
  });
});
