/**
 * `orange-sms doctor`: checks a set-up in the order a new user's first hour fails (token endpoint,
 * contracts, sender, webhook routes) and prints, for each, ok / warn / FAIL / skip and what to fix.
 * Every check uses the library's own code (token provider, balance, options validation), so the
 * doctor judges exactly what the module will do. Nothing here sends an SMS or records a notification.
 */
import {
  ORANGE_SMS_DEFAULT_BASE_URL,
  OrangeSmsApiError,
  OrangeSmsAuthError,
  type OrangeSmsBalance,
  OrangeSmsConfigurationError,
  OrangeSmsConnectionError,
  OrangeSmsError,
  type OrangeSmsModuleOptions,
  OrangeSmsTimeoutError,
  validateOrangeSmsOptions,
} from 'nestjs-orange-sms';
import {
  type CliConfiguration,
  type CliEnvironment,
  OrangeSmsCliUsageError,
  type ParsedCommandLine,
} from './orange-sms.cli-args.js';
import { type OrangeSmsCliServices, withOrangeSms } from './orange-sms.cli-commands.js';
import { type CliOutput, formatDate, maskUrlCredentials, table, toJson } from './orange-sms.cli-output.js';

/** Orange's OAuth endpoint, probed directly so the doctor can tell a wrong URL from wrong credentials. */
const ORANGE_TOKEN_PATH = '/oauth/v3/token';

export type DoctorStatus = 'ok' | 'warn' | 'FAIL' | 'skip';

export interface DoctorCheck {
  /** `token`, `contracts`, `sender`, `webhook delivery-receipts`, `webhook inbound`. */
  check: string;
  status: DoctorStatus;
  /** One line: what was found. */
  message: string;
  /** Further lines: the contracts, and what to fix. */
  details: string[];
}

/** What doctor reads besides the module options: the sender to check, the webhook routes to probe. */
export interface DoctorSettings {
  /** The sender as configured (module option fields), with where each came from. */
  sender: Pick<OrangeSmsModuleOptions, 'senderAddress' | 'country' | 'senderName'>;
  senderSources: Record<string, string>;
  appUrl?: string;
  appUrlSource?: string;
  webhookPath: string;
  expiryDays: number;
}

const DEFAULT_WEBHOOK_PATH = 'orange-sms/webhooks';
const DEFAULT_EXPIRY_DAYS = 7;
/** A webhook probe that has not answered by then is reported as unreachable. */
const PROBE_TIMEOUT_MS = 10_000;
const WEBHOOK_ROUTES = ['delivery-receipts', 'inbound'] as const;

type Command = Extract<ParsedCommandLine, { kind: 'command' }>;

function value(environment: CliEnvironment, name: string): string | undefined {
  const found = environment[name]?.trim();
  return found ? found : undefined;
}

/** Flags win over the environment, in the same order `send` reads its sender. */
export function doctorSettings(parsed: Command, environment: CliEnvironment): DoctorSettings {
  const flag = (name: string) => {
    const given = parsed.values[name];
    return typeof given === 'string' && given.trim() !== '' ? given.trim() : undefined;
  };
  const sender: DoctorSettings['sender'] = {};
  const senderSources: Record<string, string> = {};
  const pick = (field: keyof DoctorSettings['sender'], candidates: [string | undefined, string][]) => {
    const found = candidates.find(([given]) => given !== undefined);
    if (!found) return;
    sender[field] = found[0];
    senderSources[field] = found[1];
  };
  const address: [string | undefined, string][] = [
    [flag('sender-address'), '--sender-address'],
    [flag('country'), '--country'],
    [value(environment, 'ORANGE_SMS_SENDER_ADDRESS'), 'ORANGE_SMS_SENDER_ADDRESS'],
    [value(environment, 'ORANGE_SMS_COUNTRY'), 'ORANGE_SMS_COUNTRY'],
  ];
  const first = address.find(([given]) => given !== undefined);
  if (first) pick(first[1].includes('COUNTRY') || first[1] === '--country' ? 'country' : 'senderAddress', [first]);
  pick('senderName', [
    [flag('sender-name'), '--sender-name'],
    [value(environment, 'ORANGE_SMS_SENDER_NAME'), 'ORANGE_SMS_SENDER_NAME'],
  ]);

  const days = flag('expiry-days');
  const expiryDays = days === undefined ? DEFAULT_EXPIRY_DAYS : Number(days);
  if (!Number.isInteger(expiryDays) || expiryDays < 0) {
    throw new OrangeSmsCliUsageError(
      `orange-sms doctor: --expiry-days must be a whole number of days (0 or more)\nRun orange-sms doctor --help for the options.`,
    );
  }
  const appUrl = flag('app-url') ?? value(environment, 'ORANGE_SMS_APP_URL');
  const path = flag('webhook-path') ?? value(environment, 'ORANGE_SMS_WEBHOOK_PATH') ?? DEFAULT_WEBHOOK_PATH;
  return {
    sender,
    senderSources,
    ...(appUrl !== undefined
      ? { appUrl, appUrlSource: flag('app-url') !== undefined ? '--app-url' : 'ORANGE_SMS_APP_URL' }
      : {}),
    webhookPath: path.replace(/^\/+|\/+$/g, ''),
    expiryDays,
  };
}

