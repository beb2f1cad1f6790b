/**
 * The Orange SMS emulator answers like Orange's API as documented in shared/orange-sms-api.md.
 * Everything goes over real HTTP on 127.0.0.1; callbacks land on a tiny receiver of the test's own.
 */
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { OrangeSmsEmulator, type OrangeSmsEmulatorOptions } from '../src/index.js';

const SENDER = 'tel:+2250000';
const ENCODED_SENDER = 'tel%3A%2B2250000';
const RECIPIENT = 'tel:+2250700000001';

// ---- helpers --------------------------------------------------------------------------------

const emulators: OrangeSmsEmulator[] = [];
const closers: (() => Promise<void>)[] = [];

async function start(options: OrangeSmsEmulatorOptions = {}): Promise<OrangeSmsEmulator> {
  const emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 20, ...options });
  emulators.push(emulator);
  return emulator;
}

afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
}

/** A callback receiver; `reply` decides what it answers. */
async function startReceiver(reply: { status: number; body: string } = { status: 200, body: '{"ok":true}' }) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        json: JSON.parse(body),
      });
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  closers.push(close);
  return { url, received, close };
}

function tokenRequest(
  emulator: OrangeSmsEmulator,
  init: { authorization?: string; body?: string; path?: string } = {},
) {
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
  };
  const authorization = 'authorization' in init ? init.authorization : emulator.authorizationHeader;
  if (authorization !== undefined) headers['Authorization'] = authorization;
  return fetch(`${emulator.url}${init.path ?? '/oauth/v3/token'}`, {
    method: 'POST',
    headers,
    body: init.body ?? 'grant_type=client_credentials',
  });
}

