/**
 * Child process entry: a Nest application (argv[2]: express | fastify) with OrangeSmsModule's
 * webhook controller (default in-memory store) and, beside it, a bare route that takes the same JSON
 * body and answers 200 with a body of the same shape: the ceiling for a webhook on that platform.
 * With a Redis URL (argv[3]) the module keeps its records on Redis and a delivery-receipt listener
 * runs, and the bare route makes one Redis round trip (a SET of the body): the ceiling for a webhook
 * that makes what it acknowledges durable. With a PostgreSQL URL instead, the module keeps its records
 * on PostgreSQL (a listener runs too) and the bare route makes one transaction on a pool of the
 * module's size (BEGIN; INSERT … ON CONFLICT DO NOTHING; COMMIT).
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import pg from 'pg';
import {
  type DeliveryReceiptEvent,
  ORANGE_SMS_STORE,
  OnDeliveryReceipt,
  OrangeSmsModule,
  type OrangeSmsStore,
} from '../../lib/index.js';
import { serve } from './ipc.js';
import { WEBHOOK_SECRET } from './webhook-bench.js';

const platform = process.argv[2] === 'fastify' ? 'fastify' : 'express';
const storeUrl = process.argv[3];
const redisUrl = storeUrl?.startsWith('redis') ? storeUrl : undefined;
const postgresUrl = storeUrl?.startsWith('postgres') ? storeUrl : undefined;
const bareRedis = redisUrl ? new Redis(redisUrl, { lazyConnect: false }) : undefined;
/** The size of the pool the module makes from `postgres: { url }`. */
const POSTGRES_POOL_SIZE = 10;
const barePostgres = postgresUrl ? new pg.Pool({ connectionString: postgresUrl, max: POSTGRES_POOL_SIZE }) : undefined;
await barePostgres?.query('CREATE TABLE IF NOT EXISTS bare_receipts (key text PRIMARY KEY, body jsonb NOT NULL)');

@Controller('bare')
class BareController {
  @Post('delivery-receipts')
  @HttpCode(200)
  async receive(@Body() body: unknown): Promise<{ accepted: number; duplicates: number }> {
    const ok = typeof body === 'object' && body !== null && 'deliveryInfoNotification' in body;
    if (ok && bareRedis) {
      const key = (body as { deliveryInfoNotification: { callbackData?: string } }).deliveryInfoNotification
        .callbackData;
      await bareRedis.set(`bare:${key}`, JSON.stringify(body), 'EX', 600);
    }
    if (ok && barePostgres) {
      const key = (body as { deliveryInfoNotification: { callbackData?: string } }).deliveryInfoNotification
        .callbackData;
      const client = await barePostgres.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO bare_receipts (key, body) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
          key,
          JSON.stringify(body),
        ]);
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(error as Error); // a broken connection must not go back to the pool
        throw error;
      }
    }
    return { accepted: ok ? 1 : 0, duplicates: 0 };
  }
}

/** Receipts delivered to a listener: the outbox must not pile up. */
@Injectable()
class ReceiptCounter {
  count = 0;
  @OnDeliveryReceipt()
  on(_event: DeliveryReceiptEvent): void {
    this.count++;
  }
}

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRoot({
      clientId: 'bench-client-id',
      clientSecret: 'bench-client-secret',
      baseUrl: 'http://127.0.0.1:9',
      senderAddress: 'tel:+2250000',
      webhookSecret: WEBHOOK_SECRET,
      ...(redisUrl ? { redis: { url: redisUrl, keyPrefix: 'ingest-bench:' } } : {}),
      ...(postgresUrl ? { postgres: { url: postgresUrl } } : {}),
    }),
  ],
  controllers: [BareController],
  providers: storeUrl ? [ReceiptCounter] : [],
})
class WebhookBenchModule {}

const options = { logger: ['error', 'warn'] as ('error' | 'warn')[] };
const app =
  platform === 'fastify'
    ? await NestFactory.create(WebhookBenchModule, new FastifyAdapter(), options)
    : await NestFactory.create(WebhookBenchModule, options);
await app.listen(0, '127.0.0.1');
const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');

const store = app.get<OrangeSmsStore>(ORANGE_SMS_STORE);

serve(
  { url, platform },
  {
    rss: () => process.memoryUsage().rss,
    /** CPU time (user + system, µs) this process has used so far. */
    cpu: () => {
      const usage = process.cpuUsage();
      return usage.user + usage.system;
    },
    /** Notifications recorded but not yet delivered to listeners (should stay near zero). */
    outbox: async () => (await store.listEvents()).length,
    /** Receipts the listener saw (Redis and PostgreSQL modes). */
    received: () => (storeUrl ? app.get(ReceiptCounter).count : 0),
  },
);