/**
 * Runs every check, printing each as it completes (a slow probe does not hide the earlier results),
 * and resolves with the exit code: 1 when any check failed, else 0. `--json` prints one document at
 * the end instead.
 */
export async function runDoctor(
  parsed: Command,
  config: CliConfiguration,
  environment: CliEnvironment,
  out: CliOutput,
): Promise<number> {
  const settings = doctorSettings(parsed, environment);
  const checks: DoctorCheck[] = [];
  const report = (check: DoctorCheck) => {
    checks.push(check);
    if (!parsed.json) out.write(formatDoctorCheck(check));
  };
  const baseUrl = (config.options.baseUrl ?? ORANGE_SMS_DEFAULT_BASE_URL).replace(/\/+$/, '');
  if (!parsed.json) out.write(`orange-sms doctor: ${maskUrlCredentials(baseUrl)}\n`);

  try {
    await withOrangeSms(config.options, async (services) => {
      const token = await checkToken(services, config, baseUrl);
      report(token);
      report(
        token.status === 'FAIL'
          ? skipped('contracts', 'needs a token from Orange: fix the token check first')
          : await checkContracts(services, settings.expiryDays),
      );
    });
  } catch (error) {
    // The module refused to start: its options are wrong before anything reaches Orange.
    report(startFailure(error, config));
    report(skipped('contracts', 'needs a token from Orange: fix the configuration first'));
  }
  report(checkSender(settings, config));
  for (const check of await checkWebhooks(settings, config.webhookSecret)) report(check);

  const failed = checks.filter((c) => c.status === 'FAIL').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (parsed.json) {
    out.write(toJson({ ok: failed === 0, checks }));
  } else {
    out.write(
      `\n${failed === 0 ? (warned === 0 ? 'All checks passed.' : 'No check failed.') : 'Some checks failed.'} ` +
        `${checks.filter((c) => c.status === 'ok').length} ok, ${warned} warn, ${failed} FAIL, ` +
        `${checks.filter((c) => c.status === 'skip').length} skip\n`,
    );
  }
  return failed > 0 ? 1 : 0;
}

/** `FAIL  token: …` then the details indented under the message. */
export function formatDoctorCheck(check: DoctorCheck): string {
  const head = `${check.status.padEnd(4)}  ${check.check}: ${check.message}\n`;
  return head + check.details.map((line) => `      ${line}\n`).join('');
}

function skipped(check: string, message: string): DoctorCheck {
  return { check, status: 'skip', message, details: [] };
}

function startFailure(error: unknown, config: CliConfiguration): DoctorCheck {
  if (error instanceof OrangeSmsConfigurationError) {
    return {
      check: 'configuration',
      status: 'FAIL',
      message: 'the module refuses these options',
      details: error.issues.map((issue) => {
        const source = config.sources[issue.field];
        return `fix ${source ? `${source} (${issue.field})` : issue.field}: ${issue.reason}`;
      }),
    };
  }
  return {
    check: 'configuration',
    status: 'FAIL',
    message: `the module did not start: ${(error as Error)?.message ?? String(error)}`,
    details: [],
  };
}

// ---- token ---------------------------------------------------------------------------------------

