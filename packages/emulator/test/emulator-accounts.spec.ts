/**
 * The emulator playing several Orange apps at once (`accounts`): each app its own credentials and
 * tokens, units and statistics, rate window, DR subscriptions and callback URLs, and everything
 * recorded says which app it was. All over real HTTP on 127.0.0.1, callbacks on receivers of the test's own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrangeSmsEmulator, type OrangeSmsEmulatorOptions } from '../src/index.js';
import { ACCOUNTS_ENV, parseCliArgs, runCli, OrangeSmsEmulatorCliExit } from '../src/orange-sms.emulator-cli.js';

const CI = { clientId: 'ci-client-id', clientSecret: 'ci-secret-4f9a8b7c6d5e' };
const SN = { clientId: 'sn-client-id', clientSecret: 'sn-secret-0a1b2c3d4e5f' };
const CI_PHONE = 'tel:+2250700000001';
const SN_PHONE = 'tel:+221770000001';

const emulators: OrangeSmsEmulator[] = [];
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start(options: OrangeSmsEmulatorOptions = {}): Promise<OrangeSmsEmulator> {
  const emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 10, ...options });
  emulators.push(emulator);
  return emulator;
}

/** Default app (CIV) plus 'ci' (CIV, 100 units) and 'sn' (SEN, 50 units). */
function threeApps(extra: OrangeSmsEmulatorOptions = {}): Promise<OrangeSmsEmulator> {
  return start({
    countries: ['CIV'],
    ...extra,
    accounts: {
      ci: { ...CI, initialUnits: 100, appId: 'app-ci' },
      sn: { ...SN, countries: ['SEN'], initialUnits: 50 },
      ...extra.accounts,
    },
  });
}

