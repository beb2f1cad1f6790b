import { runOrangeSmsCli } from '../../src/orange-sms.cli.js';
import type { OrangeSmsEmulator } from 'orange-sms-emulator';

export type CliEnv = Record<string, string | undefined>;

/** The environment of an operator pointed at the emulator (credentials only ever come from here). */
export function emulatorCliEnv(emulator: OrangeSmsEmulator, overrides: CliEnv = {}): CliEnv {
  return {
    ORANGE_SMS_CLIENT_ID: emulator.credentials.clientId,
    ORANGE_SMS_CLIENT_SECRET: emulator.credentials.clientSecret,
    ORANGE_SMS_BASE_URL: emulator.url,
    ORANGE_SMS_COUNTRY: 'CIV',
    ...overrides,
  };
}

/** `orange-sms <args>` in-process; stdout and stderr are also pushed to `outputs`, for a secrets check. */
export async function runCli(
  args: string[],
  env: CliEnv,
  options: { signal?: AbortSignal; outputs?: string[] } = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runOrangeSmsCli(args, {
    out: { write: (chunk: string) => (out += chunk) },
    err: { write: (chunk: string) => (err += chunk) },
    env,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  options.outputs?.push(out, err);
  return { code, out, err };
}

/** No output holds the client secret, the Basic credentials, or any of `secrets` (tokens, webhook secret). */
export function expectNoSecrets(outputs: string[], emulator: OrangeSmsEmulator, secrets: Iterable<string>): void {
  const { clientId, clientSecret } = emulator.credentials;
  const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
  const forbidden = [clientSecret, basic, ...secrets];
  for (const output of outputs) {
    for (const secret of forbidden) expect(output).not.toContain(secret);
  }
}

/** Every bearer token the emulator saw, to check that none leaked into an output. */
export function bearerTokensSeen(emulator: OrangeSmsEmulator): string[] {
  return emulator.requests
    .map((request) => request.headers.authorization)
    .filter((value): value is string => typeof value === 'string' && value.startsWith('Bearer '))
    .map((value) => value.slice('Bearer '.length));
}