/** What makes Orange answer `invalid_client` to credentials that look right (portal and recordings). */
function invalidClientCauses(config: CliConfiguration): string[] {
  const header = config.sources.authorizationHeader !== undefined;
  return [
    'Usual causes:',
    "- no SMS bundle bought yet for this application: buy one on Orange's developer portal (the starter bundle is enough)",
    "- the SMS API is not activated on this application: add it to the app on Orange's developer portal",
    '- credentials of another product or application: use the client id and secret of the app that has the SMS API',
    header
      ? '- ORANGE_SMS_AUTHORIZATION_HEADER must be "Basic " + base64(client_id:client_secret), as the portal shows it'
      : '- ORANGE_SMS_CLIENT_ID and ORANGE_SMS_CLIENT_SECRET copied with a stray space, quote or a character missing ' +
        '(they are sent as the Basic header base64(client_id:client_secret))',
  ];
}

async function checkToken(
  { tokens }: OrangeSmsCliServices,
  config: CliConfiguration,
  baseUrl: string,
): Promise<DoctorCheck> {
  const tokenUrl = `${baseUrl}${ORANGE_TOKEN_PATH}`;
  const baseUrlSource = config.sources.baseUrl ?? 'ORANGE_SMS_BASE_URL or --base-url';
  try {
    await tokens.getToken();
    return { check: 'token', status: 'ok', message: `Orange issued an access token (${tokenUrl})`, details: [] };
  } catch (error) {
    if (error instanceof OrangeSmsAuthError) {
      const refused = error.status === 401 || error.code === 'invalid_client';
      return {
        check: 'token',
        status: 'FAIL',
        message: `${refused ? 'Orange refused the credentials' : 'the token request failed'}: ${error.message}`,
        details: refused
          ? invalidClientCauses(config)
          : [`fix: is ${baseUrlSource} Orange's API (${ORANGE_SMS_DEFAULT_BASE_URL}) or the emulator?`],
      };
    }
    if (error instanceof OrangeSmsApiError && (error.status === 404 || error.status === 405)) {
      return {
        check: 'token',
        status: 'FAIL',
        message: `${tokenUrl} answered HTTP ${error.status}: check baseUrl`,
        details: [
          `fix ${baseUrlSource}: Orange's is ${ORANGE_SMS_DEFAULT_BASE_URL} (no path); this is not a credentials problem`,
        ],
      };
    }
    if (error instanceof OrangeSmsConnectionError || error instanceof OrangeSmsTimeoutError) {
      return {
        check: 'token',
        status: 'FAIL',
        message: `cannot reach ${tokenUrl}: ${error.message}`,
        details: [`fix: check ${baseUrlSource}, DNS, proxy and firewall from this machine`],
      };
    }
    if (error instanceof OrangeSmsApiError) {
      return {
        check: 'token',
        status: 'FAIL',
        message: `${tokenUrl} answered HTTP ${error.status}: ${error.text}`,
        details: error.status >= 500 ? ["Orange's side: try again later"] : [],
      };
    }
    return {
      check: 'token',
      status: 'FAIL',
      message: error instanceof OrangeSmsError ? error.message : `unexpected error: ${(error as Error)?.message}`,
      details: [],
    };
  }
}

// ---- contracts -----------------------------------------------------------------------------------

async function checkContracts({ stats }: OrangeSmsCliServices, expiryDays: number): Promise<DoctorCheck> {
  let balance: OrangeSmsBalance;
  try {
    balance = await stats.getBalance();
  } catch (error) {
    return {
      check: 'contracts',
      status: 'FAIL',
      message: `cannot read the contracts: ${(error as Error)?.message ?? String(error)}`,
      details: [],
    };
  }
  if (balance.contracts.length === 0) {
    return {
      check: 'contracts',
      status: 'FAIL',
      message: 'no contract: every send will be refused',
      details: ["fix: buy an SMS bundle for your country on Orange's developer portal"],
    };
  }
  const details = table(
    ['COUNTRY', 'OFFER', 'STATE', 'UNITS', 'EXPIRES', 'CONTRACT'],
    balance.contracts.map((c) => [c.country, c.offer, c.state, c.availableUnits, formatDate(c.expiresAt), c.id]),
  )
    .trimEnd()
    .split('\n');
  const warnings: string[] = [];
  const soon = Date.now() + expiryDays * 86_400_000;
  for (const c of balance.contracts) {
    if (c.state !== 'active') {
      if (c.availableUnits > 0)
        warnings.push(
          `warn: ${c.country} contract ${c.id} is ${c.state} with ${c.availableUnits} units left: Orange refuses ` +
            `every send on it${c.state === 'expired' ? ' (POL0001 "Expired contract")' : ''}; ` +
            `buy a bundle for ${c.country} to use them again`,
        );
    } else if (c.availableUnits === 0) {
      warnings.push(`warn: ${c.country} contract ${c.id} has no units left: buy a bundle for ${c.country}`);
    } else if (c.expiresAt !== undefined && c.expiresAt.getTime() <= soon) {
      warnings.push(
        `warn: ${c.country} contract ${c.id} expires ${formatDate(c.expiresAt)}, within ${expiryDays} days: ` +
          `its ${c.availableUnits} units are lost then; buy a bundle for ${c.country} to extend it`,
      );
    }
  }
  const unspendable =
    balance.unspendableUnits > 0
      ? ` (${balance.unspendableUnits} more on expired or inactive contracts, not counted)`
      : '';
  if (balance.availableUnits === 0) {
    return {
      check: 'contracts',
      status: 'FAIL',
      message: `no spendable units: every send will be refused${unspendable}`,
      details: [...details, ...warnings, "fix: buy an SMS bundle on Orange's developer portal"],
    };
  }
  return {
    check: 'contracts',
    status: warnings.length > 0 ? 'warn' : 'ok',
    message: `${balance.availableUnits} units spendable${unspendable}`,
    details: [...details, ...warnings],
  };
}

