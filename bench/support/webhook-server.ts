/**
 * Child process entry: a Nest application (argv[2]: express | fastify) with OrangeSmsModule's
 * webhook controller (default in-memory store) and, beside it, a bare route that takes the same JSON
 * body and answers 200 with a body of the same shape: the ceiling for a webhook on that platform.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ORANGE_SMS_STORE, OrangeSmsModule, type OrangeSmsStore } from '../../lib/index.js';
import { serve } from './ipc.js';
import { WEBHOOK_SECRET } from './webhook-bench.js';

const platform = process.argv[2] === 'fastify' ? 'fastify' : 'express';

@Controller('bare')
class BareController {
  @Post('delivery-receipts')
  @HttpCode(200)
  receive(@Body() body: unknown): { accepted: number; duplicates: number } {
    const ok = typeof body === 'object' && body !== null && 'deliveryInfoNotification' in body;
    return { accepted: ok ? 1 : 0, duplicates: 0 };
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
    }),
  ],
  controllers: [BareController],
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
  },
);
