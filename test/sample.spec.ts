import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The sample is built (by `npm test`) and booted as a user would run it: `npm start` without credentials. */
describe('sample app', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
  });

  it('starts on the embedded emulator, sends the demo SMS and logs its delivery receipt and an inbound SMS', async () => {
    const main = join(process.cwd(), 'dist-sample/main.js');
    expect(existsSync(main)).toBe(true);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NO_COLOR: '1' };
    delete env.ORANGE_SMS_CLIENT_ID;
    child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sample did not show the receipt in time:\n${output}`)), 15_000);
      const check = setInterval(() => {
        if (
          /Delivery receipt for SMS \S+: DeliveredToTerminal/.test(output) &&
          /Inbound SMS from .*keyword BAL/.test(output)
        ) {
          clearTimeout(timer);
          clearInterval(check);
          resolve();
        }
      }, 50);
      child!.on('exit', (code) => {
        clearTimeout(timer);
        clearInterval(check);
        reject(new Error(`sample exited with ${code}:\n${output}`));
      });
    });

    const sentId = /Demo SMS submitted \(id ([0-9a-f-]+)\)/.exec(output)?.[1];
    expect(sentId).toBeDefined();
    expect(output).toContain(`Delivery receipt for SMS ${sentId}: DeliveredToTerminal (tracked status: delivered)`);
    expect(output).toMatch(/Balance: 999 units left/);
    const url = /Sample app on (http:\/\/\S+):/.exec(output)?.[1];
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(
      ((await health.json()) as { details: Record<string, { status: string }> }).details['orange-sms']!.status,
    ).toBe('up');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^orange_sms_sends_total\{outcome="sent",error=""\} 2$/m);
    expect(metrics).toMatch(
      /^orange_sms_delivery_receipts_total\{status="DeliveredToTerminal",duplicate="false"\} \d+$/m,
    );

    // The demo number is never logged in full.
    expect(output).not.toContain('2250700000089');
    expect(output).toContain('+22507******89');
  });

  it('with real credentials, refuses to start without ORANGE_SMS_WEBHOOK_SECRET and names it', async () => {
    const main = join(process.cwd(), 'dist-sample/main.js');
    // A directory without a .env file, so only the environment below counts.
    const cwd = mkdtempSync(join(tmpdir(), 'sample-no-env-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      NO_COLOR: '1',
      ORANGE_SMS_CLIENT_ID: 'real-client-id',
      ORANGE_SMS_CLIENT_SECRET: 'real-client-secret',
      // Were it to start, it would call this dead loopback port, never api.orange.com.
      ORANGE_SMS_BASE_URL: 'http://127.0.0.1:9',
    };
    delete env.ORANGE_SMS_WEBHOOK_SECRET;
    child = spawn(process.execPath, [main], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sample did not exit:\n${output}`)), 15_000);
      child!.on('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    rmSync(cwd, { recursive: true, force: true });

    expect(code).toBe(1);
    expect(output).toContain('ORANGE_SMS_WEBHOOK_SECRET is not set');
    expect(output).not.toMatch(/Sample app on|emulator/i);
    expect(output).not.toContain('real-client-secret');
  });
});
