/**
 * Runs one `orange-sms` command on the library's own services, in a Nest application context built
 * for that one call, and turns the library's errors into a message and an exit code.
 */
import {
  OrangeSmsApiError,
  OrangeSmsAuthError,
  OrangeSmsConfigurationError,
  OrangeSmsConnectionError,
  OrangeSmsError,
  type OrangeSmsModuleOptions,
  OrangeSmsOutcomeUnknownError,
  type OrangeSmsReportOptions,
  OrangeSmsRateLimitError,
  type OrangeSmsService,
  type OrangeSmsStatsService,
  OrangeSmsTimeoutError,
  type OrangeSmsTokenProvider,
  OrangeSmsValidationError,
} from 'nestjs-orange-sms';
import {
  COMMANDS,
  type CliConfiguration,
  OrangeSmsCliUsageError,
  type ParsedCommandLine,
} from './orange-sms.cli-args.js';
import {
  formatBalance,
  formatPurchases,
  formatReport,
  formatSent,
  formatSubscription,
  formatUsage,
  maskSubscription,
} from './orange-sms.cli-output.js';

export interface OrangeSmsCliServices {
  sms: OrangeSmsService;
  stats: OrangeSmsStatsService;
  tokens: OrangeSmsTokenProvider;
}

/** What a command produced: `json` is the library's result, `human` its rendering. */
export interface CliResult {
  json: unknown;
  human: string;
}

type Command = Extract<ParsedCommandLine, { kind: 'command' }>;

/**
 * Boots the module for one command and closes it afterwards. Nest and the library are imported here,
 * on demand, so `--help` and usage errors never pay for loading them. `abortOnError: false`: a bad
 * option must reach us as an error, not end the process.
 */
export async function withOrangeSms<T>(
  options: OrangeSmsModuleOptions,
  run: (services: OrangeSmsCliServices) => Promise<T>,
): Promise<T> {
  const [{ Module }, { NestFactory }, { EventEmitterModule }, library] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('@nestjs/event-emitter'),
    import('nestjs-orange-sms'),
  ]);
  class OrangeSmsCliModule {}
  Module({})(OrangeSmsCliModule);
  const app = await NestFactory.createApplicationContext(
    {
      module: OrangeSmsCliModule,
      imports: [
        EventEmitterModule.forRoot(),
        // The CLI only calls Orange: no webhook controller (and so no webhook secret needed).
        library.OrangeSmsModule.forRoot({ ...options, webhooks: { enabled: false } }),
      ],
    },
    { logger: false, abortOnError: false },
  );
  try {
    return await run({
      sms: app.get(library.OrangeSmsService),
      stats: app.get(library.OrangeSmsStatsService),
      tokens: app.get(library.OrangeSmsTokenProvider),
    });
  } finally {
    await app.close();
  }
}

