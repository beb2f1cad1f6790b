// Compatibility host: a NestJS application as a TypeScript CommonJS project (no "type" in its
// package.json), compiled by tsc to CommonJS, so every import below becomes a `require()`, including
// those of the ESM-only nestjs-orange-sms (Node's require of ESM). The package's typings must resolve
// under the project's tsconfig. Sends one SMS through the embedded emulator and waits for its delivery
// receipt on the app's webhook. Its records are kept in PostgreSQL (`postgres: { url, schema }`, the
// host installs `pg`; run.sh starts the server) and read back: the schema's tables, the store and the
// migrations required from `nestjs-orange-sms/postgres`, a report, the delivery stats and the inbox.
// Prints `COMPAT <name>: ok` or `COMPAT <name>: FAILED <reason>`.
//   COMPAT_NAME=<matrix entry> COMPAT_DATABASE_URL=postgres://… COMPAT_DATABASE_SCHEMA=… node dist/main.js
import 'reflect-metadata';
import { type INestApplication, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  DeliveryReceiptEvent,
  OnDeliveryReceipt,
  OrangeSmsInboxService,
  OrangeSmsModule,
  type OrangeSmsModuleOptions,
  type OrangeSmsReportRow,
  OrangeSmsService,
  OrangeSmsStatsService,
  type SentSms,
  type TrackedSms,
} from 'nestjs-orange-sms';
// The deprecated subpath, kept working: it re-exports orange-sms-emulator.
import { OrangeSmsEmulator } from 'nestjs-orange-sms/emulator';
import { pendingOrangeSmsMigrations, PostgresOrangeSmsStore } from 'nestjs-orange-sms/postgres';
import { Pool } from 'pg';

const name = process.env.COMPAT_NAME ?? 'cjs-ts';
const WEBHOOK_SECRET = 'compat-webhook-secret-0123456789';
const RECEIPT_TIMEOUT_MS = 10_000;
const databaseUrl = process.env.COMPAT_DATABASE_URL;
const schema = process.env.COMPAT_DATABASE_SCHEMA ?? 'orange_sms';

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
  if (!databaseUrl) throw new Error('COMPAT_DATABASE_URL is not set (run.sh starts PostgreSQL and sets it)');

  const emulator: OrangeSmsEmulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 50 });
  let app: INestApplication | undefined;
  try {
    const options: OrangeSmsModuleOptions = {
      clientId: emulator.credentials.clientId,
      clientSecret: emulator.credentials.clientSecret,
      baseUrl: emulator.url,
      senderAddress: 'tel:+2250000',
      webhookSecret: WEBHOOK_SECRET,
      postgres: { url: databaseUrl, schema },
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
    emulator.inboundUrl = `${url}/orange-sms/webhooks/inbound?token=${WEBHOOK_SECRET}`;

    const sms = app.get(OrangeSmsService);
    const listener = app.get(ReceiptListener);
    const sent: SentSms = await sms.send({ to: '+2250700000001', text: `compat ${name}` });
    if (typeof sent.id !== 'string' || sent.id === '') throw new Error(`send returned no id: ${JSON.stringify(sent)}`);

    const receipt = await listener.waitFor(sent.id, RECEIPT_TIMEOUT_MS);
    if (!(receipt instanceof DeliveryReceiptEvent)) throw new Error('the receipt is not a DeliveryReceiptEvent');
    if (receipt.status !== 'DeliveredToTerminal') throw new Error(`receipt status ${receipt.status}`);
    const tracked: TrackedSms | undefined = await sms.getMessage(sent.id);
    if (tracked?.status !== 'delivered') throw new Error(`getMessage status ${tracked?.status}, expected delivered`);
    await checkPostgres(app, emulator, databaseUrl, sent.id);
  } finally {
    await app?.close();
    await emulator.stop();
  }
}

/** The message and an inbound SMS, read back from PostgreSQL: directly, and through the services. */
async function checkPostgres(
  app: INestApplication,
  emulator: OrangeSmsEmulator,
  connectionString: string,
  messageId: string,
): Promise<void> {
  const pool = new Pool({ connectionString });
  try {
    const pending: number[] = await pendingOrangeSmsMigrations(pool, { schema });
    if (pending.length > 0) throw new Error(`migrations ${pending.join(', ')} not applied at boot`);
    const { rows } = await pool.query<{ status: string }>(`SELECT status FROM "${schema}".messages WHERE id = $1`, [
      messageId,
    ]);
    if (rows[0]?.status !== 'delivered')
      throw new Error(`PostgreSQL row status ${rows[0]?.status}, expected delivered`);
    const stored: TrackedSms | undefined = await new PostgresOrangeSmsStore(pool, { schema }).getMessage(messageId);
    if (stored?.status !== 'delivered') throw new Error(`PostgresOrangeSmsStore status ${stored?.status}`);

    const stats = app.get(OrangeSmsStatsService);
    const report = await stats.getReport({
      since: new Date(Date.now() - 3_600_000),
      until: new Date(Date.now() + 60_000),
      interval: 'day',
      groupBy: 'country',
    });
    const total = (key: 'sent' | 'delivered' | 'units') =>
      report.rows.reduce((sum: number, row: OrangeSmsReportRow) => sum + row[key], 0);
    const groups = report.rows.map((row) => row.group).join(',');
    if (total('sent') !== 1 || total('delivered') !== 1 || total('units') !== 1 || groups !== 'CIV') {
      throw new Error(`getReport rows ${JSON.stringify(report.rows)}, expected 1 sent, delivered, 1 unit, CIV`);
    }
    const delivery = await stats.getDeliveryStats();
    if (delivery.total !== 1 || delivery.byStatus.delivered !== 1) {
      throw new Error(`getDeliveryStats total ${delivery.total}, delivered ${delivery.byStatus.delivered}`);
    }

    const answer = await emulator.receive({ from: '+2250700000002', to: '+2250000', text: 'HELLO', messageId: 'in-1' });
    if (answer.status !== 200) throw new Error(`inbound SMS answered ${answer.status}: ${answer.body}`);
    const inbox = app.get(OrangeSmsInboxService);
    const received = await inbox.get('id:in-1');
    if (received?.text !== 'HELLO') throw new Error(`inbox.get gave ${JSON.stringify(received)}`);
    const page = await inbox.list({ from: 'tel:+2250700000002' });
    if (page.items.length !== 1) throw new Error(`inbox.list gave ${page.items.length} messages, expected 1`);
    // run.sh requires this line from the entries that install pg.
    console.log(`POSTGRES ${name}: records read back from schema ${schema}`);
  } finally {
    await pool.end();
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