async function getToken(emulator: OrangeSmsEmulator, authorization?: string): Promise<string> {
  const response = await tokenRequest(emulator, authorization ? { authorization } : {});
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function sendBody(overrides: Record<string, unknown> = {}, text = 'Your code is 4821') {
  return {
    outboundSMSMessageRequest: {
      address: RECIPIENT,
      senderAddress: SENDER,
      outboundSMSTextMessage: { message: text },
      ...overrides,
    },
  };
}

function send(
  emulator: OrangeSmsEmulator,
  token: string,
  body: unknown = sendBody(),
  pathSender = ENCODED_SENDER,
  query = '',
) {
  return fetch(`${emulator.url}/smsmessaging/v1/outbound/${pathSender}/requests${query}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function get(emulator: OrangeSmsEmulator, path: string, token?: string) {
  return fetch(`${emulator.url}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

const svc = (messageId: string, text: string, variable: string) => ({
  requestError: { serviceException: { messageId, text, variables: [variable] } },
});
const pol = (reason: string) => ({
  requestError: {
    policyException: { messageId: 'POL0001', text: 'A policy error occurred. Error code is %1', variables: [reason] },
  },
});
const invalidInput = (part: string) => svc('SVC0002', 'Invalid input value for message part %1', part);

// ---- token ----------------------------------------------------------------------------------

describe('token endpoint', () => {
  it('issues a Bearer token with expires_in as the number 3600 like the recordings, the body starting with a newline', async () => {
    const emulator = await start();
    const response = await tokenRequest(emulator);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('x-oapi-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const text = await response.text();
    expect(text.startsWith('\n{')).toBe(true);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['token_type', 'access_token', 'expires_in']);
    expect(body['token_type']).toBe('Bearer');
    expect(body['expires_in']).toBe(3600);
    expect(body['access_token']).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(emulator.tokenRequests()).toBe(1);
    expect(emulator.issuedTokens()).toBe(1);
  });

  it('serialises expires_in as a number with the configured TTL, or as a string like the docs when asked', async () => {
    const emulator = await start({ tokenTtlSeconds: 120 });
    const body = JSON.parse(await (await tokenRequest(emulator)).text()) as Record<string, unknown>;
    expect(body['expires_in']).toBe(120);
    const documented = await start({ expiresInAs: 'string' });
    const docBody = JSON.parse(await (await tokenRequest(documented)).text()) as Record<string, unknown>;
    expect(docBody['expires_in']).toBe('3600');
  });

  it('accepts the legacy /oauth/v2/token path identically', async () => {
    const emulator = await start();
    const response = await tokenRequest(emulator, { path: '/oauth/v2/token' });
    expect(response.status).toBe(200);
    const body = JSON.parse(await response.text()) as Record<string, unknown>;
    expect(body['token_type']).toBe('Bearer');
  });

  it('issues distinct tokens, each usable', async () => {
    const emulator = await start();
    const a = await getToken(emulator);
    const b = await getToken(emulator);
    expect(a).not.toBe(b);
    expect((await get(emulator, '/sms/admin/v1/contracts', a)).status).toBe(200);
    expect((await get(emulator, '/sms/admin/v1/contracts', b)).status).toBe(200);
    expect(emulator.issuedTokens()).toBe(2);
  });

  it('answers 401 "Unable to decode Basic authorization." to a malformed Basic header', async () => {
    const emulator = await start();
    const response = await tokenRequest(emulator, { authorization: 'Basic %%%not-base64%%%' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="Authorization Required"');
    expect(await response.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Unable to decode Basic authorization.',
    });
    const noColon = await tokenRequest(emulator, {
      authorization: `Basic ${Buffer.from('no-colon').toString('base64')}`,
    });
    expect(noColon.status).toBe(401);
    expect(noColon.headers.get('www-authenticate')).toBe('Basic realm="Authorization Required"');
    expect(((await noColon.json()) as { error_description: string }).error_description).toBe(
      'Unable to decode Basic authorization.',
    );
  });

  it('answers 401 invalid_client with WWW-Authenticate to wrong or missing credentials', async () => {
    const emulator = await start();
    const expected = {
      error: 'invalid_client',
      error_description: 'The requested service needs credentials, but the ones provided were invalid.',
    };
    const wrong = await tokenRequest(emulator, {
      authorization: `Basic ${Buffer.from('emulator-client-id:wrong').toString('base64')}`,
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="Authorization Required"');
    expect(await wrong.json()).toEqual(expected);
    const missing = await tokenRequest(emulator, { authorization: undefined });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Basic realm="Authorization Required"');
    expect(await missing.json()).toEqual(expected);
    expect(emulator.tokenRequests()).toBe(2);
    expect(emulator.issuedTokens()).toBe(0);
  });

  it('answers 400 unsupported_grant_type to a missing or other grant_type', async () => {
    const emulator = await start();
    for (const body of ['', 'grant_type=password']) {
      const response = await tokenRequest(emulator, { body });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe('unsupported_grant_type');
    }
  });

  it('accepts every configured credential pair and exposes the first one', async () => {
    const emulator = await start({
      credentials: [
        { clientId: 'app-one', clientSecret: 'secret-one' },
        { clientId: 'app-two', clientSecret: 'secret-two' },
      ],
    });
    expect(emulator.credentials).toEqual({ clientId: 'app-one', clientSecret: 'secret-one' });
    expect(emulator.authorizationHeader).toBe(`Basic ${Buffer.from('app-one:secret-one').toString('base64')}`);
    await getToken(emulator, `Basic ${Buffer.from('app-two:secret-two').toString('base64')}`);
    const mixed = await tokenRequest(emulator, {
      authorization: `Basic ${Buffer.from('app-one:secret-two').toString('base64')}`,
    });
    expect(mixed.status).toBe(401);
  });
});

// ---- bearer ---------------------------------------------------------------------------------

describe('Bearer check', () => {
  it('answers 401 code 40 without a Bearer token', async () => {
    const emulator = await start();
    const expected = {
      code: 40,
      message: 'Missing credentials',
      description: 'The requested service needs credentials, but none were provided.',
    };
    const none = await get(emulator, '/sms/admin/v1/contracts');
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual(expected);
    const basic = await fetch(`${emulator.url}/sms/admin/v1/contracts`, {
      headers: { Authorization: emulator.authorizationHeader },
    });
    expect(basic.status).toBe(401);
    expect(await basic.json()).toEqual(expected);
  });

  it('answers 401 code 41 to an unknown token', async () => {
    const emulator = await start();
    const response = await send(emulator, 'not-a-token');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 41,
      message: 'Invalid credentials',
      description: 'The requested service needs credentials, but the ones provided were invalid.',
    });
    expect(emulator.messages).toHaveLength(0);
  });

  const expired = {
    code: 42,
    message: 'Expired credentials',
    description: 'The requested service needs credentials, and the ones provided were out-of-date',
  };

  it('answers 401 code 42 after expireTokens(), and a new token works', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    expect((await send(emulator, token)).status).toBe(201);
    emulator.expireTokens();
    const response = await send(emulator, token);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(expired);
    expect((await send(emulator, await getToken(emulator))).status).toBe(201);
  });

  it('answers 401 code 42 once tokenTtlSeconds has elapsed', async () => {
    const emulator = await start({ tokenTtlSeconds: 1 });
    const token = await getToken(emulator);
    expect((await get(emulator, '/sms/admin/v1/contracts', token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    const response = await get(emulator, '/sms/admin/v1/contracts', token);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(expired);
  });
});

// ---- send -----------------------------------------------------------------------------------

describe('send', () => {
  it('answers 201 echoing the request with a resourceURL whose last segment is the message id', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    const response = await send(emulator, token, sendBody({ senderName: 'ACME' }));
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await response.json()) as { outboundSMSMessageRequest: { resourceURL: string } };
    expect(emulator.messages).toHaveLength(1);
    const sms = emulator.messages[0]!;
    expect(sms.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(body).toEqual({
      outboundSMSMessageRequest: {
        address: [RECIPIENT],
        senderAddress: SENDER,
        senderName: 'ACME',
        outboundSMSTextMessage: { message: 'Your code is 4821' },
        resourceURL: `${emulator.url}/smsmessaging/v1/outbound/tel:+2250000/requests/${sms.id}`,
      },
    });
    expect(body.outboundSMSMessageRequest.resourceURL.split('/').pop()).toBe(sms.id);
    expect(sms).toMatchObject({
      address: RECIPIENT,
      senderAddress: SENDER,
      senderName: 'ACME',
      text: 'Your code is 4821',
      onNet: false,
      resourceUrl: body.outboundSMSMessageRequest.resourceURL,
      segments: 1,
      country: 'CIV',
    });
    expect(sms.receivedAt).toBeInstanceOf(Date);
  });

  it('omits senderName from the answer when none was sent', async () => {
    const emulator = await start();
    const response = await send(emulator, await getToken(emulator));
    const body = (await response.json()) as { outboundSMSMessageRequest: Record<string, unknown> };
    expect(Object.keys(body.outboundSMSMessageRequest)).toEqual([
      'address',
      'senderAddress',
      'outboundSMSTextMessage',
      'resourceURL',
    ]);
    expect('senderName' in emulator.messages[0]!).toBe(false);
  });

  it('accepts the literal tel:+ sender in the path as well as the encoded one', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    expect((await send(emulator, token, sendBody(), 'tel:+2250000')).status).toBe(201);
    expect((await send(emulator, token, sendBody(), ENCODED_SENDER)).status).toBe(201);
    expect(emulator.messages.map((m) => m.senderAddress)).toEqual([SENDER, SENDER]);
    expect(emulator.requests.filter((r) => r.kind === 'send').map((r) => r.path)).toEqual([
      '/smsmessaging/v1/outbound/tel:+2250000/requests',
      '/smsmessaging/v1/outbound/tel:+2250000/requests',
    ]);
  });

  it('marks a send with ?resource_type_parameter_management=SMS_OCB2 as on-net', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    await send(emulator, token, sendBody(), ENCODED_SENDER, '?resource_type_parameter_management=SMS_OCB2');
    await send(emulator, token);
    expect(emulator.messages.map((m) => m.onNet)).toEqual([true, false]);
  });

  it('accepts address as an array of one and refuses more than one with POL0003', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    expect((await send(emulator, token, sendBody({ address: [RECIPIENT] }))).status).toBe(201);
    const two = await send(emulator, token, sendBody({ address: [RECIPIENT, 'tel:+2250700000002'] }));
    expect(two.status).toBe(400);
    expect(await two.json()).toEqual({
      requestError: {
        policyException: {
          messageId: 'POL0003',
          text: 'Too many addresses specified in message part %1',
          variables: ['address'],
        },
      },
    });
  });

  describe('400 validation errors', () => {
    const cases: [string, unknown, string][] = [
      ['invalid JSON', '{"outboundSMSMessageRequest":', 'outboundSMSMessageRequest'],
      ['no envelope', { address: RECIPIENT }, 'outboundSMSMessageRequest'],
      ['no address', sendBody({ address: undefined }), 'address'],
      ['address not a string', sendBody({ address: 2250700000001 }), 'address'],
      ['no senderAddress', sendBody({ senderAddress: undefined }), 'senderAddress'],
      ['senderAddress not tel:+', sendBody({ senderAddress: '2250000' }), 'senderAddress'],
      ['no outboundSMSTextMessage', sendBody({ outboundSMSTextMessage: undefined }), 'outboundSMSTextMessage'],
      ['no message', sendBody({ outboundSMSTextMessage: {} }), 'outboundSMSTextMessage.message'],
      ['empty message', sendBody({ outboundSMSTextMessage: { message: '' } }), 'outboundSMSTextMessage.message'],
      ['senderName not a string', sendBody({ senderName: 42 }), 'senderName'],
    ];
    it.each(cases)('%s -> SVC0002 naming the field', async (_label, body, part) => {
      const emulator = await start();
      const response = await send(emulator, await getToken(emulator), body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(invalidInput(part));
      expect(emulator.messages).toHaveLength(0);
    });

    it('path sender different from body senderAddress -> SVC0002 senderAddress', async () => {
      const emulator = await start();
      const response = await send(emulator, await getToken(emulator), sendBody(), 'tel%3A%2B2370000');
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(invalidInput('senderAddress'));
    });

    it('recipient not tel:+<digits> -> SVC0004', async () => {
      const emulator = await start();
      const token = await getToken(emulator);
      for (const address of ['2250700000001', 'tel:+225 07 00', 'tel:0700000001']) {
        const response = await send(emulator, token, sendBody({ address }));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual(
          svc('SVC0004', 'No valid addresses provided in message part %1', 'address'),
        );
      }
      expect(emulator.messages).toHaveLength(0);
    });
  });

  describe('senderName policy', () => {
    it.each([['TwelveChars1'], ['ACME-SHOP'], ['Café']])(
      'refuses %j with 400 POL0001 "Sender name not allowed"',
      async (senderName) => {
        const emulator = await start();
        const response = await send(emulator, await getToken(emulator), sendBody({ senderName }));
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual(pol('Sender name not allowed'));
      },
    );

    it('accepts 11 alphanumeric/space characters', async () => {
      const emulator = await start();
      expect((await send(emulator, await getToken(emulator), sendBody({ senderName: 'ACME Shop 1' }))).status).toBe(
        201,
      );
    });

    it('refuses a well-formed name outside approvedSenderNames', async () => {
      const emulator = await start({ approvedSenderNames: ['ACME'] });
      const token = await getToken(emulator);
      expect((await send(emulator, token, sendBody({ senderName: 'ACME' }))).status).toBe(201);
      const other = await send(emulator, token, sendBody({ senderName: 'OTHER' }));
      expect(other.status).toBe(400);
      expect(await other.json()).toEqual(pol('Sender name not allowed'));
    });
  });

  describe('contract units', () => {
    it('charges one unit per segment and refuses with 403 POL0001 when units run short', async () => {
      const emulator = await start({ initialUnits: 4 });
      const token = await getToken(emulator);
      const units = async () =>
        ((await (await get(emulator, '/sms/admin/v1/contracts', token)).json()) as { availableUnits: number }[])[0]!
          .availableUnits;

      expect((await send(emulator, token, sendBody({}, 'a'.repeat(161)))).status).toBe(201); // GSM-7: 2 segments
      expect(await units()).toBe(2);
      expect((await send(emulator, token, sendBody({}, 'ş'.repeat(71)))).status).toBe(201); // UCS-2: 2 segments
      expect(await units()).toBe(0);
      expect(emulator.messages.map((m) => m.segments)).toEqual([2, 2]);

      const expiredContract = await send(emulator, token);
      expect(expiredContract.status).toBe(403);
      expect(await expiredContract.json()).toEqual(pol('Expired contract'));
      expect(emulator.messages).toHaveLength(2);
    });

    it('answers "Insufficient balance" when some units are left but fewer than the segments', async () => {
      const emulator = await start({ initialUnits: 1 });
      const token = await getToken(emulator);
      const response = await send(emulator, token, sendBody({}, 'a'.repeat(200)));
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual(pol('Insufficient balance'));
      expect((await send(emulator, token)).status).toBe(201);
    });

    it('refuses a known country without contract, and charges unknown prefixes to the first contract', async () => {
      const emulator = await start({ countries: ['SEN', 'CIV'], initialUnits: 10 });
      const token = await getToken(emulator);
      const cameroon = await send(emulator, token, sendBody({ address: 'tel:+237690000000' }));
      expect(cameroon.status).toBe(403);
      expect(await cameroon.json()).toEqual(pol('No contract for country'));
      expect((await send(emulator, token, sendBody({ address: 'tel:+33612345678' }))).status).toBe(201);
      expect((await send(emulator, token, sendBody({ address: 'tel:+2250700000001' }))).status).toBe(201);
      expect(emulator.messages.map((m) => m.country)).toEqual(['SEN', 'CIV']);
      const contracts = (await (await get(emulator, '/sms/admin/v1/contracts', token)).json()) as {
        country: string;
        availableUnits: number;
      }[];
      expect(contracts.map((c) => [c.country, c.availableUnits])).toEqual([
        ['SEN', 9],
        ['CIV', 9],
      ]);
    });
  });

  it('rate limit: of 8 concurrent sends with rateLimitPerSecond 5, exactly 5 get 201 and 3 get 429', async () => {
    const emulator = await start({ rateLimitPerSecond: 5 });
    const token = await getToken(emulator);
    const responses = await Promise.all(Array.from({ length: 8 }, () => send(emulator, token)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
    const limited = responses.find((r) => r.status === 429)!;
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toEqual({
      code: 53,
      message: 'Too many requests',
      description: 'The application has made too many calls and has exceeded the rate limit for this service.',
    });
    expect(emulator.messages).toHaveLength(5);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await send(emulator, token)).status).toBe(201);
  });
});

// ---- callbacks ------------------------------------------------------------------------------

describe('delivery receipts and inbound SMS', () => {
  it('POSTs the automatic receipt after deliveryDelayMs with callbackData = message id', async () => {
    const receiver = await startReceiver();
    const emulator = await start({
      deliveryReceiptUrl: `${receiver.url}/orange-sms/webhooks/delivery-receipts?token=s3cret`,
      deliveryDelayMs: 100,
    });
    await send(emulator, await getToken(emulator));
    expect(receiver.received).toHaveLength(0);
    await emulator.whenIdle();
    expect(receiver.received).toHaveLength(1);
    const sms = emulator.messages[0]!;
    const dr = receiver.received[0]!;
    expect(dr.method).toBe('POST');
    expect(dr.url).toBe('/orange-sms/webhooks/delivery-receipts?token=s3cret');
    expect(dr.headers['content-type']).toBe('application/json');
    expect(dr.json).toEqual({
      deliveryInfoNotification: {
        deliveryInfo: { address: RECIPIENT, deliveryStatus: 'DeliveredToTerminal' },
        callbackData: sms.id,
      },
    });
    expect(sms.deliveryStatus).toBe('DeliveredToTerminal');
    expect(emulator.callbacks[0]!.at.getTime() - sms.receivedAt.getTime()).toBeGreaterThanOrEqual(95);
  });

  it('uses autoDeliveryStatus, and sends nothing when it is null', async () => {
    const receiver = await startReceiver();
    const failing = await start({ deliveryReceiptUrl: receiver.url, autoDeliveryStatus: 'DeliveryImpossible' });
    await send(failing, await getToken(failing));
    await failing.whenIdle();
    expect(
      (receiver.received[0]!.json as { deliveryInfoNotification: { deliveryInfo: { deliveryStatus: string } } })
        .deliveryInfoNotification.deliveryInfo.deliveryStatus,
    ).toBe('DeliveryImpossible');

    const silent = await start({ deliveryReceiptUrl: receiver.url, autoDeliveryStatus: null });
    await send(silent, await getToken(silent));
    await silent.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(receiver.received).toHaveLength(1);
    expect(silent.messages[0]!.deliveryStatus).toBeUndefined();
  });

  it('deliver() POSTs the exact deliveryInfoNotification and returns the receiver answer', async () => {
    const receiver = await startReceiver({ status: 200, body: '{"accepted":true}' });
    const emulator = await start({ autoDeliveryStatus: null });
    await send(emulator, await getToken(emulator));
    const id = emulator.messages[0]!.id;
    emulator.deliveryReceiptUrl = `${receiver.url}/dr?token=abc`;
    const result = await emulator.deliver(id, 'DeliveredToNetwork', { headers: { 'X-Test': 'yes' } });
    expect(result).toEqual({ status: 200, body: '{"accepted":true}' });
    const dr = receiver.received[0]!;
    expect(dr.url).toBe('/dr?token=abc');
    expect(dr.headers['x-test']).toBe('yes');
    expect(dr.body).toBe(
      `{"deliveryInfoNotification":{"deliveryInfo":{"address":"${RECIPIENT}","deliveryStatus":"DeliveredToNetwork"},"callbackData":"${id}"}}`,
    );
    expect(emulator.messages[0]!.deliveryStatus).toBe('DeliveredToNetwork');
    expect(emulator.callbacks).toEqual([
      expect.objectContaining({
        kind: 'delivery-receipt',
        url: `${receiver.url}/dr?token=abc`,
        status: 200,
        body: dr.json,
      }),
    ]);
  });

  it('deliver() defaults to DeliveredToTerminal, rejects an unknown id or a missing URL, allows callbackData for an unknown id', async () => {
    const receiver = await startReceiver();
    const emulator = await start({ autoDeliveryStatus: null });
    await send(emulator, await getToken(emulator));
    await expect(emulator.deliver(emulator.messages[0]!.id)).rejects.toThrow(/no deliveryReceiptUrl/);
    await emulator.deliver(emulator.messages[0]!.id, undefined, { url: receiver.url });
    expect(
      (receiver.received[0]!.json as { deliveryInfoNotification: { deliveryInfo: { deliveryStatus: string } } })
        .deliveryInfoNotification.deliveryInfo.deliveryStatus,
    ).toBe('DeliveredToTerminal');
    await expect(emulator.deliver('nope', 'DeliveredToTerminal', { url: receiver.url })).rejects.toThrow(
      /unknown message id 'nope'/,
    );
    await emulator.deliver('nope', 'DeliveryUncertain', {
      url: receiver.url,
      callbackData: 'custom',
      address: 'tel:+2370000000',
    });
    expect(receiver.received[1]!.json).toEqual({
      deliveryInfoNotification: {
        deliveryInfo: { address: 'tel:+2370000000', deliveryStatus: 'DeliveryUncertain' },
        callbackData: 'custom',
      },
    });
  });

  it('deliver() lets DeliveredToTerminal follow DeliveryImpossible; a late receipt is posted but never moves a delivered message', async () => {
    const receiver = await startReceiver();
    const emulator = await start({ autoDeliveryStatus: null });
    await send(emulator, await getToken(emulator));
    const id = emulator.messages[0]!.id;
    await emulator.deliver(id, 'DeliveryImpossible', { url: receiver.url });
    await emulator.deliver(id, 'DeliveredToTerminal', { url: receiver.url });
    expect(emulator.messages[0]!.deliveryStatus).toBe('DeliveredToTerminal');
    // A late receipt reaches the app (the network reorders them), the message stays delivered.
    await emulator.deliver(id, 'DeliveryImpossible', { url: receiver.url });
    expect(emulator.messages[0]!.deliveryStatus).toBe('DeliveredToTerminal');
    expect(
      receiver.received.map(
        (r) =>
          (r.json as { deliveryInfoNotification: { deliveryInfo: { deliveryStatus: string } } })
            .deliveryInfoNotification.deliveryInfo.deliveryStatus,
      ),
    ).toEqual(['DeliveryImpossible', 'DeliveredToTerminal', 'DeliveryImpossible']);
  });

  it('receive() POSTs the exact inboundSMSMessageNotification', async () => {
    const receiver = await startReceiver();
    const emulator = await start({ inboundUrl: `${receiver.url}/inbound?token=t` });
    const result = await emulator.receive({
      from: '+26771234567',
      to: 'tel:+26716968',
      text: 'STOP',
      messageId: 'mo-1',
      dateTime: new Date('2014-04-15T07:40:13.123Z'),
    });
    expect(result.status).toBe(200);
    const mo = receiver.received[0]!;
    expect(mo.url).toBe('/inbound?token=t');
    expect(mo.headers['content-type']).toBe('application/json');
    expect(mo.body).toBe(
      '{"inboundSMSMessageNotification":{"inboundSMSMessage":{"senderAddress":"tel:+26771234567","destinationAddress":"+26716968","message":"STOP","dateTime":"2014-04-15T07:40:13Z","messageId":"mo-1"}}}',
    );
    await emulator.receive({ from: '2250700000001', to: '+2250000', text: 'bal' });
    const second = (
      receiver.received[1]!.json as { inboundSMSMessageNotification: { inboundSMSMessage: Record<string, unknown> } }
    ).inboundSMSMessageNotification.inboundSMSMessage;
    expect(second['senderAddress']).toBe('tel:+2250700000001');
    expect('messageId' in second).toBe(false);
    expect(second['dateTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await expect(
      emulator.receive({ from: '+1', to: '+2', text: 'x' }, { url: undefined }).then(() => 'ok'),
    ).resolves.toBe('ok');
    emulator.inboundUrl = undefined;
    await expect(emulator.receive({ from: '+1', to: '+2', text: 'x' })).rejects.toThrow(/no inboundUrl/);
  });

  it('records failed callbacks (non-2xx, connection refused) without throwing and keeps serving', async () => {
    const receiver = await startReceiver({ status: 500, body: 'boom' });
    const refused = await startReceiver();
    await refused.close();
    const emulator = await start({ deliveryReceiptUrl: refused.url });
    const token = await getToken(emulator);
    await send(emulator, token);
    await emulator.whenIdle();
    expect(emulator.callbacks).toEqual([
      expect.objectContaining({ kind: 'delivery-receipt', url: refused.url, status: 'error' }),
    ]);
    expect(emulator.callbacks[0]!.error).toMatch(/ECONNREFUSED|fetch failed/);

    expect(await emulator.deliver(emulator.messages[0]!.id, 'DeliveredToTerminal', { url: refused.url })).toEqual({
      status: 0,
      body: '',
    });
    expect(await emulator.deliver(emulator.messages[0]!.id, 'DeliveredToTerminal', { url: receiver.url })).toEqual({
      status: 500,
      body: 'boom',
    });
    expect(await emulator.receive({ from: '+225', to: '+1', text: 'x' }, { url: receiver.url })).toEqual({
      status: 500,
      body: 'boom',
    });
    expect(emulator.callbacks.map((c) => [c.kind, c.status])).toEqual([
      ['delivery-receipt', 'error'],
      ['delivery-receipt', 'error'],
      ['delivery-receipt', 500],
      ['inbound', 500],
    ]);
    expect((await send(emulator, token)).status).toBe(201);
  });
});

// ---- DR subscriptions -----------------------------------------------------------------------

describe('delivery receipt subscriptions', () => {
  const subscriptionBody = (notifyURL: string, callbackData?: string) => ({
    deliveryReceiptSubscription: { callbackReference: { notifyURL, ...(callbackData ? { callbackData } : {}) } },
  });

  it('create 201, get 200, delete 204, then 404; the notify URL receives DRs keyed by message id', async () => {
    const receiver = await startReceiver();
    const emulator = await start();
    const token = await getToken(emulator);
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const notifyURL = `${receiver.url}/dr?token=x`;

    const created = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/subscriptions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(subscriptionBody(notifyURL, 'my-data')),
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { deliveryReceiptSubscription: { resourceURL: string } };
    const id = body.deliveryReceiptSubscription.resourceURL.split('/').pop()!;
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(body).toEqual({
      deliveryReceiptSubscription: {
        callbackReference: { notifyURL, callbackData: 'my-data' },
        resourceURL: `${emulator.url}/smsmessaging/v1/outbound/tel:+2250000/subscriptions/${id}`,
      },
    });
    expect(emulator.deliveryReceiptUrl).toBe(notifyURL);

    const read = await get(emulator, `/smsmessaging/v1/outbound/subscriptions/${id}`, token);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(body);

    await send(emulator, token);
    await emulator.whenIdle();
    expect(receiver.received[0]!.url).toBe('/dr?token=x');
    expect(
      (receiver.received[0]!.json as { deliveryInfoNotification: { callbackData: string } }).deliveryInfoNotification
        .callbackData,
    ).toBe(emulator.messages[0]!.id);

    const deleted = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/subscriptions/${id}`, {
      method: 'DELETE',
      headers,
    });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(emulator.deliveryReceiptUrl).toBeUndefined();

    const unknown = invalidInput('subscriptionId');
    const gone = await get(emulator, `/smsmessaging/v1/outbound/subscriptions/${id}`, token);
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual(unknown);
    const again = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/subscriptions/${id}`, {
      method: 'DELETE',
      headers,
    });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual(unknown);
  });

  it('a subscription sits beside the start URL: cancelling it sends receipts to the start URL again', async () => {
    const receiver = await startReceiver();
    const startUrl = `${receiver.url}/start?token=s`;
    const emulator = await start({ deliveryReceiptUrl: startUrl });
    const token = await getToken(emulator);
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const created = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/subscriptions`, {
      method: 'POST',
      headers,
      body: JSON.stringify(subscriptionBody(`${receiver.url}/sub`)),
    });
    const id = (
      (await created.json()) as { deliveryReceiptSubscription: { resourceURL: string } }
    ).deliveryReceiptSubscription.resourceURL
      .split('/')
      .pop()!;
    expect(emulator.deliveryReceiptUrl).toBe(`${receiver.url}/sub`);
    const deleted = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/subscriptions/${id}`, {
      method: 'DELETE',
      headers,
    });
    expect(deleted.status).toBe(204);
    expect(emulator.deliveryReceiptUrl).toBe(startUrl);

    await send(emulator, token);
    await emulator.whenIdle();
    expect(receiver.received.map((r) => r.url)).toEqual(['/start?token=s']);
  });

  it('refuses a bad body with 400 SVC0002 and needs a Bearer token', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    const post = (body: unknown, auth = true) =>
      fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/subscriptions`, {
        method: 'POST',
        headers: { ...(auth ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    const noUrl = await post({ deliveryReceiptSubscription: { callbackReference: {} } });
    expect(noUrl.status).toBe(400);
    expect(await noUrl.json()).toEqual(invalidInput('callbackReference.notifyURL'));
    const notUrl = await post(subscriptionBody('not a url'));
    expect(await notUrl.json()).toEqual(invalidInput('callbackReference.notifyURL'));
    const noEnvelope = await post({});
    expect(await noEnvelope.json()).toEqual(invalidInput('deliveryReceiptSubscription'));
    const anonymous = await post(subscriptionBody('https://example.com/dr'), false);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { code: number }).code).toBe(40);
    expect(emulator.deliveryReceiptUrl).toBeUndefined();
  });
});

// ---- admin ----------------------------------------------------------------------------------

type CurrentContract = { id: string; country: string; availableUnits: number; requestedUnits: number; status: string };
type LegacyContracts = {
  partnerContracts: {
    partnerId: string;
    contracts: {
      service: string;
      serviceContracts: { country: string; contractId: string; availableUnits: number; expires: string }[];
    }[];
  };
};
type CurrentStats = {
  partnerStatistics: {
    developerId: string;
    statistics: {
      service: string;
      serviceStatistics: {
        country: string;
        countryStatistics: { appid: string; usage: number; nbEnforcements: number }[];
      }[];
    }[];
  };
};
type LegacyStats = {
  partnerStatistics: {
    partnerId: string;
    statistics: {
      service: string;
      serviceStatistics: { country: string; countryStatistics: { applicationId: string; usage: number }[] }[];
    }[];
  };
};
type CurrentOrder = {
  id: string;
  contractId: string;
  country: string;
  price: number;
  currency: string;
  bundleDescription: string;
  newAvailableUnits: number;
};
type LegacyOrders = {
  purchaseOrders: {
    purchaseOrderId: string;
    bundleDescription: string;
    orderExecutioninformation: { amount: number; currency: string; country: string; contractId: string };
  }[];
};

describe('admin endpoints', () => {
  async function twoAppsEmulator() {
    const emulator = await start({
      countries: ['CIV', 'CMR'],
      initialUnits: 100,
      credentials: [
        { clientId: 'one', clientSecret: 'secret-one', appId: 'app-one' },
        { clientId: 'two', clientSecret: 'secret-two', appId: 'app-two' },
      ],
    });
    const one = await getToken(emulator);
    const two = await getToken(emulator, `Basic ${Buffer.from('two:secret-two').toString('base64')}`);
    await send(emulator, one); // CIV, 1 unit
    await send(emulator, one, sendBody({}, 'a'.repeat(300))); // CIV, 2 units
    await send(
      emulator,
      two,
      sendBody({ address: 'tel:+237690000000', senderAddress: 'tel:+2370000' }),
      'tel%3A%2B2370000',
    ); // CMR, 1
    await send(emulator, two); // CIV, 1 unit
    await send(emulator, one, sendBody({ address: 'bad' })); // refused: not counted
    return { emulator, token: one };
  }

  const json = async <T>(emulator: OrangeSmsEmulator, path: string, token: string): Promise<T> => {
    const response = await get(emulator, path, token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    return (await response.json()) as T;
  };

  it('current format: contracts, statistics and purchase orders match the sends', async () => {
    const { emulator, token } = await twoAppsEmulator();
    const contracts = await json<Record<string, unknown>[]>(emulator, '/sms/admin/v1/contracts', token);
    expect(contracts).toHaveLength(2);
    expect(contracts[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'SELFSERVICE',
      developerId: expect.any(String),
      applicationId: null,
      country: 'CIV',
      offerName: 'SMS_OCB',
      availableUnits: 96,
      requestedUnits: 100,
      status: 'ACTIVE',
      expirationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT23:59:59\.000Z$/),
      creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      lastUpdateDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(contracts[1]).toMatchObject({ country: 'CMR', availableUnits: 99 });

    const stats = await json<CurrentStats>(emulator, '/sms/admin/v1/statistics', token);
    expect(stats).toEqual({
      partnerStatistics: {
        developerId: contracts[0]!['developerId'],
        statistics: [
          {
            service: 'SMS_OCB',
            serviceStatistics: [
              {
                country: 'CIV',
                countryStatistics: [
                  { appid: 'app-one', usage: 3, nbEnforcements: 2 },
                  { appid: 'app-two', usage: 1, nbEnforcements: 1 },
                ],
              },
              { country: 'CMR', countryStatistics: [{ appid: 'app-two', usage: 1, nbEnforcements: 1 }] },
            ],
          },
        ],
      },
    });

    const orders = await json<Record<string, unknown>[]>(emulator, '/sms/admin/v1/purchaseorders', token);
    expect(orders).toHaveLength(2);
    expect(orders[0]).toEqual({
      id: expect.any(String),
      developerId: contracts[0]!['developerId'],
      contractId: contracts[0]!['id'],
      country: 'CIV',
      offerName: 'SMS_OCB',
      bundleId: expect.any(String),
      bundleDescription: 'Bundle 1 - 100 SMS for 725 FCFA (for 30 days)',
      price: 725,
      currency: 'XOF',
      purchaseDate: contracts[0]!['creationDate'],
      paymentMode: 'OrangeMoney',
      paymentProviderOrderId: null,
      payerId: '2250700000000',
      type: 'BUNDLE_PURCHASE',
      oldAvailableUnits: 0,
      newAvailableUnits: 100,
      oldExpirationDate: null,
      newExpirationDate: contracts[0]!['expirationDate'],
      externalId: null,
      comment: null,
    });
    expect(orders[1]).toMatchObject({ country: 'CMR', currency: 'XAF', contractId: contracts[1]!['id'] });
  });

  it('legacy format: partnerContracts, partnerStatistics.partnerId and purchaseOrders with zoneless dates', async () => {
    const { emulator, token } = await twoAppsEmulator();
    emulator.setAdminFormat('legacy');
    const contracts = await json<LegacyContracts>(emulator, '/sms/admin/v1/contracts', token);
    expect(contracts).toEqual({
      partnerContracts: {
        partnerId: expect.stringContaining('@'),
        contracts: [
          {
            service: 'SMS_OCB',
            contractDescription: expect.any(String),
            serviceContracts: [
              {
                country: 'CIV',
                service: 'SMS_OCB',
                contractId: expect.any(String),
                availableUnits: 96,
                expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT23:59:59$/),
                scDescription: expect.stringMatching(
                  /^Côte d'Ivoire - 96 units to consume before [A-Z][a-z]+ \d{1,2}, \d{4} 11:59 PM$/,
                ),
              },
              expect.objectContaining({ country: 'CMR', availableUnits: 99 }),
            ],
          },
        ],
      },
    });

    const stats = await json<LegacyStats>(emulator, '/sms/admin/v1/statistics', token);
    expect(stats).toEqual({
      partnerStatistics: {
        partnerId: contracts.partnerContracts.partnerId,
        statistics: [
          {
            service: 'SMS_OCB',
            serviceStatistics: [
              {
                country: 'CIV',
                countryStatistics: [
                  { applicationId: 'app-one', usage: 3 },
                  { applicationId: 'app-two', usage: 1 },
                ],
              },
              { country: 'CMR', countryStatistics: [{ applicationId: 'app-two', usage: 1 }] },
            ],
          },
        ],
      },
    });

    const orders = await json<LegacyOrders>(emulator, '/sms/admin/v1/purchaseorders', token);
    expect(orders.purchaseOrders[0]).toEqual({
      purchaseOrderId: expect.any(String),
      mode: 'OCB',
      bundleId: expect.any(String),
      bundleDescription: 'Bundle 1 - 100 SMS for 725 FCFA (for 30 days)',
      partnerId: contracts.partnerContracts.partnerId,
      inputs: [
        { type: 'MSISDN', value: '2250700000000' },
        { type: 'bundleId', value: expect.any(String) },
      ],
      orderExecutioninformation: {
        date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        amount: 725,
        currency: 'XOF',
        service: 'SMS_OCB',
        country: 'CIV',
        contractId: contracts.partnerContracts.contracts[0]!.serviceContracts[0]!.contractId,
      },
    });
  });

  it('both formats normalise to the same numbers for the same state', async () => {
    const { emulator, token } = await twoAppsEmulator();
    const read = async () => ({
      contracts: await json<unknown>(emulator, '/sms/admin/v1/contracts', token),
      stats: await json<unknown>(emulator, '/sms/admin/v1/statistics', token),
      orders: await json<unknown>(emulator, '/sms/admin/v1/purchaseorders', token),
    });
    const current = await read();
    emulator.setAdminFormat('legacy');
    const legacy = await read();

    const balances = {
      current: (current.contracts as CurrentContract[]).map((c) => [c.id, c.country, c.availableUnits]),
      legacy: (legacy.contracts as LegacyContracts).partnerContracts.contracts.flatMap((k) =>
        k.serviceContracts.map((c) => [c.contractId, c.country, c.availableUnits]),
      ),
    };
    expect(balances.legacy).toEqual(balances.current);

    const usage = {
      current: (current.stats as CurrentStats).partnerStatistics.statistics.flatMap((s) =>
        s.serviceStatistics.flatMap((c) => c.countryStatistics.map((x) => [c.country, x.appid, x.usage])),
      ),
      legacy: (legacy.stats as LegacyStats).partnerStatistics.statistics.flatMap((s) =>
        s.serviceStatistics.flatMap((c) => c.countryStatistics.map((x) => [c.country, x.applicationId, x.usage])),
      ),
    };
    expect(usage.legacy).toEqual(usage.current);

    const orders = {
      current: (current.orders as CurrentOrder[]).map((o) => [
        o.id,
        o.contractId,
        o.country,
        o.price,
        o.currency,
        o.bundleDescription,
      ]),
      legacy: (legacy.orders as LegacyOrders).purchaseOrders.map((o) => [
        o.purchaseOrderId,
        o.orderExecutioninformation.contractId,
        o.orderExecutioninformation.country,
        o.orderExecutioninformation.amount,
        o.orderExecutioninformation.currency,
        o.bundleDescription,
      ]),
    };
    expect(orders.legacy).toEqual(orders.current);

    const legacyExpiry = (legacy.contracts as LegacyContracts).partnerContracts.contracts[0]!.serviceContracts[0]!
      .expires;
    const currentExpiry = (current.contracts as (CurrentContract & { expirationDate: string })[])[0]!.expirationDate;
    expect(new Date(`${legacyExpiry}Z`).toISOString()).toBe(currentExpiry);
  });

  it('filters by country (alpha-3) and statistics by appid, in both formats', async () => {
    const { emulator, token } = await twoAppsEmulator();
    const contracts = await json<CurrentContract[]>(emulator, '/sms/admin/v1/contracts?country=CMR', token);
    expect(contracts.map((c) => [c.country, c.availableUnits])).toEqual([['CMR', 99]]);
    const orders = await json<CurrentOrder[]>(emulator, '/sms/admin/v1/purchaseorders?country=cmr', token);
    expect(orders.map((o) => o.country)).toEqual(['CMR']);
    expect(await json<unknown[]>(emulator, '/sms/admin/v1/contracts?country=SEN', token)).toEqual([]);

    const stats = await json<CurrentStats>(emulator, '/sms/admin/v1/statistics?country=CIV&appid=app-two', token);
    expect(stats.partnerStatistics.statistics[0]!.serviceStatistics).toEqual([
      { country: 'CIV', countryStatistics: [{ appid: 'app-two', usage: 1, nbEnforcements: 1 }] },
    ]);

    emulator.setAdminFormat('legacy');
    const legacyStats = await json<LegacyStats>(emulator, '/sms/admin/v1/statistics?appid=app-one', token);
    expect(legacyStats.partnerStatistics.statistics[0]!.serviceStatistics).toEqual([
      { country: 'CIV', countryStatistics: [{ applicationId: 'app-one', usage: 3 }] },
    ]);
    const legacyContracts = await json<LegacyContracts>(emulator, '/sms/admin/v1/contracts?country=CMR', token);
    expect(legacyContracts.partnerContracts.contracts[0]!.serviceContracts.map((c) => c.country)).toEqual(['CMR']);
    const legacyOrders = await json<LegacyOrders>(emulator, '/sms/admin/v1/purchaseorders?country=CIV', token);
    expect(legacyOrders.purchaseOrders.map((o) => o.orderExecutioninformation.country)).toEqual(['CIV']);
  });

  it('adminFormat option selects the legacy format from the start; default appId is derived from clientId', async () => {
    const emulator = await start({ adminFormat: 'legacy' });
    const token = await getToken(emulator);
    await send(emulator, token);
    const stats = await json<LegacyStats>(emulator, '/sms/admin/v1/statistics', token);
    expect(stats.partnerStatistics.statistics[0]!.serviceStatistics[0]!.countryStatistics).toEqual([
      { applicationId: emulator.appId, usage: 1 },
    ]);
    expect(emulator.appId).toMatch(/^[0-9a-f]{24}$/);
  });
});

// ---- faults ---------------------------------------------------------------------------------

describe('failNext', () => {
  it('respond mode: default 503 with the gateway body, recorded, then back to normal', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    emulator.failNext({});
    const failed = await send(emulator, token);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('x-oapi-request-id')).toBeTruthy();
    expect(await failed.json()).toEqual({
      code: 5,
      message: 'The service is temporarily unavailable',
      description: 'The service is temporarily unavailable, please try again later.',
    });
    expect(emulator.messages).toHaveLength(0);
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'send', status: 503 });
    expect((await send(emulator, token)).status).toBe(201);
  });

  it('respond mode: custom status, body (object or string), headers and count', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    emulator.failNext({
      status: 500,
      body: { requestError: { serviceException: { messageId: 'SVC0001' } } },
      headers: { 'X-Custom': '1' },
      count: 2,
    });
    for (let i = 0; i < 2; i++) {
      const response = await send(emulator, token);
      expect(response.status).toBe(500);
      expect(response.headers.get('x-custom')).toBe('1');
      expect(await response.json()).toEqual({ requestError: { serviceException: { messageId: 'SVC0001' } } });
    }
    emulator.failNext({ status: 502, body: '<html>Bad Gateway</html>', headers: { 'Content-Type': 'text/html' } });
    const html = await send(emulator, token);
    expect(html.status).toBe(502);
    expect(html.headers.get('content-type')).toBe('text/html');
    expect(await html.text()).toBe('<html>Bad Gateway</html>');
    expect((await send(emulator, token)).status).toBe(201);
  });

  it('match: a send fault skips the token request; the earliest matching fault applies first', async () => {
    const emulator = await start();
    emulator.failNext({ match: 'send', status: 500 });
    emulator.failNext({ match: 'token', status: 401, body: { error: 'invalid_client', error_description: 'x' } });
    emulator.failNext({ match: 'send', status: 429 });
    expect((await tokenRequest(emulator)).status).toBe(401);
    const token = await getToken(emulator);
    expect((await send(emulator, token)).status).toBe(500);
    const limited = await send(emulator, token);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(((await limited.json()) as { code: number }).code).toBe(53);
    expect((await send(emulator, token)).status).toBe(201);
    expect(emulator.requests.map((r) => [r.kind, r.status])).toEqual([
      ['token', 401],
      ['token', 200],
      ['send', 500],
      ['send', 429],
      ['send', 201],
    ]);
  });

  it("default match 'any' also hits token requests", async () => {
    const emulator = await start();
    emulator.failNext({ status: 503 });
    expect((await tokenRequest(emulator)).status).toBe(503);
    expect(emulator.tokenRequests()).toBe(1);
    expect(emulator.issuedTokens()).toBe(0);
  });

  it('reset mode: the send is processed once, the client gets a socket error', async () => {
    const receiver = await startReceiver();
    const emulator = await start({ deliveryReceiptUrl: receiver.url });
    const token = await getToken(emulator);
    emulator.failNext({ match: 'send', mode: 'reset' });
    await expect(send(emulator, token)).rejects.toThrow(/fetch failed/);
    expect(emulator.messages).toHaveLength(1);
    expect(emulator.requests.filter((r) => r.kind === 'send')).toEqual([expect.objectContaining({ status: 0 })]);
    await emulator.whenIdle();
    expect(receiver.received).toHaveLength(1);
    expect((await send(emulator, token)).status).toBe(201);
    expect(emulator.messages).toHaveLength(2);
  });

  it("hang mode: the request is recorded and never answered, the client's timeout fires", async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    emulator.failNext({ match: 'send', mode: 'hang' });
    const started = Date.now();
    const error = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/requests`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(sendBody()),
      signal: AbortSignal.timeout(150),
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.messages).toHaveLength(0);
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'send', status: 0, json: sendBody() });
  });

  it('rejects a bad count or status', async () => {
    const emulator = await start();
    expect(() => emulator.failNext({ count: 0 })).toThrow(RangeError);
    expect(() => emulator.failNext({ status: 99 })).toThrow(RangeError);
  });
});

