/**
 * Command line of `orange-sms`: the commands and their flags, `--help` texts generated from the same
 * table, and the module options read from the environment. No Nest here: parsing and help stay
 * instant, and every usage error is found before anything connects to Orange.
 */
import { type OrangeSmsModuleOptions } from 'nestjs-orange-sms';
import { parseArgs } from 'node:util';

export type CliCommandName =
  | 'send'
  | 'balance'
  | 'usage'
  | 'purchases'
  | 'subscribe-receipts'
  | 'get-subscription'
  | 'cancel-subscription'
  | 'doctor'
  | 'report'
  | 'export'
  | 'migrate'
  | 'emulator';

/** Where `report` and `export` read the records your application keeps (the module's `redis` store). */
const RECORDS_NOTE =
  'Reads the records your application keeps: set ORANGE_SMS_DATABASE_URL (and ORANGE_SMS_DATABASE_SCHEMA\n' +
  'if not orange_sms), or ORANGE_SMS_REDIS_URL (and ORANGE_SMS_REDIS_KEY_PREFIX if your application sets\n' +
  'redis.keyPrefix). Times are ISO 8601 (2026-11-01 or 2026-11-01T00:00:00Z).';

const WINDOW_FLAGS: Record<string, FlagSpec> = {
  since: { type: 'string', value: 'TIME', help: 'messages submitted at or after (ISO 8601)' },
  until: { type: 'string', value: 'TIME', help: 'messages submitted before (ISO 8601; default now)' },
};

interface FlagSpec {
  type: 'string' | 'boolean';
  /** Placeholder shown in help, for string flags. */
  value?: string;
  help: string;
  required?: boolean;
}

interface CommandSpec {
  summary: string;
  /** One positional argument, such as a subscription id. */
  argument?: string;
  flags: Record<string, FlagSpec>;
  /** Needs the sender (country or sender address): it sends, or addresses Orange by sender. */
  sender: boolean;
  /** Reads the application's records (the store on Redis), not only Orange. */
  records?: boolean;
  /** Extra help paragraph. */
  notes?: string;
}

/** Usage error (bad flag, missing variable): exit code 2, the message names what to fix. */
export class OrangeSmsCliUsageError extends Error {
  readonly exitCode = 2;
}

const SENDER_FLAGS: Record<string, FlagSpec> = {
  country: {
    type: 'string',
    value: 'CIV',
    help: "sender country, mapped to Orange's sender number (ORANGE_SMS_COUNTRY)",
  },
  'sender-address': { type: 'string', value: 'tel:+2250000', help: 'sender address (ORANGE_SMS_SENDER_ADDRESS)' },
  'sender-name': { type: 'string', value: 'NAME', help: 'sender name approved by Orange (ORANGE_SMS_SENDER_NAME)' },
};

const COUNTRY_FILTER: FlagSpec = { type: 'string', value: 'CIV', help: 'only this country (ISO alpha-3)' };