async function startReceiver() {
  const received: { path: string; json: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', json: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const basic = (pair: { clientId: string; clientSecret: string }) =>
  `Basic ${Buffer.from(`${pair.clientId}:${pair.clientSecret}`).toString('base64')}`;

function tokenRequest(emulator: OrangeSmsEmulator, authorization: string) {
  return fetch(`${emulator.url}/oauth/v3/token`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
}

async function token(emulator: OrangeSmsEmulator, authorization: string): Promise<string> {
  const response = await tokenRequest(emulator, authorization);
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function send(emulator: OrangeSmsEmulator, bearer: string, address = CI_PHONE, sender = 'tel:+2250000') {
  return fetch(`${emulator.url}/smsmessaging/v1/outbound/${encodeURIComponent(sender)}/requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      outboundSMSMessageRequest: { address, senderAddress: sender, outboundSMSTextMessage: { message: 'Hello' } },
    }),
  });
}

async function sentId(response: Response): Promise<string> {
  expect(response.status).toBe(201);
  const body = (await response.json()) as { outboundSMSMessageRequest: { resourceURL: string } };
  return body.outboundSMSMessageRequest.resourceURL.split('/').at(-1)!;
}

function admin(emulator: OrangeSmsEmulator, path: string, bearer: string) {
  return fetch(`${emulator.url}/sms/admin/v1/${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
}

describe('several Orange apps: tokens and attribution', () => {
  it('binds each token to the app whose credentials obtained it; every send and request says which app', async () => {
    const emulator = await threeApps();
    const ci = await token(emulator, basic(CI));
    const sn = await token(emulator, basic(SN));
    const def = await token(emulator, emulator.authorizationHeader);

    const ciId = await sentId(await send(emulator, ci));
    const snId = await sentId(await send(emulator, sn, SN_PHONE, 'tel:+2210000'));
    const defId = await sentId(await send(emulator, def));

    const byId = (id: string) => emulator.messages.find((m) => m.id === id)!;
    expect(byId(ciId)).toMatchObject({ account: 'ci', appId: 'app-ci', clientId: CI.clientId, country: 'CIV' });
    expect(byId(snId)).toMatchObject({ account: 'sn', appId: emulator.account('sn').appId, clientId: SN.clientId });
    expect(byId(defId)).toMatchObject({ account: 'default', appId: emulator.appId, clientId: 'emulator-client-id' });
    expect(emulator.account('ci').messages.map((m) => m.id)).toEqual([ciId]);

    // The send that reached 'sn' carried sn's token, and no request of sn's ever carried ci's or the default's.
    const snRequests = emulator.requests.filter((r) => r.account === 'sn');
    expect(snRequests.map((r) => r.kind)).toEqual(['token', 'send']);
    expect(snRequests[0]!.headers['authorization']).toBe(basic(SN));
    expect(snRequests[1]!.headers['authorization']).toBe(`Bearer ${sn}`);
    for (const request of snRequests) {
      expect(request.clientId).toBe(SN.clientId);
      expect(JSON.stringify(request.headers)).not.toContain(ci);
      expect(JSON.stringify(request.headers)).not.toContain(def);
    }
    expect(emulator.requests.filter((r) => r.kind === 'send').map((r) => r.account)).toEqual(['ci', 'sn', 'default']);
    expect(emulator.account('sn').appId).toMatch(/^[0-9a-f]{24}$/);
    expect(emulator.account('sn').appId).not.toBe(emulator.appId);
  });

  it("refuses one app's client id with another app's secret, and counts token requests and tokens per app", async () => {
    const emulator = await threeApps();
    const mixed = await tokenRequest(emulator, basic({ clientId: CI.clientId, clientSecret: SN.clientSecret }));
    expect(mixed.status).toBe(401);
    const refused = emulator.requests.at(-1)!;
    expect(refused.clientId).toBe(CI.clientId);
    expect(refused.account).toBeUndefined();
    await token(emulator, basic(CI));
    await token(emulator, basic(CI));
    await token(emulator, basic(SN));

    expect(emulator.account('ci').tokenRequests()).toBe(3);
    expect(emulator.account('ci').issuedTokens()).toBe(2);
    expect(emulator.account('sn').issuedTokens()).toBe(1);
    expect(emulator.account('default').issuedTokens()).toBe(0);
    expect(emulator.issuedTokens()).toBe(3);
    expect(emulator.tokenRequests()).toBe(4);
  });

  it("expiring one app's tokens leaves the other apps' tokens working", async () => {
    const emulator = await threeApps();
    const ci = await token(emulator, basic(CI));
    const sn = await token(emulator, basic(SN));
    emulator.account('ci').expireTokens();
    const expired = await send(emulator, ci);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 42 });
    expect(emulator.requests.at(-1)!.account).toBeUndefined();
    expect((await send(emulator, sn, SN_PHONE)).status).toBe(201);
    // A new token of ci works again.
    expect((await send(emulator, await token(emulator, basic(CI)))).status).toBe(201);
  });

  it('keeps a single `credentials` app as before: one app named default', async () => {
    const emulator = await start({ credentials: { clientId: 'solo', clientSecret: 'solo-secret' } });
    expect(emulator.accounts.map((a) => a.name)).toEqual(['default']);
    expect(emulator.account('default').credentials).toEqual(emulator.credentials);
    expect(emulator.account('default').authorizationHeader).toBe(emulator.authorizationHeader);
    const bearer = await token(emulator, emulator.authorizationHeader);
    await sentId(await send(emulator, bearer));
    expect(emulator.messages[0]).toMatchObject({ account: 'default', clientId: 'solo', appId: emulator.appId });
    expect(() => emulator.account('ci')).toThrow(/unknown account 'ci'/);
  });
});

describe('several Orange apps: units, admin endpoints and rate limits', () => {
  it('charges each app its own contracts: another country or an empty app is refused for that app only', async () => {
    const emulator = await threeApps({
      accounts: { empty: { clientId: 'empty-id', clientSecret: 'x', initialUnits: 0 } },
    });
    const ci = await token(emulator, basic(CI));
    const sn = await token(emulator, basic(SN));
    const empty = await token(emulator, basic({ clientId: 'empty-id', clientSecret: 'x' }));

    const noContract = await send(emulator, sn, CI_PHONE);
    expect(noContract.status).toBe(403);
    expect(JSON.stringify(await noContract.json())).toContain('No contract for country');
    const expired = await send(emulator, empty);
    expect(expired.status).toBe(403);
    expect(JSON.stringify(await expired.json())).toContain('Expired contract');
    await sentId(await send(emulator, ci));
    await sentId(await send(emulator, ci));
    await sentId(await send(emulator, sn, SN_PHONE));

    expect(emulator.account('ci').availableUnits()).toEqual({ CIV: 98 });
    expect(emulator.account('sn').availableUnits()).toEqual({ SEN: 49 });
    expect(emulator.account('default').availableUnits()).toEqual({ CIV: 1000 });
    expect(emulator.account('empty').availableUnits()).toEqual({ CIV: 0 });
  });

  it('answers the admin endpoints with the calling app’s own contracts, statistics and purchase orders', async () => {
    const emulator = await threeApps();
    const ci = await token(emulator, basic(CI));
    const sn = await token(emulator, basic(SN));
    const def = await token(emulator, emulator.authorizationHeader);
    await sentId(await send(emulator, ci));
    await sentId(await send(emulator, ci));
    await sentId(await send(emulator, sn, SN_PHONE));

    const contracts = async (bearer: string) =>
      (
        (await (await admin(emulator, 'contracts', bearer)).json()) as { country: string; availableUnits: number }[]
      ).map((c) => [c.country, c.availableUnits]);
    expect(await contracts(ci)).toEqual([['CIV', 98]]);
    expect(await contracts(sn)).toEqual([['SEN', 49]]);
    expect(await contracts(def)).toEqual([['CIV', 1000]]);

    type Stats = {
      partnerStatistics: {
        developerId: string;
        statistics: {
          serviceStatistics: { country: string; countryStatistics: { appid: string; usage: number }[] }[];
        }[];
      };
    };
    const stats = async (bearer: string) => (await (await admin(emulator, 'statistics', bearer)).json()) as Stats;
    const ciStats = await stats(ci);
    expect(ciStats.partnerStatistics.statistics[0]!.serviceStatistics).toEqual([
      { country: 'CIV', countryStatistics: [{ appid: 'app-ci', usage: 2, nbEnforcements: 2 }] },
    ]);
    const snStats = await stats(sn);
    expect(snStats.partnerStatistics.statistics[0]!.serviceStatistics).toEqual([
      { country: 'SEN', countryStatistics: [{ appid: emulator.account('sn').appId, usage: 1, nbEnforcements: 1 }] },
    ]);
    expect((await stats(def)).partnerStatistics.statistics[0]!.serviceStatistics).toEqual([]);
    expect(ciStats.partnerStatistics.developerId).not.toBe(snStats.partnerStatistics.developerId);

    const orders = async (bearer: string) =>
      ((await (await admin(emulator, 'purchaseorders', bearer)).json()) as { country: string }[]).map((o) => o.country);
    expect(await orders(ci)).toEqual(['CIV']);
    expect(await orders(sn)).toEqual(['SEN']);
    expect(emulator.requests.filter((r) => r.kind === 'admin').map((r) => r.account)).toEqual([
      'ci',
      'sn',
      'default',
      'ci',
      'sn',
      'default',
      'ci',
      'sn',
    ]);
  });

  it('gives each app its own rate window: one app at its limit does not slow another', async () => {
    // The proof needs app 'a' to be refused both before and after 'b' is accepted, within one second;
    // a machine too slow for that retries with fresh windows instead of passing wrongly.
    for (let attempt = 1; ; attempt++) {
      const emulator = await start({
        rateLimitPerSecond: 1,
        accounts: {
          a: { clientId: 'a-id', clientSecret: 'a-secret' },
          b: { clientId: 'b-id', clientSecret: 'b-secret' },
          fast: { clientId: 'fast-id', clientSecret: 'fast-secret', rateLimitPerSecond: 100 },
        },
      });
      const a = await token(emulator, basic({ clientId: 'a-id', clientSecret: 'a-secret' }));
      const b = await token(emulator, basic({ clientId: 'b-id', clientSecret: 'b-secret' }));
      const statuses = [
        (await send(emulator, a)).status,
        (await send(emulator, a)).status,
        (await send(emulator, b)).status,
        (await send(emulator, a)).status,
      ];
      if (statuses[3] === 429 || attempt === 5) {
        // With one shared window, b's send would have been refused: a's accepted send was still in it.
        expect(statuses).toEqual([201, 429, 201, 429]);
        break;
      }
      await emulator.stop();
    }
    const emulator = emulators.at(-1)!;
    const fast = await token(emulator, basic({ clientId: 'fast-id', clientSecret: 'fast-secret' }));
    const burst = await Promise.all([1, 2, 3, 4, 5].map(() => send(emulator, fast)));
    expect(burst.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const refused = emulator.requests.filter((r) => r.status === 429);
    expect(new Set(refused.map((r) => r.account))).toEqual(new Set(['a']));
  });
});

describe('several Orange apps: callbacks', () => {
  it("posts each app's receipts to its own URL, its DR subscription included, and none for an app without one", async () => {
    const receiver = await startReceiver();
    const emulator = await threeApps({
      deliveryReceiptUrl: `${receiver.url}/default/receipts`,
      accounts: {
        ci: { ...CI, deliveryReceiptUrl: `${receiver.url}/ci/receipts` },
        sn: { ...SN, countries: ['SEN'] },
      },
    });
    const ci = await token(emulator, basic(CI));
    const sn = await token(emulator, basic(SN));
    const def = await token(emulator, emulator.authorizationHeader);

    // sn subscribes with its own token: its receipts go there; the other apps cannot see that subscription.
    const subscribe = await fetch(`${emulator.url}/smsmessaging/v1/outbound/tel%3A%2B2210000/subscriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sn}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        deliveryReceiptSubscription: { callbackReference: { notifyURL: `${receiver.url}/sn/receipts` } },
      }),
    });
    expect(subscribe.status).toBe(201);
    const subscriptionId = (
      (await subscribe.json()) as { deliveryReceiptSubscription: { resourceURL: string } }
    ).deliveryReceiptSubscription.resourceURL
      .split('/')
      .at(-1)!;
    const read = (bearer: string) =>
      fetch(`${emulator.url}/smsmessaging/v1/outbound/subscriptions/${subscriptionId}`, {
        headers: { Authorization: `Bearer ${bearer}` },
      });
    expect((await read(sn)).status).toBe(200);
    expect((await read(ci)).status).toBe(404);
    const foreignDelete = await fetch(
      `${emulator.url}/smsmessaging/v1/outbound/tel%3A%2B2250000/subscriptions/${subscriptionId}`,
      { method: 'DELETE', headers: { Authorization: `Bearer ${def}` } },
    );
    expect(foreignDelete.status).toBe(404);
    expect(emulator.account('sn').deliveryReceiptUrl).toBe(`${receiver.url}/sn/receipts`);
    expect(emulator.deliveryReceiptUrl).toBe(`${receiver.url}/default/receipts`);

    const ciId = await sentId(await send(emulator, ci));
    const snId = await sentId(await send(emulator, sn, SN_PHONE));
    const defId = await sentId(await send(emulator, def));
    await emulator.whenIdle();

    const pathOf = (id: string) =>
      receiver.received.find(
        (r) => (r.json['deliveryInfoNotification'] as { callbackData: string }).callbackData === id,
      )?.path;
    expect(pathOf(ciId)).toBe('/ci/receipts');
    expect(pathOf(snId)).toBe('/sn/receipts');
    expect(pathOf(defId)).toBe('/default/receipts');
    expect(emulator.callbacks.map((c) => [c.account, new URL(c.url).pathname]).sort()).toEqual([
      ['ci', '/ci/receipts'],
      ['default', '/default/receipts'],
      ['sn', '/sn/receipts'],
    ]);

    // deliver() follows the message's app too; after sn cancels its subscription it has no URL at all.
    const cancel = await fetch(
      `${emulator.url}/smsmessaging/v1/outbound/tel%3A%2B2210000/subscriptions/${subscriptionId}`,
      { method: 'DELETE', headers: { Authorization: `Bearer ${sn}` } },
    );
    expect(cancel.status).toBe(204);
    expect((await emulator.deliver(ciId, 'DeliveryImpossible')).status).toBe(200);
    expect(emulator.callbacks.at(-1)).toMatchObject({ account: 'ci', url: `${receiver.url}/ci/receipts` });
    await expect(emulator.deliver(snId)).rejects.toThrow(/account 'sn' has no deliveryReceiptUrl/);
    // An unknown id with callbackData goes to the named app's URL.
    await emulator.deliver('unknown', 'DeliveredToTerminal', { callbackData: 'cb', account: 'ci' });
    expect(emulator.callbacks.at(-1)).toMatchObject({ account: 'ci', url: `${receiver.url}/ci/receipts` });
  });

  it("posts an inbound SMS to the receiving app's inbound URL only", async () => {
    const receiver = await startReceiver();
    const emulator = await threeApps({
      inboundUrl: `${receiver.url}/default/inbound`,
      accounts: { ci: { ...CI, inboundUrl: `${receiver.url}/ci/inbound` }, sn: SN },
    });
    await emulator.receive({ from: '+2250700000009', to: '+2250000', text: 'STOP', account: 'ci' });
    await emulator.receive({ from: '+2250700000009', to: '+2250000', text: 'HELP' });
    expect(receiver.received.map((r) => r.path)).toEqual(['/ci/inbound', '/default/inbound']);
    expect(emulator.callbacks.map((c) => c.account)).toEqual(['ci', 'default']);
    await expect(emulator.receive({ from: '+221770000009', to: '+2210000', text: 'x', account: 'sn' })).rejects.toThrow(
      /account 'sn' has no inboundUrl/,
    );
    await expect(emulator.receive({ from: '+221770000009', to: '+2210000', text: 'x', account: 'zz' })).rejects.toThrow(
      /unknown account 'zz'/,
    );
    emulator.account('sn').inboundUrl = `${receiver.url}/sn/inbound`;
    await emulator.receive({ from: '+221770000009', to: '+2210000', text: 'x', account: 'sn' });
    expect(receiver.received.at(-1)!.path).toBe('/sn/inbound');
  });

  it('reset() refills every app and drops every subscription, keeping each app its URLs', async () => {
    const receiver = await startReceiver();
    const emulator = await threeApps({ accounts: { ci: { ...CI, deliveryReceiptUrl: `${receiver.url}/ci` } } });
    const ci = await token(emulator, basic(CI));
    await sentId(await send(emulator, ci));
    await fetch(`${emulator.url}/smsmessaging/v1/outbound/tel%3A%2B2250000/subscriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ci}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        deliveryReceiptSubscription: { callbackReference: { notifyURL: `${receiver.url}/sub` } },
      }),
    });
    expect(emulator.account('ci').deliveryReceiptUrl).toBe(`${receiver.url}/sub`);
    emulator.reset();
    expect(emulator.account('ci').availableUnits()).toEqual({ CIV: 1000 });
    expect(emulator.account('ci').deliveryReceiptUrl).toBe(`${receiver.url}/ci`);
    expect(emulator.account('ci').issuedTokens()).toBe(0);
    expect(emulator.account('ci').tokenRequests()).toBe(0);
    // Its token still works after a reset, like the default app's.
    expect((await send(emulator, ci)).status).toBe(201);
  });
});

describe('several Orange apps: options', () => {
  it.each([
    [{ default: { clientId: 'x', clientSecret: 'y' } }, /'default' is the app of the top-level credentials/],
    [{ 'bad name': { clientId: 'x', clientSecret: 'y' } }, /account name 'bad name' must be/],
    [
      { ci: { clientId: 'emulator-client-id', clientSecret: 'y' } },
      /accounts\.ci\.clientId is already the client id of account 'default'/,
    ],
    [{ ci: { clientId: 'a:b', clientSecret: 'y' } }, /accounts\.ci\.clientId must not contain ':'/],
    [{ ci: { clientId: 'x', clientSecret: '' } }, /accounts\.ci\.clientSecret must be a non-empty string/],
    [
      { ci: { clientId: 'x', clientSecret: 'y', initialUnits: -1 } },
      /accounts\.ci\.initialUnits must be a number >= 0/,
    ],
    [
      { ci: { clientId: 'x', clientSecret: 'y', rateLimitPerSecond: 0 } },
      /accounts\.ci\.rateLimitPerSecond must be a number > 0/,
    ],
  ])('refuses bad accounts, naming the account and the field: %j', async (accounts, message) => {
    await expect(OrangeSmsEmulator.start({ accounts })).rejects.toThrow(message);
  });

  it('never puts a secret in an options error', async () => {
    const error = (await OrangeSmsEmulator.start({
      accounts: { ci: { clientId: 'emulator-client-id', clientSecret: 'very-secret-value-1234' } },
    }).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('very-secret-value-1234');
  });
});

describe('several Orange apps: web inbox JSON', () => {
  it('shows each app with its client id and masked secret, and the app of each message, request and callback', async () => {
    const receiver = await startReceiver();
    const emulator = await threeApps({
      deliveryReceiptUrl: `${receiver.url}/default/receipts`,
      accounts: {
        ci: CI,
        sn: { ...SN, countries: ['SEN'], inboundUrl: `${receiver.url}/sn/inbound?token=sn-webhook-secret-xyz` },
      },
    });
    const ci = await token(emulator, basic(CI));
    const ciId = await sentId(await send(emulator, ci));

    const inbound = await fetch(`${emulator.url}/_inbox/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: '+221770000009', to: '+2210000', text: 'STOP', account: 'sn' }),
    });
    expect(inbound.status).toBe(200);
    expect(receiver.received.at(-1)!.path).toBe('/sn/inbound?token=sn-webhook-secret-xyz');
    const unknown = await fetch(`${emulator.url}/_inbox/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: '+221770000009', to: '+2210000', text: 'STOP', account: 'zz' }),
    });
    expect(unknown.status).toBe(400);
    // ci has no receipt URL: the inbox says so for ci, naming it.
    const deliver = await fetch(`${emulator.url}/_inbox/messages/${ciId}/deliver`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ status: 'DeliveredToTerminal' }),
    });
    expect(deliver.status).toBe(409);
    expect(((await deliver.json()) as { error: string }).error).toContain('account ci');

    const text = await (await fetch(`${emulator.url}/_inbox/state`)).text();
    for (const secret of [CI.clientSecret, SN.clientSecret, 'emulator-client-secret', 'sn-webhook-secret-xyz', ci]) {
      expect(text).not.toContain(secret);
    }
    const state = JSON.parse(text) as {
      info: {
        accounts: { name: string; clientId: string; clientSecret: string; units: unknown; inboundUrl: string | null }[];
      };
      messages: { id: string; account: string; clientId: string }[];
      requests: { kind: string; account: string | null }[];
      callbacks: { kind: string; account: string }[];
    };
    expect(state.info.accounts.map((a) => [a.name, a.clientId, a.clientSecret])).toEqual([
      ['default', 'emulator-client-id', 'emul****cret'],
      ['ci', CI.clientId, 'ci-s****6d5e'],
      ['sn', SN.clientId, 'sn-s****4e5f'],
    ]);
    expect(state.info.accounts[2]!.units).toEqual([{ country: 'SEN', available: 1000 }]);
    expect(state.messages).toEqual([expect.objectContaining({ id: ciId, account: 'ci', clientId: CI.clientId })]);
    expect(state.requests.map((r) => [r.kind, r.account])).toEqual([
      ['token', 'ci'],
      ['send', 'ci'],
    ]);
    expect(state.callbacks).toEqual([expect.objectContaining({ kind: 'inbound', account: 'sn' })]);
  });
});

