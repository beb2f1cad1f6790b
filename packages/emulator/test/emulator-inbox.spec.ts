/**
 * The emulator's web inbox, clicked through in a real browser (Debian's headless Chromium driven by
 * playwright-core). "The app" is played by plain fetch calls to the emulator plus a tiny webhook
 * receiver of the test's own. Set UPDATE_SCREENSHOTS=1 to rewrite docs/emulator-inbox.png.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OrangeSmsEmulator } from '../src/index.js';
import { runCli } from '../src/orange-sms.emulator-cli.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const CLIENT = { clientId: 'inbox-test-app', clientSecret: 'inbox-test-client-secret-7f3a9c' };
const WEBHOOK_SECRET = 'whsec5f2b9c1e8a7d4f3b9c0e1a2b';
const SENDER = 'tel:+2250000';
const PHONE = '+2250700000001';
/** The receiver answers 202 so the page's "app answered 202" can only come from the app. */
const APP_STATUS = 202;

interface Received {
  path: string;
  json: Record<string, unknown>;
}

let emulator: OrangeSmsEmulator;
let browser: Browser;
let page: Page;
let receiver: { url: string; received: Received[]; close: () => Promise<void> };
const pageProblems: string[] = [];

async function startReceiver(): Promise<typeof receiver> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', json: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(APP_STATUS, { 'Content-Type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---- "the app": Orange calls exactly as a client makes them ----------------------------------

async function appToken(): Promise<string> {
  const response = await fetch(`${emulator.url}/oauth/v3/token`, {
    method: 'POST',
    headers: {
      Authorization: emulator.authorizationHeader,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: 'grant_type=client_credentials',
  });
  expect(response.status).toBe(200);
  return (JSON.parse(await response.text()) as { access_token: string }).access_token;
}

async function appSend(token: string, to: string, text: string, senderName?: string): Promise<string> {
  const response = await fetch(`${emulator.url}/smsmessaging/v1/outbound/${encodeURIComponent(SENDER)}/requests`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      outboundSMSMessageRequest: {
        address: `tel:${to}`,
        senderAddress: SENDER,
        ...(senderName ? { senderName } : {}),
        outboundSMSTextMessage: { message: text },
      },
    }),
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as { outboundSMSMessageRequest: { resourceURL: string } };
  return body.outboundSMSMessageRequest.resourceURL.split('/').pop()!;
}

function bubble(id: string) {
  return page.locator(`[data-message-id="${id}"]`);
}

async function openThread(phone: string): Promise<void> {
  await page.locator(`li[data-phone="${phone}"] button`).click();
  await page.locator('#conv-title', { hasText: phone }).waitFor();
}

