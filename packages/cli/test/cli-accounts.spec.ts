/**
 * `orange-sms --account <name>`: the named Orange app's credentials and sender from
 * `ORANGE_SMS_<NAME>_…`, its token on every call, its name on the result; a missing variable is named.
 */
import { OrangeSmsEmulator } from 'orange-sms-emulator';
import { emulatorCliEnv, expectNoSecrets, runCli } from './support/cli-run.js';

describe('orange-sms --account', () => {
  let emulator: OrangeSmsEmulator;

  beforeAll(async () => {
    emulator = await OrangeSmsEmulator.start({
      countries: ['CIV', 'SEN'],
      accounts: { 'acme-sn': { clientId: 'acme-sn-client', clientSecret: 'acme-sn-secret-value' } },
    });
  });
  afterAll(() => emulator.stop());

  const env = () =>
    emulatorCliEnv(emulator, {
      ORANGE_SMS_ACME_SN_CLIENT_ID: 'acme-sn-client',
      ORANGE_SMS_ACME_SN_CLIENT_SECRET: 'acme-sn-secret-value',
      ORANGE_SMS_ACME_SN_COUNTRY: 'SEN',
    });

  it("sends and reads with the account's own credentials and sender, and labels the result", async () => {
    const outputs: string[] = [];
    const before = emulator.requests.length;
    const sent = await runCli(
      ['send', '--account', 'acme-sn', '--to', '+221770000001', '--text', 'hello', '--json'],
      env(),
      { outputs },
    );
    expect(sent.err).toBe('');
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.out)).toMatchObject({ account: 'acme-sn', senderAddress: 'tel:+2210000' });
    const balance = await runCli(['balance', '--account', 'acme-sn', '--json'], env(), { outputs });
    expect(balance.code).toBe(0);
    const calls = emulator.requests.slice(before).filter((request) => !request.path.includes('/oauth/'));
    expect(calls.map((request) => request.account)).toEqual(['acme-sn', 'acme-sn']);
    expect(emulator.account('acme-sn').messages).toHaveLength(1);
    expectNoSecrets(outputs, emulator, ['acme-sn-secret-value']);
  });

  it("names the account's missing variables, and refuses a name that is not an account's", async () => {
    const missing = await runCli(['balance', '--account', 'acme-sn'], emulatorCliEnv(emulator));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('ORANGE_SMS_ACME_SN_CLIENT_ID');
    expect(missing.err).toContain('ORANGE_SMS_ACME_SN_CLIENT_SECRET');
    const bad = await runCli(['balance', '--account', 'Not Valid'], env());
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--account');
  });
});
