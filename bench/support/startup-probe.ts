/**
 * Child process entry, run fresh for every sample: times importing and booting a Nest application.
 * argv[2]:
 * - `bare`: @nestjs/core + common + event-emitter, an app with EventEmitterModule, create + init;
 * - `ours`: the same plus importing the package's entry (lib/index.ts as compiled, the same JS as
 *   dist/) and OrangeSmsModule.forRoot() registered;
 * - `import:<specifier>`: after Nest is loaded, the time to import one package (the breakdown);
 * - `own`: after Nest and @nestjs/axios are loaded, the time to import the package's own modules.
 * Prints one JSON line: { ms, cpuMs, firstCheckMs? } (cpuMs: CPU time of the process, all threads).
 */
const started = performance.now();
const cpuStarted = process.cpuUsage();
const mode = process.argv[2] ?? 'bare';

await import('reflect-metadata');
const { Module } = await import('@nestjs/common');
const { NestFactory } = await import('@nestjs/core');
const { EventEmitterModule } = await import('@nestjs/event-emitter');

if (mode.startsWith('import:') || mode === 'own') {
  await import('@nestjs/platform-express');
  if (mode === 'own') await import('@nestjs/axios');
  const begin = performance.now();
  if (mode === 'own') await import('../../lib/index.js');
  else await import(mode.slice('import:'.length));
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - begin })}\n`);
  process.exit(0);
}

const imports: unknown[] = [EventEmitterModule.forRoot()];
let orange: typeof import('../../lib/index.js') | undefined;
if (mode === 'ours') {
  orange = await import('../../lib/index.js');
  imports.push(
    orange.OrangeSmsModule.forRoot({
      clientId: 'probe-client-id',
      clientSecret: 'probe-client-secret',
      baseUrl: 'http://127.0.0.1:9',
      senderAddress: 'tel:+2250000',
      webhookSecret: 'probe-webhook-secret-0123456789',
    }),
  );
}
class AppModule {}
Module({ imports: imports as never[] })(AppModule);
const app = await NestFactory.create(AppModule, { logger: false });
await app.init();
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1000;

// What the first send then pays on top (a lazily loaded dependency, a cold path): listMessages({ to })
// runs the recipient check and nothing else that touches the network.
let firstCheckMs: number | undefined;
if (orange) {
  const sms = app.get(orange.OrangeSmsService);
  const begin = performance.now();
  await sms.listMessages({ to: '+2250700000001' });
  firstCheckMs = performance.now() - begin;
}
process.stdout.write(`${JSON.stringify({ ms, cpuMs, firstCheckMs })}\n`);
await app.close();
process.exit(0);