export const COMMANDS: Record<Exclude<CliCommandName, 'emulator'>, CommandSpec> = {
  send: {
    summary: 'send one SMS',
    sender: true,
    flags: {
      to: { type: 'string', value: '+225…', help: 'recipient, international format', required: true },
      text: { type: 'string', value: 'TEXT', help: 'message text', required: true },
      ...SENDER_FLAGS,
      'on-net': { type: 'boolean', help: "Orange subscribers only (Orange's on-net offer)" },
      reference: { type: 'string', value: 'REF', help: 'your own id for this message, echoed in the result' },
    },
    notes:
      'Prints the message id Orange assigned; its delivery receipt goes to your webhook, the CLI does not wait for it.',
  },
  balance: {
    summary: 'units left per contract',
    sender: false,
    flags: { country: COUNTRY_FILTER },
  },
  usage: {
    summary: 'units used per country and application',
    sender: false,
    flags: {
      country: COUNTRY_FILTER,
      'app-id': { type: 'string', value: 'ID', help: 'only this application id (from the Orange portal)' },
    },
  },
  purchases: {
    summary: 'bundles bought (purchase orders)',
    sender: false,
    flags: { country: COUNTRY_FILTER },
  },
  'subscribe-receipts': {
    summary: "subscribe a URL to delivery receipts (Orange's v1 subscription API)",
    sender: true,
    flags: {
      'notify-url': { type: 'string', value: 'https://…', help: 'where Orange posts the receipts', required: true },
      'callback-data': { type: 'string', value: 'DATA', help: 'echoed by Orange with each receipt' },
      country: SENDER_FLAGS.country!,
      'sender-address': SENDER_FLAGS['sender-address']!,
    },
    notes:
      'With ORANGE_SMS_WEBHOOK_SECRET set, the CLI adds it to the notify URL as ?token=… (the way the\n' +
      "module's webhooks expect it), so the secret never has to be typed. URL credentials are masked in\n" +
      'the output, --json included.',
  },
  'get-subscription': {
    summary: 'show a delivery-receipt subscription',
    argument: 'id',
    sender: false,
    flags: {},
  },
  'cancel-subscription': {
    summary: 'delete a delivery-receipt subscription',
    argument: 'id',
    sender: true,
    flags: { country: SENDER_FLAGS.country!, 'sender-address': SENDER_FLAGS['sender-address']! },
  },
  report: {
    summary: 'sent, delivered, failed, pending, units and delivery rate per period (and group)',
    sender: false,
    records: true,
    flags: {
      ...WINDOW_FLAGS,
      interval: { type: 'string', value: 'hour|day|week|month', help: 'period of each row (default day)' },
      'time-zone': { type: 'string', value: 'ZONE', help: 'IANA zone the periods are cut in (default UTC)' },
      'group-by': { type: 'string', value: 'country|senderName|status|account', help: 'one row per period and group' },
    },
    notes: RECORDS_NOTE,
  },
  export: {
    summary: 'the messages of a window as CSV or NDJSON, on standard output',
    sender: false,
    records: true,
    flags: {
      ...WINDOW_FLAGS,
      format: { type: 'string', value: 'csv|ndjson', help: 'output format (default csv)' },
      'show-numbers': { type: 'boolean', help: 'full recipient numbers (masked by default: +22507****89)' },
    },
    notes: RECORDS_NOTE,
  },
  migrate: {
    summary: "apply the PostgreSQL store's pending migrations (for the postgres option's migrate: false)",
    sender: false,
    flags: {
      schema: { type: 'string', value: 'NAME', help: "the postgres option's schema (default orange_sms)" },
    },
    notes:
      'Reads ORANGE_SMS_DATABASE_URL (else DATABASE_URL); needs no Orange credentials. Safe to run from\n' +
      'several places at once: migrations are applied once, under an advisory lock.',
  },
  doctor: {
    summary: 'check the set-up: token, contracts, sender, webhooks; prints what to fix',
    // The sender is checked, not required: doctor reads it itself (see orange-sms.cli-doctor.ts).
    sender: false,
    flags: {
      ...SENDER_FLAGS,
      'app-url': {
        type: 'string',
        value: 'https://…',
        help: "your application's public URL, to probe its webhook routes (ORANGE_SMS_APP_URL)",
      },
      'webhook-path': {
        type: 'string',
        value: 'PATH',
        help: "the module's webhooks.path (ORANGE_SMS_WEBHOOK_PATH, default orange-sms/webhooks)",
      },
      'expiry-days': {
        type: 'string',
        value: 'N',
        help: 'warn when an active contract expires within N days (default 7)',
      },
    },
    notes:
      'Checks in order: the token endpoint, the contracts (units, state, expiry), the sender address and\n' +
      'name when configured, and with --app-url the webhook routes: reachable, and ORANGE_SMS_WEBHOOK_SECRET\n' +
      "accepted (the probe is a body that is not Orange's: the app answers 400 and records nothing).\n" +
      'Each check prints ok, warn, FAIL or skip, with what to fix. Exit 1 when any check fails.',
  },
};

