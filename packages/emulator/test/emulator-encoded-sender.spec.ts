/**
 * URL-encoded senders as real clients send them (API reference §12 and §4): the sender URL-encoded in
 * the send path (`tel%3A%2B2250000`, the documented form) or literal, and `senderName` URL-encoded in
 * the JSON body (osms-php, the Symfony bridge). Raw HTTP to the emulator, no client in between.
 */
import { OrangeSmsEmulator } from '../src/index.js';

let emulator: OrangeSmsEmulator;
let token: string;

beforeAll(async () => {
  emulator = await OrangeSmsEmulator.start({
    autoDeliveryStatus: null,
    approvedSenderNames: ['Ma Boutique', 'My Shop'],
  });
  const { clientId, clientSecret } = emulator.credentials;
  const response = await fetch(`${emulator.url}/oauth/v3/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  token = ((await response.json()) as { access_token: string }).access_token;
});
afterAll(async () => {
  await emulator.stop();
});

async function send(pathSender: string, request: Record<string, unknown>) {
  const response = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${pathSender}/requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      outboundSMSMessageRequest: {
        address: 'tel:+2250700000001',
        senderAddress: 'tel:+2250000',
        outboundSMSTextMessage: { message: 'hello' },
        ...request,
      },
    }),
  });
  return {
    status: response.status,
    body: (await response.json()) as {
      outboundSMSMessageRequest?: { senderName?: string; senderAddress: string; resourceURL: string };
      requestError?: { policyException?: { messageId: string; text: string; variables?: string[] } };
    },
  };
}

describe('URL-encoded senders', () => {
  it.each(['tel%3A%2B2250000', 'tel:+2250000', 'tel%3a%2b2250000'])(
    'the sender in the send path as %s is accepted; resourceURL carries it unencoded',
    async (pathSender) => {
      const { status, body } = await send(pathSender, {});
      expect(status).toBe(201);
      expect(body.outboundSMSMessageRequest!.senderAddress).toBe('tel:+2250000');
      expect(body.outboundSMSMessageRequest!.resourceURL).toMatch(
        new RegExp(`^${emulator.url}/smsmessaging/v1/outbound/tel:\\+2250000/requests/[0-9a-f-]{36}$`),
      );
      expect(emulator.messages.at(-1)!.senderAddress).toBe('tel:+2250000');
    },
  );

  it('an encoded path sender that differs from the body senderAddress is still an invalid senderAddress', async () => {
    const { status, body } = await send('tel%3A%2B2259999', {});
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('senderAddress');
  });

  it.each([
    ['Ma%20Boutique', 'Ma Boutique'],
    ['My+Shop', 'My Shop'],
    ['Ma Boutique', 'Ma Boutique'],
  ])('senderName %s in the body is accepted, checked and shown as %s, and echoed as sent', async (sent, shown) => {
    const { status, body } = await send('tel%3A%2B2250000', { senderName: sent });
    expect(status).toBe(201);
    expect(body.outboundSMSMessageRequest!.senderName).toBe(sent);
    expect(emulator.messages.at(-1)!.senderName).toBe(shown);
  });

  it.each(['Autre%20Nom', 'Ma%ZZBoutique', 'Ma%2FBoutiq'])(
    'senderName %s is refused like any name not allowed (policy error), encoded or not',
    async (sent) => {
      const before = emulator.messages.length;
      const { status, body } = await send('tel%3A%2B2250000', { senderName: sent });
      expect(status).toBe(400);
      expect(JSON.stringify(body)).toContain('Sender name not allowed');
      expect(emulator.messages.length).toBe(before);
    },
  );
});
