// Compatibility host: a NestJS application as a TypeScript CommonJS project (no "type" in its
// package.json), compiled by tsc to CommonJS, so every import below becomes a `require()`, including
// those of the ESM-only nestjs-orange-sms (Node's require of ESM). The package's typings must resolve
// under the project's tsconfig. Sends one SMS through the embedded emulator and waits for its delivery
// receipt on the app's webhook. Prints `COMPAT <name>: ok` or `COMPAT <name>: FAILED <reason>`.
//   COMPAT_NAME=<matrix entry> node dist/main.js
import 'reflect-metadata';
import { type INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  DeliveryReceiptEvent,
  OnDeliveryReceipt,
  OrangeSmsModule,
  type OrangeSmsModuleOptions,
  OrangeSmsService,
  type SentSms,
  type TrackedSms,
} from 'nestjs-orange-sms';
// The deprecated subpath, kept working: it re-exports orange-sms-emulator.
import { OrangeSmsEmulator } from 'nestjs-orange-sms/emulator';

const name = process.env.COMPAT_NAME ?? 'cjs-ts';
const WEBHOOK_SECRET = 'compat-webhook-secret-0123456789';
const RECEIPT_TIMEOUT_MS = 10_000;

// A last resort: whatever hangs (a listen, a close), the process ends with a verdict.
const watchdog = setTimeout(() => {
  console.log(`COMPAT ${name}: FAILED watchdog: still running after 60 s`);
  process.exit(1);
}, 60_000);
watchdog.unref();

@Injectable()
class ReceiptListener {
  private readonly receipts: DeliveryReceiptEvent[] = [];
  private readonly waiters: Array<(event: DeliveryReceiptEvent) => void> = [];

  @OnDeliveryReceipt()
  onReceipt(event: DeliveryReceiptEvent): void {
    this.receipts.push(event);
    for (const waiter of this.waiters) waiter(event);
  }

  waitFor(messageId: string, timeoutMs: number): Promise<DeliveryReceiptEvent> {
    const found = this.receipts.find((r) => r.messageId === messageId);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no delivery receipt for ${messageId} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.push((event) => {
        if (event.messageId !== messageId) return;
        clearTimeout(timer);
        resolve(event);
      });
    });
  }
}

async function main(): Promise<void> {
  // The compiled file must be CommonJS: `module` and `require` exist only there.
  if (typeof module === 'undefined' || typeof require !== 'function') throw new Error('not running as CommonJS');

  const emulator: OrangeSmsEmulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 50 });
  let app: INestApplication | undefined;
  try {
    const options: OrangeSmsModuleOptions = {
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
      baseUrl: emulator.url,
      senderAddress: 'tel:+2250000',
      webhookSecret: WEBHOOK_SECRET,
    };

    @Module({
      imports: [EventEmitterModule.forRoot(), OrangeSmsModule.forRoot(options)],
      providers: [ReceiptListener],
    })
    class AppModule {}

    app = await NestFactory.create(AppModule, { logger: ['error', 'warn'], abortOnError: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    emulator.deliveryReceiptUrl = `${url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`;

    const sms = app.get(OrangeSmsService);
    const listener = app.get(ReceiptListener);
    const sent: SentSms = await sms.send({ to: '+2250700000001', text: `compat ${name}` });
    if (typeof sent.id !== 'string' || sent.id === '') throw new Error(`send returned no id: ${JSON.stringify(sent)}`);

    const receipt = await listener.waitFor(sent.id, RECEIPT_TIMEOUT_MS);
    if (!(receipt instanceof DeliveryReceiptEvent)) throw new Error('the receipt is not a DeliveryReceiptEvent');
    if (receipt.status !== 'DeliveredToTerminal') throw new Error(`receipt status ${receipt.status}`);
    const tracked: TrackedSms | undefined = await sms.getMessage(sent.id);
    if (tracked?.status !== 'delivered') throw new Error(`getMessage status ${tracked?.status}, expected delivered`);
  } finally {
    await app?.close();
    await emulator.stop();
  }
}

main().then(
  () => {
    console.log(`COMPAT ${name}: ok`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error);
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`COMPAT ${name}: FAILED ${reason.split('\n')[0]}`);
    process.exit(1);
  },
);