const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  'base-url': { type: 'string', value: 'URL', help: "Orange's API, or the emulator's URL (ORANGE_SMS_BASE_URL)" },
  account: {
    type: 'string',
    value: 'NAME',
    help: "another Orange app: its credentials and sender from ORANGE_SMS_<NAME>_CLIENT_ID … (report: that account's messages)",
  },
  json: { type: 'boolean', help: "machine output: the library's result as one JSON document on stdout" },
  help: { type: 'boolean', help: 'show this help' },
};

/** Flags that would put a credential in the shell history: refused with an explanation. */
const SECRET_FLAGS = new Set([
  'client-secret',
  'secret',
  'client-id',
  'authorization',
  'authorization-header',
  'token',
  'webhook-secret',
]);

const ENVIRONMENT = `Environment (credentials are read from here only):
  ORANGE_SMS_CLIENT_ID, ORANGE_SMS_CLIENT_SECRET  your application's credentials
  ORANGE_SMS_AUTHORIZATION_HEADER                 or the portal's ready "Basic …" value instead
  ORANGE_SMS_COUNTRY or ORANGE_SMS_SENDER_ADDRESS
                                                  the sender (send and subscriptions)
  ORANGE_SMS_SENDER_NAME                          default sender name
  ORANGE_SMS_<ACCOUNT>_CLIENT_ID, …               with --account <account>: that app's variables, same
                                                  names (ACCOUNT upper-cased, '-' as '_')
  ORANGE_SMS_BASE_URL                             default https://api.orange.com; e.g. the emulator's URL
  ORANGE_SMS_WEBHOOK_SECRET                       subscribe-receipts: added to the notify URL as ?token=
                                                  doctor: the secret the webhook probe presents
  ORANGE_SMS_APP_URL, ORANGE_SMS_WEBHOOK_PATH     doctor: where your application's webhooks are
  ORANGE_SMS_DATABASE_URL (or DATABASE_URL)       migrate: the PostgreSQL your application keeps its records in
  ORANGE_SMS_REDIS_URL, ORANGE_SMS_REDIS_KEY_PREFIX
                                                  report, export: the Redis your application keeps its records in
Secrets are never taken as flags: a flag would land in your shell history. Flags override the other
variables.`;

const EXIT_CODES = 'Exit codes: 0 ok, 1 Orange or API failure (doctor: a check failed), 2 usage or validation error.';

function flagLines(flags: Record<string, FlagSpec>): string[] {
  const entries = Object.entries(flags).map(([name, spec]) => [
    `--${name}${spec.type === 'string' ? ` <${spec.value ?? 'value'}>` : ''}`,
    `${spec.help}${spec.required ? ' (required)' : ''}`,
  ]);
  const width = Math.max(...entries.map(([left]) => left!.length));
  return entries.map(([left, right]) => `  ${left!.padEnd(width)}  ${right}`);
}

export function globalUsage(): string {
  const rows = Object.entries(COMMANDS).map(([name, spec]) => [
    `${name}${spec.argument ? ` <${spec.argument}>` : ''}`,
    spec.summary,
  ]);
  rows.push(['emulator', 'start the embedded Orange emulator (flags of orange-sms-emulator)']);
  const width = Math.max(...rows.map(([label]) => label!.length));
  const commands = rows.map(([label, summary]) => `  ${label!.padEnd(width)}  ${summary}`);
  return `Usage: orange-sms <command> [options]

Operator commands for Orange's SMS API (Africa and Middle East), through nestjs-orange-sms.

Commands:
${commands.join('\n')}

Options of every command:
${flagLines(GLOBAL_FLAGS).join('\n')}

Run orange-sms <command> --help for the command's flags.

${ENVIRONMENT}

${EXIT_CODES}
`;
}

