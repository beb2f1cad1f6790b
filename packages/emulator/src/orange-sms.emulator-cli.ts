#!/usr/bin/env node
/**
 * `orange-sms-emulator`: runs the Orange SMS emulator from a shell. Import-safe: importing this
 * module only defines `runCli`; the process entry runs only when this file is executed directly.
 */
import { parseArgs } from 'node:util';
import { maskSecret, maskText } from './orange-sms.emulator-mask.js';
import { OrangeSmsEmulator } from './orange-sms.emulator.js';
import type {
  OrangeDeliveryStatus,
  OrangeSmsEmulatorAccountOptions,
  OrangeSmsEmulatorOptions,
} from './orange-sms.emulator-types.js';
import { isEntryPoint } from './orange-sms.emulator-entry.js';

const USAGE = `Usage: orange-sms-emulator [options]

An emulator of Orange's SMS API (Africa and Middle East) on loopback, for development and tests,
with a web inbox at / showing the SMS your app sends, live.

Options:
  --port <n>                    port to listen on (default 8085; 0 = any free port)
  --host <host>                 interface (default 127.0.0.1)
  --client-id <id>              accepted client id (default emulator-client-id)
  --client-secret <secret>      accepted client secret (default emulator-client-secret)
  --account <name>:<id>:<secret>
                                one more Orange app, repeatable: its own client id and secret,
                                tokens, contracts, units, statistics, rate window and callbacks
                                (countries, units and rate limit from the flags below)
  --account-webhook-secret <name>:<secret>
                                with --app-url: that account's webhookSecret (?token=<secret>)
  --delivery-receipt-url <url>  where delivery receipts are POSTed
  --inbound-url <url>           where inbound SMS are POSTed
  --app-url <url>               your app's base URL: sets both callback URLs at once, to
                                <app-url>/<webhook-path>/delivery-receipts and .../inbound
                                (not with --delivery-receipt-url or --inbound-url); an account's
                                go to <app-url>/<webhook-path>/accounts/<name>/delivery-receipts
                                and .../inbound, like the module's routes
  --webhook-path <path>         the module's webhook prefix, with --app-url (default orange-sms/webhooks)
  --webhook-secret <secret>     the module's webhookSecret, with --app-url: sent as ?token=<secret>
  --delivery-delay-ms <n>       delay of the automatic delivery receipt (default 300)
  --auto-delivery-status <s>    status of automatic receipts, or "none" (default DeliveredToTerminal)
  --token-ttl-seconds <n>       token lifetime (default 3600)
  --rate-limit-per-second <n>   sends allowed per sliding second (default unlimited; Orange: 5)
  --admin-format <f>            admin response format: current | legacy (default current)
  --countries <list>            contracts held, ISO alpha-3, comma-separated (default CIV)
  --initial-units <n>           units of each contract (default 1000)
  --help                        show this help

Environment:
  ORANGE_SMS_EMULATOR_ACCOUNTS  more accounts as JSON, by name: {"ci":{"clientId":"…","clientSecret":"…",
                                "countries":["CIV"],"initialUnits":500,"rateLimitPerSecond":5,
                                "approvedSenderNames":["Shop"],"deliveryReceiptUrl":"…","inboundUrl":"…",
                                "webhookSecret":"…"}}; webhookSecret is used with --app-url
Secrets are never printed in full.
`;

/** The environment variable holding more accounts as JSON. */
export const ACCOUNTS_ENV = 'ORANGE_SMS_EMULATOR_ACCOUNTS';

/** An account given to the CLI: the emulator's options plus the module's webhook secret for --app-url. */
type CliAccount = OrangeSmsEmulatorAccountOptions & { webhookSecret?: string };

const STATUSES: readonly OrangeDeliveryStatus[] = [
  'DeliveredToTerminal',
  'DeliveredToNetwork',
  'MessageWaiting',
  'DeliveryUncertain',
  'DeliveryImpossible',
];

/** Thrown by `runCli` for --help (exitCode 0, usage already printed) and for bad flags (exitCode 2). */
export class OrangeSmsEmulatorCliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'OrangeSmsEmulatorCliExit';
  }
}

interface Output {
  write(chunk: string): unknown;
}

export { maskSecret };

