import 'reflect-metadata';
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { OrangeSmsApiError, OrangeSmsAuthError, OrangeSmsService, OrangeSmsValidationError } from '../lib/index.js';
import { startTestApp, type TestApp, waitFor } from './support/test-app.js';
import { SendOutcomes } from './support/send-outcomes.js';

describe('OrangeSmsService.send', () => {
  let emulator: OrangeSmsEmulator;
  let testApp: TestApp;
  let sms: OrangeSmsService;
  let listener: SendOutcomes;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({
      autoDeliveryStatus: null,
      expiresInAs: 'string',
      countries: ['CIV', 'CMR'],
    });
    testApp = await startTestApp(emulator, { providers: [SendOutcomes], options: { senderName: 'ACME' } });
    sms = testApp.app.get(OrangeSmsService);
    listener = testApp.app.get(SendOutcomes);
  });
  beforeEach(async () => {
    // Let events of the previous test (emitted after their send settled) land before clearing.
    await new Promise((resolve) => setTimeout(resolve, 5));
    emulator.reset();
    listener.sent = [];
    listener.failed = [];
  });
  afterAll(async () => {
    await testApp.close();
    await emulator.stop();
  });

  it('makes exactly the request Orange documents: token, then the encoded-path send', async () => {
    const sent = await sms.send({ to: '+225 07 00 00 00 89', text: 'Your code is 4821', reference: 'otp-1' });

    const [token, send] = emulator.requests;
    expect(emulator.requests).toHaveLength(2);
    expect(token!.method).toBe('POST');
    expect(token!.path).toBe('/oauth/v3/token');
    expect(token!.headers.authorization).toBe(emulator.authorizationHeader);
    expect(token!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(token!.body).toBe('grant_type=client_credentials');

    expect(send!.method).toBe('POST');
    expect(send!.rawPath).toBe('/smsmessaging/v1/outbound/tel%3A%2B2250000/requests');
    expect(send!.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(send!.headers['content-type']).toMatch(/^application\/json/);
    expect(send!.headers.accept).toBe('application/json');
    expect(send!.json).toEqual({
      outboundSMSMessageRequest: {
        address: 'tel:+2250700000089',
        senderAddress: 'tel:+2250000',
        senderName: 'ACME',
        outboundSMSTextMessage: { message: 'Your code is 4821' },
      },
    });

    const received = emulator.messages[0]!;
    expect(sent).toEqual({
      id: received.id,
      to: 'tel:+2250700000089',
      senderAddress: 'tel:+2250000',
      senderName: 'ACME',
      text: 'Your code is 4821',
      segments: 1,
      encoding: 'GSM-7',
      status: 'submitted',
      submittedAt: expect.any(Date),
      resourceUrl: received.resourceUrl,
      reference: 'otp-1',
      account: 'default',
    });
    expect(sent.resourceUrl.endsWith(`/requests/${sent.id}`)).toBe(true);
  });

  it('reuses the token for later sends', async () => {
    await sms.send({ to: '+2250700000001', text: 'one' });
    await sms.send({ to: '+2250700000002', text: 'two' });
    expect(emulator.requests.filter((r) => r.kind === 'token')).toHaveLength(0);
    expect(emulator.messages).toHaveLength(2);
  });

  it('adds the on-net query parameter and per-message sender overrides', async () => {
    await sms.send({ to: '237690000001', text: 'on net', onNet: true, senderAddress: '+2370000', senderName: 'SHOP' });
    const send = emulator.requests.find((r) => r.kind === 'send')!;
    expect(send.rawPath).toBe(
      '/smsmessaging/v1/outbound/tel%3A%2B2370000/requests?resource_type_parameter_management=SMS_OCB2',
    );
    expect(emulator.messages[0]).toMatchObject({
      onNet: true,
      senderAddress: 'tel:+2370000',
      senderName: 'SHOP',
      address: 'tel:+237690000001',
    });
  });

  it('counts UCS-2 segments', async () => {
    const sent = await sms.send({ to: '+2250700000001', text: 'Bonjour ✓ '.repeat(10) });
    expect(sent).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('emits SmsSent after the send settled', async () => {
    const sent = await sms.send({ to: '+2250700000001', text: 'event' });
    const mine = () => listener.sent.filter((event) => event.message.id === sent.id);
    await waitFor(() => mine().length === 1, 2_000, 'SmsSent');
    expect(mine()[0]!.message).toEqual(sent);
    expect(listener.failed).toHaveLength(0);
  });

  describe("Orange's three error shapes", () => {
    it('SMS service shape (policyException): OrangeSmsApiError with %1 filled from variables', async () => {
      emulator.failNext({
        match: 'send',
        status: 403,
        body: {
          requestError: {
            policyException: {
              messageId: 'POL0001',
              text: 'A policy error occurred. Error code is %1',
              variables: ['Expired contract'],
            },
          },
        },
        headers: { 'X-OAPI-Request-Id': 'req-123' },
      });
      const error = await sms.send({ to: '+2250700000001', text: 'x', reference: 'r-9' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsApiError);
      expect(error).toMatchObject({
        status: 403,
        kind: 'policy',
        messageId: 'POL0001',
        text: 'A policy error occurred. Error code is Expired contract',
        variables: ['Expired contract'],
        requestId: 'req-123',
      });
      await waitFor(() => listener.failed.length === 1, 2_000, 'SmsFailed');
      expect(listener.failed[0]).toMatchObject({ to: 'tel:+2250700000001', reference: 'r-9', error });
    });

    it('SMS service shape (serviceException) from the emulator itself: unapproved sender name', async () => {
      emulator.failNext({
        match: 'send',
        status: 400,
        body: {
          requestError: {
            serviceException: {
              messageId: 'SVC0002',
              text: 'Invalid input value for message part %1',
              variables: ['address'],
            },
          },
        },
      });
      await expect(sms.send({ to: '+2250700000001', text: 'x' })).rejects.toMatchObject({
        name: 'OrangeSmsApiError',
        kind: 'service',
        messageId: 'SVC0002',
        text: 'Invalid input value for message part address',
      });
    });

    it('gateway shape: OrangeSmsApiError with the code, after the retries are used up', async () => {
      emulator.failNext({
        match: 'send',
        status: 503,
        count: 3,
        body: { code: 5, message: 'Service unavailable', description: 'Try later' },
      });
      await expect(sms.send({ to: '+2250700000001', text: 'x' })).rejects.toMatchObject({
        name: 'OrangeSmsApiError',
        kind: 'gateway',
        status: 503,
        code: 5,
        text: 'Service unavailable: Try later',
      });
      expect(emulator.requests.filter((r) => r.kind === 'send').map((r) => r.status)).toEqual([503, 503, 503]);
      expect(emulator.messages).toHaveLength(0);
    });

    it('OAuth shape on the token endpoint: OrangeSmsAuthError, and the failed token is not cached', async () => {
      const fresh = await startTestApp(emulator, { options: { clientSecret: 'wrong-secret' }, wireCallbacks: false });
      try {
        const error = await fresh.app
          .get(OrangeSmsService)
          .send({ to: '+2250700000001', text: 'x' })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OrangeSmsAuthError);
        expect(error).toMatchObject({ status: 401, code: 'invalid_client' });
        expect((error as Error).message).toContain('the ones provided were invalid');
        expect((error as Error).message).not.toContain('wrong-secret');
        await fresh.app
          .get(OrangeSmsService)
          .send({ to: '+2250700000001', text: 'x' })
          .catch(() => undefined);
        expect(emulator.tokenRequests()).toBe(2);
        expect(emulator.messages).toHaveLength(0);
      } finally {
        await fresh.close();
      }
    });
  });

  describe('validation before any HTTP call', () => {
    it.each([
      ['a too short number', { to: '12', text: 'x' }, 'to'],
      ['a number a digit short for Côte d’Ivoire', { to: '+225070000000', text: 'x' }, 'to'],
      ['a blank text', { to: '+2250700000001', text: '   ' }, 'text'],
      ['a text over maxSegments (11 GSM-7 parts)', { to: '+2250700000001', text: 'x'.repeat(1531) }, 'text'],
      ['a sender name of 12 characters', { to: '+2250700000001', text: 'x', senderName: 'TWELVE CHARS' }, 'senderName'],
      ['a sender name with an accent', { to: '+2250700000001', text: 'x', senderName: 'Café' }, 'senderName'],
      [
        'a sender address that is not tel:+',
        { to: '+2250700000001', text: 'x', senderAddress: 'ACME' },
        'senderAddress',
      ],
    ])('rejects %s on its field', async (_label, input, field) => {
      const error = await sms.send(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrangeSmsValidationError);
      expect((error as OrangeSmsValidationError).field).toBe(field);
      expect(emulator.requests).toHaveLength(0);
    });
  });
});
