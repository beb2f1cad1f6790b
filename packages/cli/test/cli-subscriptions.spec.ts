/**
 * `orange-sms subscribe-receipts` then `cancel-subscription`, through the CLI against the emulator:
 * the receipt URL the emulator was started with stays in place, counted at real HTTP listeners.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emulatorCliEnv, runCli } from './support/cli-run.js';
import { OrangeSmsEmulator } from 'orange-sms-emulator';

/** An HTTP server counting the delivery receipts posted to it. */
interface Listener {
  url: string;
  receipts: unknown[];
  server: Server;
}

async function startListener(): Promise<Listener> {
  const receipts: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      receipts.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/receipts`, receipts, server };
}

let emulator: OrangeSmsEmulator;
let startUrl: Listener;
let subscribed: Listener;

function cli(args: string[]) {
  return runCli(args, emulatorCliEnv(emulator));
}

async function sendOne(text: string): Promise<string> {
  const sent = await cli(['send', '--json', '--to', '+2250700000001', '--text', text]);
  expect({ code: sent.code, err: sent.err }).toEqual({ code: 0, err: '' });
  await emulator.whenIdle();
  return (JSON.parse(sent.out) as { id: string }).id;
}

function callbackDataOf(receipts: unknown[]): unknown[] {
  return receipts.map(
    (r) => (r as { deliveryInfoNotification: { callbackData: unknown } }).deliveryInfoNotification.callbackData,
  );
}

beforeAll(async () => {
  startUrl = await startListener();
  subscribed = await startListener();
  emulator = await OrangeSmsEmulator.start({ deliveryReceiptUrl: startUrl.url, deliveryDelayMs: 5, inbox: false });
});

afterAll(async () => {
  await emulator?.stop();
  for (const listener of [startUrl, subscribed]) await new Promise((resolve) => listener?.server.close(resolve));
});

it('subscribe-receipts then cancel-subscription leave the start receipt URL in place', async () => {
  const created = await cli(['subscribe-receipts', '--json', '--notify-url', subscribed.url]);
  expect({ code: created.code, err: created.err }).toEqual({ code: 0, err: '' });
  const { id } = JSON.parse(created.out) as { id: string };

  // While the subscription lives, receipts go to its notify URL (so the subscription did take effect).
  const during = await sendOne('during the subscription');
  expect(callbackDataOf(subscribed.receipts)).toEqual([during]);
  expect(startUrl.receipts).toHaveLength(0);

  const cancelled = await cli(['cancel-subscription', id]);
  expect({ code: cancelled.code, err: cancelled.err }).toEqual({ code: 0, err: '' });

  const after = await sendOne('after the cancellation');
  expect(callbackDataOf(startUrl.receipts)).toEqual([after]);
  expect(subscribed.receipts).toHaveLength(1);
  expect(emulator.deliveryReceiptUrl).toBe(startUrl.url);
});