export function commandUsage(name: keyof typeof COMMANDS): string {
  const spec = COMMANDS[name];
  const required = Object.entries(spec.flags)
    .filter(([, flag]) => flag.required)
    .map(([flag, f]) => `--${flag} <${f.value ?? 'value'}>`);
  const synopsis = [`orange-sms ${name}`, spec.argument ? `<${spec.argument}>` : '', ...required, '[options]']
    .filter(Boolean)
    .join(' ');
  return `Usage: ${synopsis}

${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.${spec.notes ? `\n${spec.notes}` : ''}

Options:
${flagLines({ ...spec.flags, ...GLOBAL_FLAGS }).join('\n')}

${ENVIRONMENT}

${EXIT_CODES}
`;
}

/** The parsed command line. `help` set means: print that text on stdout and exit 0. */
export type ParsedCommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'emulator'; args: string[] }
  | {
      kind: 'command';
      command: keyof typeof COMMANDS;
      values: Record<string, string | boolean | undefined>;
      argument?: string;
      json: boolean;
    };

function usageError(message: string, command?: string): OrangeSmsCliUsageError {
  const help = command ? `orange-sms ${command} --help` : 'orange-sms --help';
  return new OrangeSmsCliUsageError(
    `orange-sms${command ? ` ${command}` : ''}: ${message}\nRun ${help} for the options.`,
  );
}

function rejectSecretFlags(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') break;
    const name = /^--([^=]+)/.exec(arg)?.[1];
    if (name && SECRET_FLAGS.has(name)) {
      // The value is never echoed: it is probably the secret itself.
      throw usageError(
        `--${name} is not accepted: credentials are read from the environment only (ORANGE_SMS_CLIENT_ID, ORANGE_SMS_CLIENT_SECRET or ORANGE_SMS_AUTHORIZATION_HEADER, ORANGE_SMS_WEBHOOK_SECRET), never from flags, which would land in your shell history`,
      );
    }
  }
}

/** Every flag any command knows, so that the first pass skips flag values when looking for the command. */
function allFlags(): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const all: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const spec of [GLOBAL_FLAGS, ...Object.values(COMMANDS).map((c) => c.flags)]) {
    for (const [name, flag] of Object.entries(spec)) all[name] = { type: flag.type };
  }
  all.help = { type: 'boolean', short: 'h' };
  return all;
}