function bad(message: string): OrangeSmsEmulatorCliExit {
  return new OrangeSmsEmulatorCliExit(2, `orange-sms-emulator: ${message}\nRun with --help for the options.`);
}

function numberFlag(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min)
    throw bad(`--${name} must be a number >= ${min}, got '${value}'`);
  return n;
}

/**
 * `--app-url` (with `--webhook-path` and `--webhook-secret`) → both callback URLs, pointing at the module's
 * webhook routes. One source of truth for the app's address: combining it with an explicit callback URL
 * would leave the two disagreeing, so that is a usage error.
 */
function appCallbackUrls(
  appUrl: string | undefined,
  webhookPath: string | undefined,
  webhookSecret: string | undefined,
  values: { 'delivery-receipt-url'?: string; 'inbound-url'?: string },
  accountName?: string,
): Pick<OrangeSmsEmulatorOptions, 'deliveryReceiptUrl' | 'inboundUrl'> {
  if (appUrl === undefined) {
    if (webhookPath !== undefined) throw bad('--webhook-path needs --app-url');
    if (webhookSecret !== undefined) throw bad('--webhook-secret needs --app-url');
    return {};
  }
  for (const name of ['delivery-receipt-url', 'inbound-url'] as const) {
    if (values[name] !== undefined) throw bad(`--app-url sets both callback URLs; do not combine it with --${name}`);
  }
  if (webhookSecret !== undefined && webhookSecret === '') throw bad('--webhook-secret must not be empty');
  // The module's default prefix (lib/webhooks/orange-sms.webhook-config.ts), slashes trimmed the same way;
  // another account's routes are /{path}/accounts/{account}/… (shared/design.md, "Several Orange accounts").
  const prefix = (webhookPath ?? 'orange-sms/webhooks').replace(/^\/+|\/+$/g, '');
  const path = accountName === undefined ? prefix : `${prefix ? `${prefix}/` : ''}accounts/${accountName}`;
  const callback = (route: string): string => {
    const url = new URL(appUrl);
    const base = url.pathname.replace(/\/+$/, '');
    url.pathname = `${base}/${path ? `${path}/` : ''}${route}`;
    if (webhookSecret !== undefined) url.searchParams.set('token', webhookSecret);
    return url.toString();
  };
  return { deliveryReceiptUrl: callback('delivery-receipts'), inboundUrl: callback('inbound') };
}

/** `name:value` of a repeatable flag; the value is everything after the first colon (it may hold ':'). */
function namedValue(flag: string, raw: string): [string, string] {
  const colon = raw.indexOf(':');
  if (colon <= 0 || colon === raw.length - 1) throw bad(`--${flag} must be <name>:<value>`);
  return [raw.slice(0, colon), raw.slice(colon + 1)];
}

/** `--account name:clientId:clientSecret` (the secret may hold ':'); never echoes the secret. */
function accountFlag(raw: string): [string, CliAccount] {
  const [name, rest] = namedValue('account', raw);
  const colon = rest.indexOf(':');
  if (colon <= 0 || colon === rest.length - 1)
    throw bad(`--account ${name} must be <name>:<client-id>:<client-secret>`);
  return [name, { clientId: rest.slice(0, colon), clientSecret: rest.slice(colon + 1) }];
}

