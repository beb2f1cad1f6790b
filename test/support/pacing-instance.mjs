// One app instance of a fleet, in its own process so a test can SIGSTOP or SIGKILL it mid-send. Uses the
// built package by name (run `npm run build` first). Paces through Redis (fleet pacing).
// Env: EMULATOR_URL, CLIENT_ID, CLIENT_SECRET, REDIS_URL; optional BASE_URL (a proxy in front of the
// emulator), RATE (per second), TIMEOUT_MS (attempt timeout), KEY_PREFIX.
// Reads JSON lines on stdin: {send: count, tag, concurrency, stopBeforeWrite}; with stopBeforeWrite the
// instance stops itself (SIGSTOP) at the first send request it is about to write, after the pacing let
// it go: a process pause (SIGSTOP, a long GC, a frozen VM) between the two; the test sends SIGCONT. Prints JSON lines on stdout: {ready},
// {done: tag, sent, failed, errors}, {bootError}.
import 'reflect-metadata';
import { ClientRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { OrangeSmsModule, OrangeSmsService } from 'nestjs-orange-sms';

const env = process.env;
const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

class InstanceModule {}
Module({
  imports: [
    EventEmitterModule.forRoot(),
    OrangeSmsModule.forRoot({
      clientId: env.CLIENT_ID,
      clientSecret: env.CLIENT_SECRET,
      baseUrl: env.BASE_URL ?? env.EMULATOR_URL,
      senderAddress: 'tel:+2250000',
      rateLimit: { perSecond: Number(env.RATE ?? 5) },
      ...(env.TIMEOUT_MS ? { timeoutMs: Number(env.TIMEOUT_MS) } : {}),
      redis: { url: env.REDIS_URL, ...(env.KEY_PREFIX ? { keyPrefix: env.KEY_PREFIX } : {}) },
      webhooks: { enabled: false },
    }),
  ],
})(InstanceModule);

let app;
try {
  app = await NestFactory.createApplicationContext(InstanceModule, { logger: false });
} catch (error) {
  print({ bootError: error.message, name: error.name });
  process.exit(1);
}
const sms = app.get(OrangeSmsService);
let stopBeforeWrite = false;
const end = ClientRequest.prototype.end;
ClientRequest.prototype.end = function (...args) {
  if (stopBeforeWrite && this.method === 'POST' && /\/requests$/.test(this.path)) {
    stopBeforeWrite = false;
    print({ stopping: process.pid });
    process.kill(process.pid, 'SIGSTOP');
  }
  return end.apply(this, args);
};
createInterface({ input: process.stdin }).on('line', (text) => {
  const order = JSON.parse(text);
  if (order.stopBeforeWrite) stopBeforeWrite = true;
  const inputs = Array.from({ length: order.send }, (_, i) => ({
    to: `+22507${String(order.number ?? 0).padStart(2, '0')}${String(i).padStart(6, '0')}`,
    text: `${order.tag} ${i}`,
  }));
  void sms.sendMany(inputs, { concurrency: order.concurrency ?? order.send }).then((result) =>
    print({
      done: order.tag,
      sent: result.sent,
      failed: result.failed,
      errors: result.results.filter((r) => r.status === 'failed').map((r) => r.error?.name ?? 'Error'),
    }),
  );
});
print({ ready: process.pid });
