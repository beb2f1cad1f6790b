// Compatibility host: a NestJS application written as a plain ESM JavaScript project ("type": "module"),
// with the packed nestjs-orange-sms installed from its tarball. Decorators are applied by calling them,
// as TypeScript's emit would. Sends one SMS through the embedded emulator and waits for its delivery
// receipt on the app's webhook. With COMPAT_DATABASE_URL (run.sh sets it for the entries that install
// `pg`), the records are kept in PostgreSQL (`postgres: { url, schema }`) and read back: the schema's
// tables, `nestjs-orange-sms/postgres` imported from the tarball, a report, the delivery stats and the
// inbox. Prints `COMPAT <name>: ok` or `COMPAT <name>: FAILED <reason>`.
//   COMPAT_NAME=<matrix entry> COMPAT_PLATFORM=express|fastify [COMPAT_DATABASE_URL=postgres://… COMPAT_DATABASE_SCHEMA=…] node main.mjs
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  DeliveryReceiptEvent,
  OnDeliveryReceipt,
  OrangeSmsInboxService,
  OrangeSmsModule,
  OrangeSmsService,
  OrangeSmsStatsService,
} from 'nestjs-orange-sms';
import { OrangeSmsEmulator } from 'orange-sms-emulator';

const name = process.env.COMPAT_NAME ?? 'esm-js';
const platform = process.env.COMPAT_PLATFORM ?? 'express';
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

/** Collects delivery receipts; `waitFor(id)` resolves with the receipt for that message. */
class ReceiptListener {
  constructor() {
    this.receipts = [];
    this.waiters = [];
  }

  onReceipt(event) {
    this.receipts.push(event);
    for (const waiter of this.waiters) waiter(event);
  }

  waitFor(messageId, timeoutMs) {
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
Injectable()(ReceiptListener);
decorateMethod(ReceiptListener, 'onReceipt', OnDeliveryReceipt());

/** What TypeScript's `__decorate` does for a method decorator. */
function decorateMethod(target, key, ...decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
  for (const decorator of decorators.reverse()) descriptor = decorator(target.prototype, key, descriptor) ?? descriptor;
  Object.defineProperty(target.prototype, key, descriptor);
}

async function createApp(AppModule) {
  const options = { logger: ['error', 'warn'], abortOnError: false };
  if (platform === 'express') return NestFactory.create(AppModule, options);
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    return NestFactory.create(AppModule, new FastifyAdapter(), options);
  }
  throw new Error(`unknown platform ${platform}`);
}

async function main() {
  const emulator = await OrangeSmsEmulator.start({ deliveryDelayMs: 50 });
  let app;
  try {
    class AppModule {}
    Module({
      imports: [
        EventEmitterModule.forRoot(),
        OrangeSmsModule.forRoot({
          clientId: emulator.credentials.clientId,
          clientSecret: emulator.credentials.clientSecret,
          baseUrl: emulator.url,
          senderAddress: 'tel:+2250000',
          webhookSecret: WEBHOOK_SECRET,
          ...(databaseUrl ? { postgres: { url: databaseUrl, schema } } : {}),
        }),
      ],
      providers: [ReceiptListener],
    })(AppModule);

    app = await createApp(AppModule);
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    emulator.deliveryReceiptUrl = `${url}/orange-sms/webhooks/delivery-receipts?token=${WEBHOOK_SECRET}`;
    emulator.inboundUrl = `${url}/orange-sms/webhooks/inbound?token=${WEBHOOK_SECRET}`;

    const sms = app.get(OrangeSmsService);
    const listener = app.get(ReceiptListener);
    const sent = await sms.send({ to: '+2250700000001', text: `compat ${name}` });
    if (typeof sent.id !== 'string' || sent.id === '') throw new Error(`send returned no id: ${JSON.stringify(sent)}`);

    const receipt = await listener.waitFor(sent.id, RECEIPT_TIMEOUT_MS);
    if (!(receipt instanceof DeliveryReceiptEvent)) throw new Error('the receipt is not a DeliveryReceiptEvent');
    if (receipt.status !== 'DeliveredToTerminal') throw new Error(`receipt status ${receipt.status}`);
    const tracked = await sms.getMessage(sent.id);
    if (tracked?.status !== 'delivered') throw new Error(`getMessage status ${tracked?.status}, expected delivered`);
    if (platform === 'fastify' && app.getHttpAdapter().getType() !== 'fastify') throw new Error('not on Fastify');
    if (databaseUrl) await checkPostgres(app, emulator, sent.id);
  } finally {
    await app?.close();
    await emulator.stop();
  }
}

/** The message and an inbound SMS, read back from PostgreSQL: directly, and through the services. */
async function checkPostgres(app, emulator, messageId) {
  const { PostgresOrangeSmsStore, pendingOrangeSmsMigrations } = await import('nestjs-orange-sms/postgres');
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: databaseUrl });
  try {
    const pending = await pendingOrangeSmsMigrations(pool, { schema });
    if (pending.length > 0) throw new Error(`migrations ${pending.join(', ')} not applied at boot`);
    const { rows } = await pool.query(`SELECT status FROM "${schema}".messages WHERE id = $1`, [messageId]);
    if (rows[0]?.status !== 'delivered')
      throw new Error(`PostgreSQL row status ${rows[0]?.status}, expected delivered`);
    const stored = await new PostgresOrangeSmsStore(pool, { schema }).getMessage(messageId);
    if (stored?.status !== 'delivered') throw new Error(`PostgresOrangeSmsStore status ${stored?.status}`);

    const report = await app.get(OrangeSmsStatsService).getReport({
      since: new Date(Date.now() - 3_600_000),
      until: new Date(Date.now() + 60_000),
      interval: 'day',
      groupBy: 'country',
    });
    const total = (key) => report.rows.reduce((sum, row) => sum + row[key], 0);
    const groups = report.rows.map((row) => row.group).join(',');
    if (total('sent') !== 1 || total('delivered') !== 1 || total('units') !== 1 || groups !== 'CIV') {
      throw new Error(`getReport rows ${JSON.stringify(report.rows)}, expected 1 sent, delivered, 1 unit, CIV`);
    }
    const stats = await app.get(OrangeSmsStatsService).getDeliveryStats();
    if (stats.total !== 1 || stats.byStatus.delivered !== 1) {
      throw new Error(`getDeliveryStats total ${stats.total}, delivered ${stats.byStatus.delivered}`);
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
  (error) => {
    console.error(error);
    console.log(`COMPAT ${name}: FAILED ${String(error?.message ?? error).split('\n')[0]}`);
    process.exit(1);
  },
);