describe('several Orange apps: the CLI', () => {
  const out = () => {
    let text = '';
    return { write: (chunk: string) => (text += chunk), text: () => text };
  };

  it('takes --account (repeatable) and ORANGE_SMS_EMULATOR_ACCOUNTS, pointing each at its module routes with --app-url', () => {
    const env = {
      [ACCOUNTS_ENV]: JSON.stringify({
        sn: { ...SN, countries: ['SEN'], initialUnits: 50, webhookSecret: 'sn-webhook-secret' },
      }),
    };
    const options = parseCliArgs(
      [
        '--account',
        `ci:${CI.clientId}:${CI.clientSecret}:with-colon`,
        '--account-webhook-secret',
        'ci:ci-webhook-secret',
        '--app-url',
        'http://127.0.0.1:3000',
        '--webhook-secret',
        'default-webhook-secret',
        '--countries',
        'CIV,SEN',
      ],
      out(),
      env,
    );
    expect(options.countries).toEqual(['CIV', 'SEN']);
    expect(options.deliveryReceiptUrl).toBe(
      'http://127.0.0.1:3000/orange-sms/webhooks/delivery-receipts?token=default-webhook-secret',
    );
    expect(options.accounts).toEqual({
      sn: {
        ...SN,
        countries: ['SEN'],
        initialUnits: 50,
        deliveryReceiptUrl:
          'http://127.0.0.1:3000/orange-sms/webhooks/accounts/sn/delivery-receipts?token=sn-webhook-secret',
        inboundUrl: 'http://127.0.0.1:3000/orange-sms/webhooks/accounts/sn/inbound?token=sn-webhook-secret',
      },
      ci: {
        clientId: CI.clientId,
        clientSecret: `${CI.clientSecret}:with-colon`,
        deliveryReceiptUrl:
          'http://127.0.0.1:3000/orange-sms/webhooks/accounts/ci/delivery-receipts?token=ci-webhook-secret',
        inboundUrl: 'http://127.0.0.1:3000/orange-sms/webhooks/accounts/ci/inbound?token=ci-webhook-secret',
      },
    });
  });

  it.each([
    [['--account', 'ci:only-id'], {}, /--account ci must be <name>:<client-id>:<client-secret>/],
    [['--account', '__proto__:x:y'], {}, /account name '__proto__' must be/],
    [['--account', 'default:x:y'], {}, /not 'default'/],
    [['--account', 'ci:a:b', '--account', 'ci:c:d'], {}, /account ci is given twice/],
    [['--account-webhook-secret', 'ci:s'], {}, /--account-webhook-secret needs --app-url/],
    [['--app-url', 'http://x', '--account-webhook-secret', 'zz:s'], {}, /unknown account: zz/],
    [[], { [ACCOUNTS_ENV]: '{"ci": {"clientSecret": "leaky-secret-123"' }, /is not valid JSON\n/],
    [[], { [ACCOUNTS_ENV]: '[]' }, /must be a JSON object of accounts by name/],
  ])('refuses %j %j with exit code 2, never quoting a secret', (argv, env, message) => {
    let error: unknown;
    try {
      parseCliArgs(argv, out(), env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OrangeSmsEmulatorCliExit);
    expect((error as OrangeSmsEmulatorCliExit).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('leaky-secret-123');
  });

  it('--help documents the accounts; the banner lists each account with its secret masked', async () => {
    const help = out();
    expect(() => parseCliArgs(['--help'], help, {})).toThrow(OrangeSmsEmulatorCliExit);
    expect(help.text()).toContain('--account <name>:<id>:<secret>');
    expect(help.text()).toContain(ACCOUNTS_ENV);

    const banner = out();
    const emulator = await runCli(['--port', '0', '--account', `ci:${CI.clientId}:${CI.clientSecret}`], banner, {
      [ACCOUNTS_ENV]: JSON.stringify({ sn: SN }),
    });
    emulators.push(emulator);
    expect(banner.text()).toContain('account ci:');
    expect(banner.text()).toContain(CI.clientId);
    expect(banner.text()).toContain('ci-s****6d5e');
    expect(banner.text()).toContain('account sn:');
    expect(banner.text()).not.toContain(CI.clientSecret);
    expect(banner.text()).not.toContain(SN.clientSecret);
    const ci = await token(emulator, basic(CI));
    expect((await send(emulator, ci)).status).toBe(201);
    expect(emulator.messages[0]!.account).toBe('ci');
  });
});