beforeAll(async () => {
  receiver = await startReceiver();
  emulator = await OrangeSmsEmulator.start({ credentials: CLIENT, autoDeliveryStatus: null });
  emulator.deliveryReceiptUrl = `${receiver.url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`;
  emulator.inboundUrl = `${receiver.url}/orange-sms/webhooks/inbound?token=${WEBHOOK_SECRET}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(5_000); // a broken page fails fast instead of at Jest's 30 s
  // A CSP violation (a wrong script or style hash) or a script error shows up here.
  page.on('console', (message) => {
    if (message.type() === 'error') pageProblems.push(message.text());
  });
  page.on('pageerror', (error) => pageProblems.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  await receiver?.close();
});

describe('emulator web inbox', () => {
  it('serves the page and its JSON without credentials, outside emulator.requests and faults', async () => {
    emulator.failNext({ status: 503 }); // must not hit inbox routes
    const home = await fetch(emulator.inboxUrl!);
    expect(emulator.inboxUrl).toBe(`${emulator.url}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = home.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(await home.text()).toContain('<title>SMS inbox');

    const state = await fetch(`${emulator.url}/_inbox/state`);
    expect(state.status).toBe(200);
    expect(await state.json()).toMatchObject({ messages: [], info: { clientId: CLIENT.clientId } });
    expect(emulator.requests).toEqual([]);

    // Actions refuse what a foreign web page could send: a non-JSON body or another Origin.
    const plain = await fetch(`${emulator.url}/_inbox/inbound`, { method: 'POST', body: '{}' });
    expect(plain.status).toBe(415);
    const foreign = await fetch(`${emulator.url}/_inbox/inbound`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'http://evil.example' },
      body: JSON.stringify({ from: PHONE, to: '+2250000', text: 'hi' }),
    });
    expect(foreign.status).toBe(403);
    expect(receiver.received).toEqual([]);

    // The queued fault is still there for the next Orange call.
    expect((await fetch(`${emulator.url}/sms/admin/v1/contracts`)).status).toBe(503);
    expect(emulator.requests.map((r) => [r.kind, r.status])).toEqual([['admin', 503]]);
    emulator.reset();
  });

  it('shows an SMS the app sends live, grouped under its phone, without reloading', async () => {
    await page.goto(emulator.inboxUrl!);
    await page.locator('#live[data-state="live"]').waitFor();
    await page.locator('.empty', { hasText: 'No SMS yet' }).waitFor();
    await page.evaluate('window.loadedOnce = true'); // gone if the page reloads

    const token = await appToken();
    const id = await appSend(token, PHONE, 'Your Kadi Market code is 4821. It expires in 10 minutes.', 'Kadi');

    await bubble(id).waitFor();
    expect(await bubble(id).locator('.bubble').textContent()).toBe(
      'Your Kadi Market code is 4821. It expires in 10 minutes.',
    );
    expect(await bubble(id).locator('.sender').textContent()).toBe('Kadi · +2250000');
    expect(await bubble(id).locator('.meta').textContent()).toContain('1 segment');
    expect(await bubble(id).locator('.status').getAttribute('data-status')).toBe('none');
    expect(await bubble(id).locator('.status').textContent()).toBe('Submitted');
    expect(await page.locator(`li[data-phone="${PHONE}"]`).count()).toBe(1);
    expect(await page.evaluate('window.loadedOnce')).toBe(true);
  });

  it('renders what the app sends as text, never as HTML', async () => {
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>Hi';
    const id = await appSend(await appToken(), '+2250100000007', hostile);
    await page.locator('li[data-phone="+2250100000007"]').waitFor();
    await openThread('+2250100000007');
    expect(await bubble(id).locator('.bubble').textContent()).toBe(hostile);
    expect(await page.locator('#bubbles img, #bubbles script').count()).toBe(0);
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
  });

  it('"Failed" then "Delivered" POST the receipts to the app and show the new status and its answer', async () => {
    const id = emulator.messages.find((m) => m.address === `tel:${PHONE}`)!.id;
    await openThread(PHONE);
    await bubble(id).locator('button[data-deliver="DeliveryImpossible"]').click();

    const receipt = await waitFor(() => receiver.received[0], 'the delivery receipt');
    expect(receipt.path).toBe(`/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`);
    expect(receipt.json).toEqual({
      deliveryInfoNotification: {
        deliveryInfo: { address: `tel:${PHONE}`, deliveryStatus: 'DeliveryImpossible' },
        callbackData: id,
      },
    });
    await bubble(id).locator('.status[data-status="DeliveryImpossible"]').waitFor();
    expect(await bubble(id).locator('.status').textContent()).toBe('Failed');
    await bubble(id)
      .locator('.receipt', { hasText: `app answered ${APP_STATUS}` })
      .waitFor();

    // Orange: a message reported DeliveryImpossible may still be delivered.
    await bubble(id).locator('button[data-deliver="DeliveredToTerminal"]').click();
    await waitFor(() => receiver.received[1], 'the second receipt');
    await bubble(id).locator('.status[data-status="DeliveredToTerminal"]').waitFor();
    expect(await bubble(id).locator('.status').textContent()).toBe('Delivered');
    expect(emulator.messages.find((m) => m.id === id)!.deliveryStatus).toBe('DeliveredToTerminal');
    expect(
      receiver.received.map((r) => (r.json.deliveryInfoNotification as { deliveryInfo: unknown }).deliveryInfo),
    ).toEqual([
      { address: `tel:${PHONE}`, deliveryStatus: 'DeliveryImpossible' },
      { address: `tel:${PHONE}`, deliveryStatus: 'DeliveredToTerminal' },
    ]);
  });

  it('the reply box texts the app back as that phone (an inbound SMS)', async () => {
    receiver.received.length = 0;
    expect(await page.inputValue('#reply-to')).toBe('+2250000');
    expect(await page.textContent('#reply-from')).toBe(PHONE);
    await page.fill('#reply-text', 'STOP');
    await page.press('#reply-text', 'Enter');

    const inbound = await waitFor(() => receiver.received.at(-1), 'the inbound SMS');
    expect(inbound.path).toBe(`/orange-sms/webhooks/inbound?token=${WEBHOOK_SECRET}`);
    expect(inbound.json).toEqual({
      inboundSMSMessageNotification: {
        inboundSMSMessage: {
          senderAddress: `tel:${PHONE}`,
          destinationAddress: '+2250000',
          message: 'STOP',
          dateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        },
      },
    });
    const reply = page.locator('.from-phone', { hasText: 'STOP' });
    await reply.waitFor();
    expect(await reply.locator('.meta').textContent()).toContain(`app answered ${APP_STATUS}`);
    expect(await page.inputValue('#reply-text')).toBe('');
  });

  it('logs the token and send requests, with every secret masked', async () => {
    const token = await appToken();
    await appSend(token, PHONE, 'Balance: 12 500 FCFA.');
    const tokenRow = page.locator('#log-list li[data-kind="token"]').first();
    const sendRow = page.locator('#log-list li[data-kind="send"]').first();
    await sendRow.locator('.code', { hasText: '201' }).waitFor();
    expect(await tokenRow.locator('.log-path').textContent()).toBe('POST /oauth/v3/token');
    expect(await tokenRow.locator('.code').textContent()).toBe('200');
    expect(await sendRow.locator('.log-path').textContent()).toBe(
      'POST /smsmessaging/v1/outbound/tel:+2250000/requests',
    );
    // The page updates over Server-Sent Events: wait for the rows rather than race them.
    await waitForCount(page.locator('#log-list li[data-kind="receipt"]'), 2);
    await waitForCount(page.locator('#log-list li[data-kind="inbound"]'), 1);

    // Open every row: the details hold the headers and bodies, where secrets would leak.
    const lines = page.locator('#log-list .log-line');
    for (let i = 0; i < (await lines.count()); i++) await lines.nth(i).click();
    await page.locator('.log-detail', { hasText: 'authorization: Bearer' }).first().waitFor();
    await waitForCount(page.locator('.log-detail'), await lines.count());

    const basic = emulator.authorizationHeader.slice('Basic '.length);
    const visible = (await page.textContent('body')) ?? '';
    const state = await (await fetch(`${emulator.url}/_inbox/state`)).text();
    for (const text of [visible, await page.content(), state]) {
      expect(text).not.toContain(CLIENT.clientSecret);
      expect(text).not.toContain(token);
      expect(text).not.toContain(basic);
      expect(text).not.toContain(WEBHOOK_SECRET);
    }
    expect(visible).toContain(`authorization: Bearer ${token.slice(0, 4)}****${token.slice(-4)}`);
    expect(visible).toContain(`(${CLIENT.clientId}:inbo****3a9c)`);
    expect(visible).toContain('token=whse****1a2b');
    // Nothing the page did is an Orange call.
    expect(new Set(emulator.requests.map((r) => r.kind))).toEqual(new Set(['token', 'send']));
    expect(pageProblems).toEqual([]);
  });

  it('"+ New" texts the app from another number; "Clear" resets the emulator', async () => {
    receiver.received.length = 0;
    await page.click('#new-thread');
    await page.fill('#new-phone', '+225 05 00 00 00 99');
    await page.press('#new-phone', 'Enter');
    await page.locator('#conv-title', { hasText: '+2250500000099' }).waitFor();
    expect(await page.inputValue('#reply-to')).toBe('+2250000'); // the app's latest sender
    await page.fill('#reply-text', 'START');
    await page.click('#reply-send');
    const inbound = await waitFor(() => receiver.received[0], 'the inbound SMS');
    expect(inbound.json).toMatchObject({
      inboundSMSMessageNotification: { inboundSMSMessage: { senderAddress: 'tel:+2250500000099', message: 'START' } },
    });
    await page.locator('li[data-phone="+2250500000099"] .count', { hasText: '1' }).waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('#clear');
    await page.locator('.empty', { hasText: 'No SMS yet' }).waitFor();
    expect(await page.locator('#thread-list li').count()).toBe(0);
    expect(emulator.messages).toEqual([]);
    expect(emulator.requests).toEqual([]);
  });

  it('follows emulator.reset() and takes the README screenshot', async () => {
    emulator.reset();
    await page.locator('.empty', { hasText: 'No SMS yet' }).waitFor();
    await page.locator('#log-list li[data-kind]').first().waitFor({ state: 'detached' });

    const token = await appToken();
    const otp = await appSend(token, PHONE, 'Your Kadi Market code is 4821. It expires in 10 minutes.', 'Kadi');
    const order = await appSend(
      token,
      '+2250500000042',
      'Bonjour Awa, votre commande #1043 est en route. Livraison prévue demain entre 9h et 12h. Répondez STOP pour ne plus recevoir de messages.',
      'Kadi',
    );
    await appSend(token, '+2250100000007', 'Your parcel is waiting at the Cocody pick-up point.', 'Kadi');
    await emulator.deliver(otp, 'DeliveredToTerminal');
    await emulator.deliver(order, 'DeliveryImpossible');
    await emulator.receive({ from: PHONE, to: '+2250000', text: 'BAL' });
    const balance = await appSend(token, PHONE, 'Balance: 12 500 FCFA. Reply STOP to opt out.', 'Kadi');

    await openThread(PHONE);
    await bubble(balance).waitFor();
    await page.locator('.from-phone', { hasText: 'BAL' }).waitFor();
    await page.locator('#log-list li[data-kind="send"] .log-line').first().click();
    await page.evaluate("document.getElementById('toast').hidden = true");
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeLessThan(200 * 1024);
    if (process.env.UPDATE_SCREENSHOTS) writeFileSync(join(process.cwd(), 'docs/emulator-inbox.png'), png);
    expect(pageProblems).toEqual([]);
  });

  it('the CLI prints the inbox URL; inbox: false keeps / an Orange 404', async () => {
    let banner = '';
    const cli = await runCli(['--port', '0'], { write: (chunk: string) => (banner += chunk) });
    try {
      expect(banner).toContain(`  web inbox:          ${cli.url}/\n`);
      expect((await fetch(`${cli.url}/`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
    } finally {
      await cli.stop();
    }

    const plain = await OrangeSmsEmulator.start({ inbox: false });
    try {
      expect(plain.inboxUrl).toBeUndefined();
      expect((await fetch(`${plain.url}/`)).status).toBe(404);
      expect((await fetch(`${plain.url}/_inbox/state`)).status).toBe(404);
      expect(plain.requests.map((r) => [r.kind, r.status])).toEqual([
        ['other', 404],
        ['other', 404],
      ]);
    } finally {
      await plain.stop();
    }
  });
});

/** Waits until the locator matches exactly `expected` elements (fails after 5 s with the last count). */
async function waitForCount(locator: { count(): Promise<number> }, expected: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let count = await locator.count();
  while (count !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    count = await locator.count();
  }
  expect(count).toBe(expected);
}

describe('emulator web inbox, several Orange apps', () => {
  const CI = { clientId: 'inbox-ci-app', clientSecret: 'inbox-ci-secret-9d8c7b6a' };

  it('labels each SMS with the app that sent it, lists every app with its secret masked, and texts the chosen app', async () => {
    // One app only (the suite's emulator): no account label anywhere.
    expect(await page.locator('.chip.account').count()).toBe(0);

    const several = await OrangeSmsEmulator.start({
      credentials: CLIENT,
      autoDeliveryStatus: null,
      inboundUrl: `${receiver.url}/default/inbound`,
      accounts: { ci: { ...CI, inboundUrl: `${receiver.url}/ci/inbound` } },
    });
    const tab = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    tab.setDefaultTimeout(5_000);
    tab.on('pageerror', (error) => pageProblems.push(error.message));
    try {
      const sendAs = async (authorization: string, to: string, text: string): Promise<string> => {
        const tokenResponse = await fetch(`${several.url}/oauth/v3/token`, {
          method: 'POST',
          headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        const { access_token } = JSON.parse(await tokenResponse.text()) as { access_token: string };
        const response = await fetch(`${several.url}/smsmessaging/v1/outbound/${encodeURIComponent(SENDER)}/requests`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            outboundSMSMessageRequest: {
              address: `tel:${to}`,
              senderAddress: SENDER,
              outboundSMSTextMessage: { message: text },
            },
          }),
        });
        expect(response.status).toBe(201);
        return (
          (await response.json()) as { outboundSMSMessageRequest: { resourceURL: string } }
        ).outboundSMSMessageRequest.resourceURL
          .split('/')
          .pop()!;
      };
      await tab.goto(several.inboxUrl!);
      await tab.locator('#live[data-state="live"]').waitFor();
      const ciId = await sendAs(several.account('ci').authorizationHeader, PHONE, 'From the CI app');
      const defaultId = await sendAs(several.authorizationHeader, PHONE, 'From the default app');

      const chip = (id: string) => tab.locator(`[data-message-id="${id}"] .chip.account`);
      await chip(ciId).waitFor();
      expect(await chip(ciId).textContent()).toBe('ci');
      expect(await chip(ciId).getAttribute('title')).toContain(CI.clientId);
      await chip(defaultId).waitFor();
      expect(await chip(defaultId).textContent()).toBe('default');

      const ciFact = tab.locator('#facts [data-account="ci"]');
      await ciFact.waitFor();
      expect(await ciFact.textContent()).toContain(`${CI.clientId} / inbo****7b6a`);
      const html = await tab.content();
      expect(html).not.toContain(CI.clientSecret);
      expect(html).not.toContain(CLIENT.clientSecret);

      await tab.locator(`li[data-phone="${PHONE}"] button`).click();
      await tab.locator('#reply-account-label').waitFor();
      await tab.selectOption('#reply-account', 'ci');
      receiver.received.length = 0;
      await tab.fill('#reply-text', 'STOP');
      await tab.press('#reply-text', 'Enter');
      const inbound = await waitFor(() => receiver.received.at(-1), 'the inbound SMS to ci');
      expect(inbound.path).toBe('/ci/inbound');
      await tab.locator('.from-phone .chip.account[data-account="ci"]').waitFor();
      expect(several.callbacks.map((c) => c.account)).toEqual(['ci']);
    } finally {
      await tab.close();
      await several.stop();
    }
  });
});
