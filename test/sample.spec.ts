import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resolves once `text` is in the output (a receipt logged by another listener may follow by a few ms). */
async function waitForOutput(output: () => string, text: string): Promise<void> {
  for (let waited = 0; !output().includes(text); waited += 50) {
    if (waited > 5_000) throw new Error(`"${text}" not in the output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The sample is built (by `npm test`) and booted as a user would run it: `npm start` without credentials. */
describe('sample app', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
  });

  it('starts on the embedded emulator with two Orange apps, sends from each and logs each receipt and an inbound SMS with its account', async () => {
    const main = join(process.cwd(), 'dist-sample/main.js');
    expect(existsSync(main)).toBe(true);
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', NO_COLOR: '1' };
    delete env.ORANGE_SMS_CLIENT_ID;
    child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const receipts = () => output.match(/Delivery receipt for SMS \S+ \(account \S+\): DeliveredToTerminal/g) ?? [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sample did not show the receipts in time:\n${output}`)), 15_000);
      const check = setInterval(() => {
        if (receipts().length >= 2 && /Replied from account sn to/.test(output)) {
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

    // One demo SMS from each account, each receipt logged with the account whose route took it.
    const sentFrom = (account: string) =>
      new RegExp(`Demo SMS from account ${account} submitted \\(id ([0-9a-f-]+)\\); 999 units left`).exec(output)?.[1];
    const fromDefault = sentFrom('default');
    const fromSn = sentFrom('sn');
    expect(fromDefault).toBeDefined();
    expect(fromSn).toBeDefined();
    expect(fromSn).not.toBe(fromDefault);
    await waitForOutput(() => output, `Delivery receipt for SMS ${fromSn} (account sn)`);
    expect(output).toContain(
      `Delivery receipt for SMS ${fromDefault} (account default): DeliveredToTerminal (tracked status: delivered)`,
    );
    expect(output).toContain(
      `Delivery receipt for SMS ${fromSn} (account sn): DeliveredToTerminal (tracked status: delivered)`,
    );
    // The inbound BAL came to the Senegal app's route, and was answered from that app.
    expect(output).toContain('Inbound SMS to account sn from +22177*****89: keyword BAL');
    expect(output).toMatch(/Replied from account sn to \+22177\*{5}89 \(SMS [0-9a-f-]+\)/);

    const url = /Sample app on (http:\/\/\S+):/.exec(output)?.[1];
    // The sn SMS went out with the Senegal app's sender, and the store knows its account.
    const tracked = (await (await fetch(`${url}/sms/${fromSn}`)).json()) as { account: string; senderAddress: string };
    expect(tracked).toMatchObject({ account: 'sn', senderAddress: 'tel:+2210000' });
    const report = (await (await fetch(`${url}/sms/report?groupBy=account`)).json()) as {
      rows: { group: string; sent: number }[];
    };
    expect(Object.fromEntries(report.rows.map((row) => [row.group, row.sent]))).toEqual({ default: 1, sn: 2 });

    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    const orangeSms = ((await health.json()) as { details: Record<string, { status: string; accounts?: unknown }> })
      .details['orange-sms']!;
    expect(orangeSms.status).toBe('up');
    expect(orangeSms.accounts).toMatchObject({ sn: { valid: true } });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^orange_sms_sends_total\{outcome="sent",error="",account="default"\} 1$/m);
    expect(metrics).toMatch(/^orange_sms_sends_total\{outcome="sent",error="",account="sn"\} 2$/m);
    expect(metrics).toMatch(
      /^orange_sms_delivery_receipts_total\{status="DeliveredToTerminal",duplicate="false",account="sn"\} \d+$/m,
    );

    // The HTTP endpoint sends from the account it is given; an unknown one is a 400 naming it.
    const send = (body: object) =>
      fetch(`${url}/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const viaSn = await send({ to: '+221770000001', text: 'Hi', account: 'sn' });
    expect(viaSn.status).toBe(201);
    expect(await viaSn.json()).toMatchObject({ account: 'sn', senderAddress: 'tel:+2210000' });
    const unknown = await send({ to: '+221770000001', text: 'Hi', account: 'cm' });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toContain('account');

    // The demo numbers are never logged in full.
    expect(output).not.toContain('2250700000089');
    expect(output).not.toContain('221770000089');
    expect(output).toContain('+22507******89');
  });

  /** Runs the built sample with real-looking credentials in a directory without .env; its exit code and output. */
  async function runWithCredentials(extra: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
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
      ...extra,
    };
    for (const [name, value] of Object.entries(extra)) if (value === undefined) delete env[name];
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
    return { code, output };
  }

  it('with real credentials, refuses to start without ORANGE_SMS_WEBHOOK_SECRET and names it', async () => {
    const { code, output } = await runWithCredentials({ ORANGE_SMS_WEBHOOK_SECRET: undefined });
    expect(code).toBe(1);
    expect(output).toContain('ORANGE_SMS_WEBHOOK_SECRET is not set');
    expect(output).not.toMatch(/Sample app on|emulator/i);
    expect(output).not.toContain('real-client-secret');
  });

  it('with the second account configured (ORANGE_SMS_SN_CLIENT_ID), refuses to start without its webhook secret', async () => {
    const { code, output } = await runWithCredentials({
      ORANGE_SMS_WEBHOOK_SECRET: 'default-webhook-secret-0123456789',
      ORANGE_SMS_SN_CLIENT_ID: 'real-sn-client-id',
      ORANGE_SMS_SN_CLIENT_SECRET: 'real-sn-client-secret',
      ORANGE_SMS_SN_WEBHOOK_SECRET: undefined,
    });
    expect(code).toBe(1);
    expect(output).toContain('ORANGE_SMS_SN_WEBHOOK_SECRET is not set');
    expect(output).not.toMatch(/Sample app on|emulator/i);
    expect(output).not.toMatch(/real-sn-client-secret|default-webhook-secret/);
  });
});