// ---- sender --------------------------------------------------------------------------------------

const SENDER_FIELDS = new Set(['senderAddress', 'country', 'senderName', 'defaultCountry']);

/** The module's own options validation, on the sender alone: what boot would say about it. */
function checkSender(settings: DoctorSettings, config: CliConfiguration): DoctorCheck {
  const { sender, senderSources } = settings;
  const configured = sender.senderAddress !== undefined || sender.country !== undefined;
  if (!configured && sender.senderName === undefined) {
    return skipped('sender', 'not configured (set ORANGE_SMS_COUNTRY or ORANGE_SMS_SENDER_ADDRESS to check it)');
  }
  try {
    // Placeholder credentials: the token check judges the real ones, so only sender issues remain.
    const resolved = validateOrangeSmsOptions({
      clientId: 'doctor',
      clientSecret: 'doctor',
      // Without a sender address, the name alone is checked (the placeholder sender passes).
      senderAddress: configured ? sender.senderAddress : config.options.senderAddress,
      country: sender.country,
      senderName: sender.senderName,
    });
    const name = resolved.senderName;
    const address = configured ? resolved.senderAddress : 'no sender address configured';
    return {
      check: 'sender',
      status: configured ? 'ok' : 'warn',
      message: `${address}${name !== undefined ? `, name "${name}" in a form Orange accepts` : ' in a form Orange accepts'}`,
      details:
        name !== undefined ? ['Orange must also have approved the sender name for your application (portal)'] : [],
    };
  } catch (error) {
    if (!(error instanceof OrangeSmsConfigurationError)) throw error;
    const issues = error.issues.filter((issue) => SENDER_FIELDS.has(issue.field));
    if (issues.length === 0) {
      return { check: 'sender', status: 'ok', message: 'in a form Orange accepts', details: [] };
    }
    return {
      check: 'sender',
      status: 'FAIL',
      message: 'Orange would refuse this sender',
      details: issues.map((issue) => {
        const source = senderSources[issue.field];
        return `fix ${source ? `${source} (${issue.field})` : issue.field}: ${issue.reason}`;
      }),
    };
  }
}