// ---- generic HTTP behaviour -----------------------------------------------------------------

describe('HTTP behaviour', () => {
  it('answers 404 with the gateway shape to an unknown route or method', async () => {
    const emulator = await start();
    for (const [method, path] of [
      ['GET', '/nope'],
      ['GET', '/smsmessaging/v1/outbound/tel%3A%2B2250000/requests'],
      ['GET', '/oauth/v3/token'],
    ] as const) {
      const response = await fetch(`${emulator.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toEqual({
        code: 60,
        message: 'Resource not found',
        description: 'The requested URI or the requested resource does not exist.',
      });
    }
  });

  it('answers 413 to a body over maxBodyBytes and records it', async () => {
    const emulator = await start({ maxBodyBytes: 200 });
    const token = await getToken(emulator);
    const response = await send(emulator, token, sendBody({}, 'x'.repeat(200)));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      code: 413,
      message: 'Payload too large',
      description: 'The request body exceeds 200 bytes.',
    });
    expect(emulator.messages).toHaveLength(0);
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'send', status: 413 });
    expect((await send(emulator, token, sendBody({}, 'ok'))).status).toBe(201);
  });

  it('answers 413 to a chunked body (no Content-Length) that grows over maxBodyBytes', async () => {
    const emulator = await start({ maxBodyBytes: 200 });
    const token = await getToken(emulator);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${emulator.url}/smsmessaging/v1/outbound/${ENCODED_SENDER}/requests`,
        { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write('x'.repeat(100));
      req.end();
    });
    expect(result.status).toBe(413);
    expect(JSON.parse(result.body)).toMatchObject({ code: 413 });
    expect(emulator.requests.at(-1)).toMatchObject({
      headers: expect.objectContaining({ 'transfer-encoding': 'chunked' }),
      status: 413,
    });
  });

  it('records every request: method, decoded path, raw path, query, headers, body, json, kind, status', async () => {
    const emulator = await start();
    const token = await getToken(emulator);
    await send(emulator, token, sendBody(), ENCODED_SENDER, '?resource_type_parameter_management=SMS_OCB2');
    await get(emulator, '/sms/admin/v1/statistics?country=CIV&appid=x', token);
    await get(emulator, '/elsewhere');
    const [tokenReq, sendReq, adminReq, otherReq] = emulator.requests;
    expect(tokenReq).toMatchObject({
      method: 'POST',
      path: '/oauth/v3/token',
      kind: 'token',
      status: 200,
      body: 'grant_type=client_credentials',
    });
    expect(tokenReq!.json).toBeUndefined();
    expect(sendReq).toMatchObject({
      method: 'POST',
      path: '/smsmessaging/v1/outbound/tel:+2250000/requests',
      rawPath: '/smsmessaging/v1/outbound/tel%3A%2B2250000/requests?resource_type_parameter_management=SMS_OCB2',
      query: { resource_type_parameter_management: 'SMS_OCB2' },
      json: sendBody(),
      kind: 'send',
      status: 201,
    });
    expect(sendReq!.headers['authorization']).toBe(`Bearer ${token}`);
    expect(sendReq!.at).toBeInstanceOf(Date);
    expect(adminReq).toMatchObject({ kind: 'admin', query: { country: 'CIV', appid: 'x' }, status: 200 });
    expect(otherReq).toMatchObject({ kind: 'other', status: 404 });
    expect(new Set(emulator.requests.map((r) => r.requestId)).size).toBe(4);
  });

  it('reset() clears state and counters but keeps options, URLs and issued tokens', async () => {
    const receiver = await startReceiver();
    const emulator = await start({ initialUnits: 10, deliveryReceiptUrl: receiver.url, deliveryDelayMs: 200 });
    const token = await getToken(emulator);
    await send(emulator, token);
    emulator.failNext({ status: 500 });
    emulator.reset();
    await emulator.whenIdle();
    expect(receiver.received).toHaveLength(0); // the pending receipt was cancelled
    expect(emulator.messages).toEqual([]);
    expect(emulator.requests).toEqual([]);
    expect(emulator.tokenRequests()).toBe(0);
    expect(emulator.issuedTokens()).toBe(0);
    expect(emulator.deliveryReceiptUrl).toBe(receiver.url);
    const contracts = (await (await get(emulator, '/sms/admin/v1/contracts', token)).json()) as CurrentContract[];
    expect(contracts[0]!.availableUnits).toBe(10); // the token still works, no fault left, units restored
    expect(emulator.requests.map((r) => [r.kind, r.status])).toEqual([['admin', 200]]);
  });

  it('stop() closes idle keep-alive and hanging connections at once', async () => {
    const emulator = await start();
    const agent = new Agent({ keepAlive: true });
    const call = (path: string) =>
      new Promise<{ status: number; socketClosed: Promise<void> }>((resolve, reject) => {
        const req = httpRequest(`${emulator.url}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              socketClosed: new Promise((r) => req.socket!.once('close', () => r())),
            }),
          );
        });
        req.on('error', reject);
        req.end();
      });
    const idle = await call('/nope'); // leaves an idle keep-alive socket
    expect(idle.status).toBe(404);

    emulator.failNext({ mode: 'hang' });
    const hanging = call('/nope').catch((e: Error) => e);
    while (emulator.requests.length < 2) await new Promise((r) => setTimeout(r, 5));

    // A request whose body is still arriving: neither idle nor hanging, only closeAllConnections() ends it.
    const partial = connect(emulator.port, '127.0.0.1');
    const partialClosed = new Promise<void>((r) => partial.once('close', () => r()));
    partial.on('error', () => undefined);
    await new Promise<void>((r) => partial.once('connect', () => r()));
    partial.write('POST /sms/admin/v1/contracts HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    await new Promise((r) => setTimeout(r, 20));

    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      emulator.stop().then(() => 'stopped'),
      new Promise((r) => (timer = setTimeout(() => r('timeout'), 2000))),
    ]);
    clearTimeout(timer);
    expect(stopped).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(500);
    await idle.socketClosed;
    await partialClosed;
    expect(((await hanging) as Error).message).toMatch(/socket hang up|ECONNRESET/);
    agent.destroy();
  });

  it('cancels pending automatic receipts on stop()', async () => {
    const receiver = await startReceiver();
    const emulator = await start({ deliveryReceiptUrl: receiver.url, deliveryDelayMs: 100 });
    await send(emulator, await getToken(emulator));
    await emulator.stop();
    await emulator.whenIdle();
    await new Promise((r) => setTimeout(r, 150));
    expect(receiver.received).toHaveLength(0);
    expect(emulator.callbacks).toEqual([]); // cancelled, not attempted and aborted
  });

  it('listens on 127.0.0.1 by default, on the given port, and rejects bad options', async () => {
    const emulator = await start();
    expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(emulator.port).toBeGreaterThan(0);
    await expect(OrangeSmsEmulator.start({ deliveryDelayMs: -1 })).rejects.toThrow(RangeError);
    await expect(OrangeSmsEmulator.start({ credentials: [] })).rejects.toThrow(/at least one/);
    await expect(OrangeSmsEmulator.start({ port: emulator.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