function text(values: Command['values'], name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** `?token=<ORANGE_SMS_WEBHOOK_SECRET>` added unless the URL already carries a token. */
function withWebhookToken(notifyUrl: string, secret: string | undefined): string {
  if (!secret) return notifyUrl;
  let url: URL;
  try {
    url = new URL(notifyUrl);
  } catch {
    return notifyUrl; // the library names the bad notifyUrl
  }
  if (url.searchParams.has('token')) return notifyUrl;
  url.searchParams.set('token', secret);
  return url.toString();
}

export async function executeCommand(
  parsed: Command,
  config: CliConfiguration,
  { sms, stats }: OrangeSmsCliServices,
): Promise<CliResult> {
  const { values } = parsed;
  // --account: the calls go through that account of the module (its token, sender and label).
  const account = text(values, 'account');
  const as = account !== undefined ? { account } : {};
  switch (parsed.command) {
    case 'send': {
      const sent = await sms.send({
        ...as,
        to: text(values, 'to')!,
        text: text(values, 'text')!,
        ...(values['on-net'] === true ? { onNet: true } : {}),
        ...(text(values, 'reference') !== undefined ? { reference: text(values, 'reference') } : {}),
      });
      return { json: sent, human: formatSent(sent) };
    }
    case 'balance': {
      const balance = await stats.getBalance({ ...as, country: text(values, 'country') });
      return { json: balance, human: formatBalance(balance) };
    }
    case 'usage': {
      const usage = await stats.getUsage({ ...as, country: text(values, 'country'), appId: text(values, 'app-id') });
      return { json: usage, human: formatUsage(usage) };
    }
    case 'purchases': {
      const orders = await stats.getPurchaseOrders({ ...as, country: text(values, 'country') });
      return { json: orders, human: formatPurchases(orders) };
    }
    case 'subscribe-receipts': {
      const callbackData = text(values, 'callback-data');
      const subscription = maskSubscription(
        await sms.subscribeDeliveryReceipts({
          ...as,
          notifyUrl: withWebhookToken(text(values, 'notify-url')!, config.webhookSecret),
          ...(callbackData !== undefined ? { callbackData } : {}),
        }),
      );
      return { json: subscription, human: formatSubscription('Subscribed to delivery receipts.', subscription) };
    }
    case 'get-subscription': {
      const found = await sms.getDeliveryReceiptSubscription(parsed.argument!, account);
      if (!found) throw new OrangeSmsCliNotFoundError(`no delivery-receipt subscription '${parsed.argument}'`);
      const subscription = maskSubscription(found);
      return { json: subscription, human: formatSubscription('Delivery-receipt subscription', subscription) };
    }
    case 'cancel-subscription': {
      await sms.cancelDeliveryReceiptSubscription(parsed.argument!, undefined, account);
      // The library returns nothing; a small document keeps --json output one JSON value.
      return {
        json: { id: parsed.argument, cancelled: true },
        human: `Cancelled delivery-receipt subscription ${parsed.argument}.\n`,
      };
    }
    case 'report': {
      const { since, until } = windowOf(values);
      const report = await stats.getReport({
        since: since ?? new Date(0),
        until: until ?? new Date(),
        interval: (text(values, 'interval') ?? 'day') as OrangeSmsReportOptions['interval'],
        ...(text(values, 'time-zone') !== undefined ? { timeZone: text(values, 'time-zone') } : {}),
        ...(text(values, 'group-by') !== undefined
          ? { groupBy: text(values, 'group-by') as OrangeSmsReportOptions['groupBy'] }
          : {}),
        ...as,
      });
      return { json: report, human: formatReport(report) };
    }
    case 'export':
      // Streamed to standard output by runOrangeSmsCli (exportChunks), not held as one result.
      throw new Error('orange-sms export streams through exportChunks');
    case 'migrate':
      // Needs no Orange credentials nor the module: runOrangeSmsCli runs it through runMigrate.
      throw new Error('orange-sms migrate runs through runMigrate');
    case 'doctor':
      // Several checks that each report, rather than one result: runOrangeSmsCli routes it to runDoctor.
      throw new Error('orange-sms doctor runs through runDoctor');
  }
}

/** `orange-sms export`: the library's export, chunk by chunk. */
export function exportChunks(parsed: Command, { stats }: OrangeSmsCliServices): AsyncIterable<string> {
  const { since, until } = windowOf(parsed.values);
  const format = text(parsed.values, 'format') ?? 'csv';
  return stats.exportMessages({
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    format: format as 'csv' | 'ndjson',
    maskNumbers: parsed.values['show-numbers'] !== true,
  });
}

/** `--since` / `--until` as Dates; an unreadable time is a usage error naming the flag. */
function windowOf(values: Command['values']): { since?: Date; until?: Date } {
  const read = (flag: string): Date | undefined => {
    const value = text(values, flag);
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      throw new OrangeSmsCliUsageError(`--${flag}: '${value}' is not an ISO 8601 time (e.g. 2026-11-01T00:00:00Z)`);
    }
    return date;
  };
  const since = read('since');
  const until = read('until');
  return { ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** Orange answered that the thing asked for does not exist (the library's `undefined`). */
export class OrangeSmsCliNotFoundError extends Error {}

/** Which flag of the command a library input field comes from, to point at what to fix. */
const FIELD_FLAGS: Record<string, string> = {
  to: '--to',
  text: '--text',
  reference: '--reference',
  senderName: '--sender-name',
  senderAddress: '--sender-address',
  notifyUrl: '--notify-url',
  callbackData: '--callback-data',
  country: '--country',
  appId: '--app-id',
  id: '<id>',
  since: '--since',
  until: '--until',
  interval: '--interval',
  timeZone: '--time-zone',
  groupBy: '--group-by',
  format: '--format',
};

/**
 * The message and exit code for an error: 2 when the input or configuration is wrong (nothing was
 * sent), 1 when Orange or the connection to it failed. Messages are the library's, which never quote
 * a secret, a token or a full phone number.
 */
export function describeError(
  error: unknown,
  command: Command['command'],
  config: CliConfiguration,
): { exitCode: number; message: string } {
  const prefix = `orange-sms ${command}`;
  if (error instanceof OrangeSmsValidationError) {
    const flag = FIELD_FLAGS[error.field];
    const known = flag !== undefined && (flag === '<id>' || flag.slice(2) in COMMANDS[command].flags);
    return {
      exitCode: 2,
      message: `${prefix}: invalid ${error.field}${known ? ` (${flag})` : ''}: ${error.reason}\nNo request was made to Orange.`,
    };
  }
  if (error instanceof OrangeSmsConfigurationError) {
    const issues = error.issues.map((issue) => {
      const source = config.sources[issue.field];
      return `  ${source ? `${source} (${issue.field})` : issue.field}: ${issue.reason}`;
    });
    return { exitCode: 2, message: `${prefix}: invalid configuration:\n${issues.join('\n')}` };
  }
  if (error instanceof OrangeSmsCliNotFoundError) return { exitCode: 1, message: `${prefix}: ${error.message}` };
  if (error instanceof OrangeSmsAuthError) {
    const hint = config.sources.authorizationHeader
      ? 'check ORANGE_SMS_AUTHORIZATION_HEADER'
      : 'check ORANGE_SMS_CLIENT_ID and ORANGE_SMS_CLIENT_SECRET';
    return {
      exitCode: 1,
      message: `${prefix}: Orange refused the credentials: ${error.message}${requestId(error.requestId)}\n(${hint})`,
    };
  }
  if (error instanceof OrangeSmsApiError) {
    const id = error.messageId ?? (error.code !== undefined ? `code ${error.code}` : undefined);
    const retry =
      error instanceof OrangeSmsRateLimitError && error.retryAfterMs !== undefined
        ? `\nOrange asks to retry after ${Math.ceil(error.retryAfterMs / 1000)} s.`
        : '';
    return {
      exitCode: 1,
      message: `${prefix}: Orange answered HTTP ${error.status}${id ? ` (${id})` : ''}: ${error.text}${requestId(error.requestId)}${retry}`,
    };
  }
  if (error instanceof OrangeSmsConnectionError) {
    return {
      exitCode: 1,
      message: `${prefix}: ${error.message} at ${config.options.baseUrl ?? 'https://api.orange.com'}; the request was not sent`,
    };
  }
  if (
    error instanceof OrangeSmsOutcomeUnknownError ||
    (error instanceof OrangeSmsTimeoutError && error.outcomeUnknown)
  ) {
    return {
      exitCode: 1,
      message: `${prefix}: ${error.message}\nCheck with Orange (or the emulator's inbox) before sending again.`,
    };
  }
  if (error instanceof OrangeSmsError) return { exitCode: 1, message: `${prefix}: ${error.message}` };
  return { exitCode: 1, message: `${prefix}: unexpected error: ${(error as Error)?.message ?? String(error)}` };
}

function requestId(id: string | undefined): string {
  return id ? ` [request id ${id}]` : '';
}