// ---- webhooks ------------------------------------------------------------------------------------

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function webhookUrl(appUrl: URL, path: string, route: string): URL {
  const url = new URL(appUrl.toString());
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path ? `${path}/` : ''}${route}`;
  return url;
}

/** One probe: `{}` is not an Orange body, so the module's route records nothing whatever the secret. */
async function postProbe(target: URL): Promise<{ status: number; location: string | null }> {
  const response = await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'orange-sms-doctor' },
    body: '{}',
    redirect: 'manual',
    signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
  });
  await response.body?.cancel();
  return { status: response.status, location: response.headers.get('location') };
}

/**
 * POSTs `{}` to each webhook route with the secret as `?token=`, as Orange presents it. The guard
 * checks the secret before the payload parser, and `{}` is not an Orange body: 400 means "reached,
 * secret accepted" and nothing was recorded; 401 means the secret was refused.
 */
async function checkWebhooks(settings: DoctorSettings, secret: string | undefined): Promise<DoctorCheck[]> {
  if (settings.appUrl === undefined) {
    return [skipped('webhooks', 'no --app-url (ORANGE_SMS_APP_URL) given: the webhook routes were not probed')];
  }
  let appUrl: URL;
  try {
    appUrl = new URL(settings.appUrl);
    if (appUrl.protocol !== 'https:' && appUrl.protocol !== 'http:') throw new TypeError('not http(s)');
  } catch {
    return [
      {
        check: 'webhooks',
        status: 'FAIL',
        message: `${settings.appUrlSource} is not an http(s) URL`,
        details: ['fix: give the public URL Orange calls, such as https://app.example.com'],
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  for (const route of WEBHOOK_ROUTES) {
    checks.push(await probeWebhook(webhookUrl(appUrl, settings.webhookPath, route), route, secret));
  }
  return checks;
}

async function probeWebhook(url: URL, route: string, secret: string | undefined): Promise<DoctorCheck> {
  const check = `webhook ${route}`;
  const shown = maskUrlCredentials(url.toString());
  const details: string[] = [];
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    details.push('warn: Orange posts to https URLs only: serve this route over https');
  }
  const target = new URL(url.toString());
  if (secret !== undefined) target.searchParams.set('token', secret);
  let status: number;
  let location: string | null;
  try {
    ({ status, location } = await postProbe(target));
  } catch (error) {
    const cause = (error as { cause?: { code?: string } })?.cause?.code ?? (error as Error)?.name ?? 'error';
    return {
      check,
      status: 'FAIL',
      message: `cannot reach ${shown} (${cause})`,
      details: [...details, 'fix: is the application running, and is --app-url its public URL?'],
    };
  }
  const withDetails = (verdict: DoctorStatus, message: string, more: string[] = []): DoctorCheck => ({
    check,
    status: verdict === 'ok' && details.length > 0 ? 'warn' : verdict,
    message,
    details: [...details, ...more],
  });
  if (status === 400) {
    if (secret === undefined) {
      return withDetails('warn', `${shown} accepts calls without a secret (answered 400 to an empty body)`, [
        'fix: set webhookSecret in the module (and ORANGE_SMS_WEBHOOK_SECRET here): Orange does not sign callbacks',
      ]);
    }
    // Accepted with the secret; the same probe without it must be refused, else the secret proves nothing.
    const bare = new URL(url.toString());
    bare.searchParams.delete('token');
    const without = await postProbe(bare).catch(() => undefined);
    if (without?.status === 400) {
      return withDetails('warn', `${shown} reached, but it accepts calls without the secret too`, [
        'fix: remove webhookAllowUnauthenticated (or the deprecated webhooks.allowUnauthenticated), or keep the route behind your own protection',
      ]);
    }
    return withDetails('ok', `${shown} reached, secret accepted (400 to the empty probe body; nothing recorded)`);
  }
  if (status === 401) {
    return secret === undefined
      ? withDetails('warn', `${shown} reached; it requires a secret, none to check`, [
          'fix: set ORANGE_SMS_WEBHOOK_SECRET to the application webhookSecret to check it',
        ])
      : withDetails('FAIL', `${shown} refused the secret (HTTP 401)`, [
          "fix: ORANGE_SMS_WEBHOOK_SECRET is not one of the application's webhookSecret values; Orange's " +
            'callbacks carrying it as ?token= are refused too',
        ]);
  }
  if (status === 403) {
    return withDetails('warn', `${shown} refused this machine's address (HTTP 403): the secret was not checked`, [
      "the application's webhookAllowedIps lets only Orange's addresses in; run doctor from an allowed address",
    ]);
  }
  if (status === 404 || status === 405) {
    return withDetails('FAIL', `${shown} answered HTTP ${status}: no webhook route there`, [
      `fix: check --app-url and --webhook-path (the module's webhooks.path, default ${DEFAULT_WEBHOOK_PATH}; ` +
        'the routes sit outside any global prefix), and that webhooks are enabled',
    ]);
  }
  if (status >= 300 && status < 400) {
    return withDetails(
      'warn',
      `${shown} redirects (HTTP ${status}${location ? ` to ${maskUrlCredentials(location)}` : ''})`,
      ['fix: give Orange the final URL: a callback is a POST, which redirects may not carry'],
    );
  }
  if (status >= 200 && status < 300) {
    return withDetails('warn', `${shown} answered ${status} to a body that is not Orange's`, [
      "is this the module's webhook route? The module answers 400 to it",
    ]);
  }
  return withDetails('FAIL', `${shown} answered HTTP ${status}`, ['fix: see the application logs for this request']);
}