/** ORANGE_SMS_EMULATOR_ACCOUNTS; a parse error never quotes the text (it holds secrets). */
function accountsFromEnv(text: string | undefined): Record<string, CliAccount> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad(`${ACCOUNTS_ENV} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw bad(`${ACCOUNTS_ENV} must be a JSON object of accounts by name`);
  for (const [name, account] of Object.entries(parsed)) {
    if (account === null || typeof account !== 'object' || Array.isArray(account))
      throw bad(`${ACCOUNTS_ENV}: account ${name} must be an object`);
    const webhookSecret = (account as CliAccount).webhookSecret;
    if (webhookSecret !== undefined && (typeof webhookSecret !== 'string' || webhookSecret === ''))
      throw bad(`${ACCOUNTS_ENV}: account ${name}: webhookSecret must be a non-empty string`);
  }
  return parsed as Record<string, CliAccount>;
}

/**
 * Parses the flags (and ORANGE_SMS_EMULATOR_ACCOUNTS) into emulator options; throws
 * OrangeSmsEmulatorCliExit on --help or a bad flag.
 */
export function parseCliArgs(
  argv: string[],
  out: Output = process.stdout,
  env: Record<string, string | undefined> = process.env,
): OrangeSmsEmulatorOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'client-id': { type: 'string' },
        'client-secret': { type: 'string' },
        account: { type: 'string', multiple: true },
        'account-webhook-secret': { type: 'string', multiple: true },
        'delivery-receipt-url': { type: 'string' },
        'inbound-url': { type: 'string' },
        'app-url': { type: 'string' },
        'webhook-path': { type: 'string' },
        'webhook-secret': { type: 'string' },
        'delivery-delay-ms': { type: 'string' },
        'auto-delivery-status': { type: 'string' },
        'token-ttl-seconds': { type: 'string' },
        'rate-limit-per-second': { type: 'string' },
        'admin-format': { type: 'string' },
        countries: { type: 'string' },
        'initial-units': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw bad((error as Error).message);
  }
  if (values.help) {
    out.write(USAGE);
    throw new OrangeSmsEmulatorCliExit(0, '');
  }

  const adminFormat = values['admin-format'];
  if (adminFormat !== undefined && adminFormat !== 'current' && adminFormat !== 'legacy') {
    throw bad(`--admin-format must be current or legacy, got '${adminFormat}'`);
  }
  const autoStatus = values['auto-delivery-status'];
  if (autoStatus !== undefined && autoStatus !== 'none' && !STATUSES.includes(autoStatus as OrangeDeliveryStatus)) {
    throw bad(`--auto-delivery-status must be one of ${STATUSES.join(', ')} or none, got '${autoStatus}'`);
  }
  for (const name of ['delivery-receipt-url', 'inbound-url', 'app-url'] as const) {
    const url = values[name];
    if (url !== undefined && !URL.canParse(url)) throw bad(`--${name} is not a URL: '${url}'`);
  }

  const options: OrangeSmsEmulatorOptions = {
    port: numberFlag('port', values.port, 0) ?? 8085,
    credentials: {
      clientId: values['client-id'] ?? 'emulator-client-id',
      clientSecret: values['client-secret'] ?? 'emulator-client-secret',
    },
  };
  if (values.host !== undefined) options.host = values.host;
  if (values['delivery-receipt-url'] !== undefined) options.deliveryReceiptUrl = values['delivery-receipt-url'];
  if (values['inbound-url'] !== undefined) options.inboundUrl = values['inbound-url'];
  Object.assign(options, appCallbackUrls(values['app-url'], values['webhook-path'], values['webhook-secret'], values));
  const delay = numberFlag('delivery-delay-ms', values['delivery-delay-ms'], 0);
  if (delay !== undefined) options.deliveryDelayMs = delay;
  if (autoStatus !== undefined)
    options.autoDeliveryStatus = autoStatus === 'none' ? null : (autoStatus as OrangeDeliveryStatus);
  const ttl = numberFlag('token-ttl-seconds', values['token-ttl-seconds'], 1);
  if (ttl !== undefined) options.tokenTtlSeconds = ttl;
  const rate = numberFlag('rate-limit-per-second', values['rate-limit-per-second'], 1);
  if (rate !== undefined) options.rateLimitPerSecond = rate;
  if (adminFormat !== undefined) options.adminFormat = adminFormat;
  if (values.countries !== undefined) {
    const countries = values.countries
      .split(',')
      .map((c) => c.trim().toUpperCase())
      .filter(Boolean);
    if (countries.length === 0 || countries.some((c) => !/^[A-Z]{3}$/.test(c))) {
      throw bad(`--countries must be ISO alpha-3 codes separated by commas, got '${values.countries}'`);
    }
    options.countries = countries;
  }
  const units = numberFlag('initial-units', values['initial-units'], 0);
  if (units !== undefined) options.initialUnits = units;
  if (values['account-webhook-secret'] !== undefined && values['app-url'] === undefined)
    throw bad('--account-webhook-secret needs --app-url');
  const accounts = cliAccounts(values.account ?? [], values['account-webhook-secret'] ?? [], env[ACCOUNTS_ENV]);
  if (Object.keys(accounts).length > 0) {
    options.accounts = {};
    for (const [name, { webhookSecret, ...account }] of Object.entries(accounts)) {
      // --app-url fills the URLs an account does not set itself, with that account's own secret.
      const own = { 'delivery-receipt-url': account.deliveryReceiptUrl, 'inbound-url': account.inboundUrl };
      const urls =
        values['app-url'] !== undefined && own['delivery-receipt-url'] === undefined && own['inbound-url'] === undefined
          ? appCallbackUrls(values['app-url'], values['webhook-path'], webhookSecret, {}, name)
          : {};
      options.accounts[name] = { ...account, ...urls };
    }
  }
  return options;
}

/** Checked here too: `__proto__` and the like must not reach an options object. */
function checkAccountName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name) || name === 'default')
    throw bad(
      `account name '${name.slice(0, 80)}' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit, and not 'default'`,
    );
}

/** --account flags and the environment's JSON, by name; a name given twice is a usage error. */
function cliAccounts(
  flags: string[],
  webhookSecrets: string[],
  envText: string | undefined,
): Record<string, CliAccount> {
  const accounts = accountsFromEnv(envText);
  for (const name of Object.keys(accounts)) checkAccountName(name);
  for (const raw of flags) {
    const [name, account] = accountFlag(raw);
    checkAccountName(name);
    if (Object.hasOwn(accounts, name)) throw bad(`account ${name} is given twice (--account or ${ACCOUNTS_ENV})`);
    accounts[name] = account;
  }
  for (const raw of webhookSecrets) {
    const [name, secret] = namedValue('account-webhook-secret', raw);
    const account = accounts[name];
    if (!account || !Object.hasOwn(accounts, name))
      throw bad(`--account-webhook-secret names an unknown account: ${name}`);
    account.webhookSecret = secret;
  }
  return accounts;
}

/** Starts an emulator from CLI flags and prints how to reach it (the secret masked). */
export async function runCli(
  argv: string[],
  out: Output = process.stdout,
  env: Record<string, string | undefined> = process.env,
): Promise<OrangeSmsEmulator> {
  const options = parseCliArgs(argv, out, env);
  const emulator = await OrangeSmsEmulator.start(options);
  const { clientId, clientSecret } = emulator.credentials;
  out.write(
    [
      `Orange SMS emulator listening on ${emulator.url}`,
      `  web inbox:          ${emulator.inboxUrl ?? '(disabled)'}`,
      `  client id:          ${clientId}`,
      `  client secret:      ${maskSecret(clientSecret)}`,
      `  token:              POST ${emulator.url}/oauth/v3/token`,
      `  send:               POST ${emulator.url}/smsmessaging/v1/outbound/tel%3A%2B2250000/requests`,
      `  delivery receipts:  ${emulator.deliveryReceiptUrl ? maskText(emulator.deliveryReceiptUrl) : '(none; --delivery-receipt-url or a DR subscription)'}`,
      `  inbound SMS:        ${emulator.inboundUrl ? maskText(emulator.inboundUrl) : '(none; --inbound-url)'}`,
      ...emulator.accounts
        .slice(1)
        .flatMap((account) => [
          `  account ${account.name}:`,
          `    client id:        ${account.credentials.clientId}`,
          `    client secret:    ${maskSecret(account.credentials.clientSecret)}`,
          `    delivery receipts: ${account.deliveryReceiptUrl ? maskText(account.deliveryReceiptUrl) : '(none)'}`,
          `    inbound SMS:      ${account.inboundUrl ? maskText(account.inboundUrl) : '(none)'}`,
        ]),
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
  return emulator;
}

async function main(): Promise<void> {
  let emulator: OrangeSmsEmulator | undefined;
  // Installed before starting, so a signal sent as soon as the banner appears still stops cleanly.
  const shutdown = (signal: NodeJS.Signals): void => {
    process.stdout.write(`\n${signal} received, stopping the emulator\n`);
    void (emulator?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  try {
    emulator = await runCli(process.argv.slice(2));
  } catch (error) {
    process.off('SIGINT', shutdown);
    process.off('SIGTERM', shutdown);
    if (error instanceof OrangeSmsEmulatorCliExit) {
      if (error.message) process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`orange-sms-emulator: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (isEntryPoint(import.meta.url)) void main();