/**
 * Two passes: a lenient one finds the command wherever global flags put it (`--json balance` or
 * `balance --json`), then a strict one with that command's flags only.
 */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const { values, tokens } = parseArgs({
    args: [...argv],
    options: allFlags(),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const first = tokens.find((token) => token.kind === 'positional');
  const name = first?.kind === 'positional' ? first.value : undefined;

  if (name === 'emulator') return { kind: 'emulator', args: argv.slice(first!.index + 1) };
  rejectSecretFlags(argv);
  if (name === undefined) {
    if (values.help) return { kind: 'help', text: globalUsage() };
    throw usageError('a command is required (send, balance, usage, purchases, subscribe-receipts, doctor, …)');
  }
  if (name === 'help') {
    const topic = tokens.filter((t) => t.kind === 'positional')[1];
    const about = topic?.kind === 'positional' ? topic.value : undefined;
    if (about === undefined) return { kind: 'help', text: globalUsage() };
    if (about === 'emulator') return { kind: 'emulator', args: ['--help'] };
    if (!Object.hasOwn(COMMANDS, about)) throw usageError(`unknown command '${about}'`);
    return { kind: 'help', text: commandUsage(about as keyof typeof COMMANDS) };
  }
  if (!Object.hasOwn(COMMANDS, name)) throw usageError(`unknown command '${name}'`);
  const command = name as keyof typeof COMMANDS;
  const spec = COMMANDS[command];

  const rest = argv.filter((_, index) => index !== first!.index);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [flag, flagSpec] of Object.entries({ ...spec.flags, ...GLOBAL_FLAGS }))
    options[flag] = { type: flagSpec.type };
  options.help = { type: 'boolean', short: 'h' };

  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    // Node's message names the flag; the first line is enough.
    throw usageError((error as Error).message.split('\n')[0]!, command);
  }
  if (parsed.values.help) return { kind: 'help', text: commandUsage(command) };

  const expected = spec.argument ? 1 : 0;
  if (parsed.positionals.length > expected) {
    throw usageError(`unexpected argument '${parsed.positionals[expected]}'`, command);
  }
  if (spec.argument && parsed.positionals.length === 0) throw usageError(`<${spec.argument}> is required`, command);
  const missing = Object.entries(spec.flags)
    .filter(
      ([flag, flagSpec]) => flagSpec.required && (parsed.values[flag] === undefined || parsed.values[flag] === ''),
    )
    .map(([flag]) => `--${flag}`);
  if (missing.length > 0)
    throw usageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`, command);
  if (parsed.values.country !== undefined && parsed.values['sender-address'] !== undefined) {
    throw usageError('give --country or --sender-address, not both', command);
  }

  return {
    kind: 'command',
    command,
    values: parsed.values,
    ...(spec.argument ? { argument: parsed.positionals[0] } : {}),
    json: parsed.values.json === true,
  };
}

export type CliEnvironment = Record<string, string | undefined>;

/** Module options for a command, plus where each came from so a configuration error can name it. */
export interface CliConfiguration {
  options: OrangeSmsModuleOptions;
  /** Option field → environment variable or flag it came from. */
  sources: Record<string, string>;
  /** Every secret value in play, for the output redaction. */
  secrets: string[];
  /** ORANGE_SMS_WEBHOOK_SECRET, for subscribe-receipts. */
  webhookSecret?: string;
}

/**
 * A sender the stats and subscription-read calls never use but the module insists on. Those commands
 * ignore the sender variables, so a sender configured for another country cannot fail them.
 */
const UNUSED_SENDER = 'tel:+2250000';

function env(environment: CliEnvironment, name: string): string | undefined {
  const value = environment[name]?.trim();
  return value ? value : undefined;
}

/** Reads credentials and sender from the environment, flags winning; names every missing variable. */
export function resolveConfiguration(
  parsed: Extract<ParsedCommandLine, { kind: 'command' }>,
  environment: CliEnvironment,
): CliConfiguration {
  const { command, values } = parsed;
  const options: OrangeSmsModuleOptions = {};
  const sources: Record<string, string> = {};
  const missing: string[] = [];
  const set = (field: keyof OrangeSmsModuleOptions, value: string | undefined, source: string) => {
    if (value === undefined) return;
    (options as Record<string, string>)[field] = value;
    sources[field] = source;
  };
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);

  // --account acme: the app's own variables, ORANGE_SMS_ACME_CLIENT_ID and so on.
  const account = flag('account');
  if (account !== undefined && !/^[a-z0-9][a-z0-9-]{0,39}$/.test(account)) {
    throw new OrangeSmsCliUsageError(
      "--account: expected an account name (lower-case letters, digits and '-', as in the module's accounts option)",
    );
  }
  const own =
    account === undefined || account === 'default' ? 'ORANGE_SMS_' : `ORANGE_SMS_${accountVariable(account)}_`;
  const header = env(environment, `${own}AUTHORIZATION_HEADER`);
  if (header) {
    set('authorizationHeader', header, `${own}AUTHORIZATION_HEADER`);
  } else {
    for (const [field, name] of [
      ['clientId', `${own}CLIENT_ID`],
      ['clientSecret', `${own}CLIENT_SECRET`],
    ] as const) {
      const value = env(environment, name);
      if (value === undefined) missing.push(name);
      set(field, value, name);
    }
  }

  const baseUrl = flag('base-url');
  if (baseUrl !== undefined) set('baseUrl', baseUrl, '--base-url');
  else set('baseUrl', env(environment, 'ORANGE_SMS_BASE_URL'), 'ORANGE_SMS_BASE_URL');

  if (COMMANDS[command].sender) {
    if (flag('sender-address') !== undefined) set('senderAddress', flag('sender-address'), '--sender-address');
    else if (flag('country') !== undefined) set('country', flag('country'), '--country');
    else if (env(environment, `${own}SENDER_ADDRESS`) !== undefined)
      set('senderAddress', env(environment, `${own}SENDER_ADDRESS`), `${own}SENDER_ADDRESS`);
    else if (env(environment, `${own}COUNTRY`) !== undefined)
      set('country', env(environment, `${own}COUNTRY`), `${own}COUNTRY`);
    else missing.push(`${own}COUNTRY or ${own}SENDER_ADDRESS (or --country / --sender-address)`);
    if (flag('sender-name') !== undefined) set('senderName', flag('sender-name'), '--sender-name');
    else if (COMMANDS[command].flags['sender-name'])
      set('senderName', env(environment, `${own}SENDER_NAME`), `${own}SENDER_NAME`);
  } else {
    options.senderAddress = UNUSED_SENDER;
  }

  if (COMMANDS[command].records) {
    const databaseUrl = env(environment, 'ORANGE_SMS_DATABASE_URL');
    const redisUrl = env(environment, 'ORANGE_SMS_REDIS_URL');
    if (databaseUrl !== undefined) {
      // The application migrates its schema; the CLI only reads.
      const schema = env(environment, 'ORANGE_SMS_DATABASE_SCHEMA');
      options.postgres = { url: databaseUrl, migrate: false, ...(schema !== undefined ? { schema } : {}) };
      sources.postgres = 'ORANGE_SMS_DATABASE_URL';
    } else if (redisUrl === undefined) {
      missing.push('ORANGE_SMS_DATABASE_URL or ORANGE_SMS_REDIS_URL (where your application keeps its records)');
    } else {
      const keyPrefix = env(environment, 'ORANGE_SMS_REDIS_KEY_PREFIX');
      options.redis = { url: redisUrl, ...(keyPrefix !== undefined ? { keyPrefix } : {}) };
      sources.redis = 'ORANGE_SMS_REDIS_URL';
    }
  }

  if (missing.length > 0) {
    const credentials = missing.some((name) => name.startsWith(`${own}CLIENT_`))
      ? `\n  (or set ${own}AUTHORIZATION_HEADER instead of ${own}CLIENT_ID and ${own}CLIENT_SECRET)`
      : '';
    throw new OrangeSmsCliUsageError(
      `orange-sms ${command}: missing environment variable${missing.length > 1 ? 's' : ''}:\n${missing
        .map((name) => `  ${name}`)
        .join('\n')}${credentials}\nRun orange-sms ${command} --help for the environment it reads.`,
    );
  }

  const webhookSecret = env(environment, `${own}WEBHOOK_SECRET`);
  const clientId = options.clientId;
  const secrets = [
    options.clientSecret,
    options.authorizationHeader,
    options.authorizationHeader?.replace(/^Basic\s+/i, ''),
    clientId !== undefined && options.clientSecret !== undefined
      ? Buffer.from(`${clientId}:${options.clientSecret}`).toString('base64')
      : undefined,
    webhookSecret,
    urlPassword(options.redis?.url),
    urlPassword(options.postgres?.url),
  ].filter((s): s is string => s !== undefined && s !== '');
  if (own !== 'ORANGE_SMS_') {
    // The same app is the module's top-level one and the named account, so results carry its name.
    const { clientId: id, clientSecret, authorizationHeader, senderAddress, country, senderName } = options;
    options.accounts = {
      [account!]: {
        ...(authorizationHeader !== undefined ? { authorizationHeader } : { clientId: id, clientSecret }),
        ...(senderAddress !== undefined ? { senderAddress } : { country }),
        ...(senderName !== undefined ? { senderName } : {}),
      },
    };
  }
  return { options, sources, secrets, ...(webhookSecret ? { webhookSecret } : {}) };
}

/** `acme-ci` → `ACME_CI`: the account's part of its environment variables' names. */
export function accountVariable(account: string): string {
  return account.toUpperCase().replace(/-/g, '_');
}

/** The password in a `redis://` or `postgres://user:password@host` URL, to keep it out of every output. */
export function urlPassword(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    return undefined;
  }
}
