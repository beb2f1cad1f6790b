/**
 * Output of the `orange-sms` CLI: compact human tables and lines, and the redaction every byte the CLI
 * writes goes through. Kept free of Nest and of the library's services, so it loads instantly.
 */
import type {
  DeliveryReceiptSubscription,
  OrangeSmsBalance,
  OrangeSmsPurchaseOrder,
  OrangeSmsReport,
  OrangeSmsUsage,
  SentSms,
} from 'nestjs-orange-sms';

export interface CliOutput {
  write(chunk: string): unknown;
}

/** Query parameters whose value is a credential (the webhook `token` Orange's callbacks present). */
const SECRET_PARAMS = /^(token|access_token|secret|password|key|api_?key|sig|signature)$/i;

/** Bearer and Basic credentials, wherever they would appear in a message. */
const AUTH_VALUES = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * Masks the credentials a URL may carry (userinfo password, `?token=`), so a notify URL can be shown
 * without its webhook secret. A string that is not a URL is returned as is.
 */
export function maskUrlCredentials(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  let changed = false;
  if (url.password) {
    url.password = '****';
    changed = true;
  }
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (SECRET_PARAMS.test(name)) {
      url.searchParams.set(name, '****');
      changed = true;
    }
  }
  return changed ? url.toString() : value;
}

/** A subscription as the library returned it, with the notify URL's credentials masked. */
export function maskSubscription(subscription: DeliveryReceiptSubscription): DeliveryReceiptSubscription {
  return { ...subscription, notifyUrl: maskUrlCredentials(subscription.notifyUrl) };
}

/**
 * Wraps a stream so that nothing written can carry a secret: the known values (client secret,
 * Authorization header, webhook secret) and any `Bearer …`/`Basic …` value. Defence in depth: the
 * library's messages never quote them, and this holds even for an unexpected error's message.
 */
export function redactingOutput(target: CliOutput, secrets: readonly (string | undefined)[]): CliOutput {
  // Very short values would mask ordinary text; a real secret is never that short.
  const known = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6))].sort(
    (a, b) => b.length - a.length,
  );
  return {
    write: (chunk: string) => {
      let text = chunk.replace(AUTH_VALUES, (_match, scheme: string) => `${scheme} ****`);
      for (const secret of known) text = text.split(secret).join('****');
      return target.write(text);
    },
  };
}

/** `--json`: the library's result as one JSON document (Dates as ISO strings). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

type Cell = string | number;

/**
 * Columns separated by two spaces, numbers right-aligned, no trailing blanks: readable in a terminal
 * and still easy to cut or grep.
 */
export function table(headers: readonly string[], rows: readonly Cell[][]): string {
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === 'number'));
  const cells = [headers.map(String), ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

function lines(title: string, fields: [string, string | undefined][]): string {
  const shown = fields.filter((field): field is [string, string] => field[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return `${title}\n${shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`).join('\n')}\n`;
}

/** `2026-03-02 20:00 UTC`: minutes are enough for an expiry or a purchase, and the zone is explicit. */
export function formatDate(date: Date | string | undefined): string {
  if (date === undefined) return '-';
  const value = date instanceof Date ? date : new Date(date);
  return Number.isNaN(value.getTime()) ? '-' : `${value.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The result of `send`. The recipient is shown in full: it is the answer to what the operator just
 * typed, on their terminal, and they need to see exactly where the SMS went. Diagnostics on stderr
 * (which end up in CI logs) only ever show numbers masked.
 */
export function formatSent(sent: SentSms): string {
  return lines('Sent: Orange accepted the SMS.', [
    ['id', sent.id],
    ['to', sent.to.replace(/^tel:/, '')],
    ['from', `${sent.senderAddress}${sent.senderName !== undefined ? ` (${sent.senderName})` : ''}`],
    ['segments', `${sent.segments} (${sent.encoding})`],
    ['reference', sent.reference],
    ['submitted', formatDate(sent.submittedAt)],
  ]);
}

/**
 * One row per contract with its state; the total counts active contracts only (what Orange lets you
 * spend), and the units stranded on expired or inactive contracts get their own line.
 */
export function formatBalance(balance: OrangeSmsBalance): string {
  if (balance.contracts.length === 0) return 'No contracts.\n';
  const unspendable =
    balance.unspendableUnits > 0
      ? `Not spendable: ${plural(balance.unspendableUnits, 'unit')} on expired or inactive contracts (not in the total)\n`
      : '';
  return (
    table(
      ['COUNTRY', 'OFFER', 'STATE', 'AVAILABLE', 'EXPIRES', 'CONTRACT'],
      balance.contracts.map((c) => [c.country, c.offer, c.state, c.availableUnits, formatDate(c.expiresAt), c.id]),
    ) +
    `Total: ${plural(balance.availableUnits, 'unit')} available\n` +
    unspendable
  );
}

export function formatUsage(usage: OrangeSmsUsage): string {
  if (usage.entries.length === 0) return 'No usage recorded.\n';
  return (
    table(
      ['COUNTRY', 'APP ID', 'OFFER', 'USED'],
      usage.entries.map((e) => [e.country, e.appId ?? '-', e.offer, e.usage]),
    ) + `Total: ${plural(usage.usage, 'unit')} used\n`
  );
}

export function formatPurchases(orders: OrangeSmsPurchaseOrder[]): string {
  if (orders.length === 0) return 'No purchase orders.\n';
  return (
    table(
      ['DATE', 'COUNTRY', 'OFFER', 'BUNDLE', 'AMOUNT', 'ORDER'],
      orders.map((o) => [
        formatDate(o.purchasedAt),
        o.country ?? '-',
        o.offer ?? '-',
        o.bundleDescription ?? o.bundleId ?? '-',
        o.amount === undefined ? '-' : `${o.amount}${o.currency ? ` ${o.currency}` : ''}`,
        o.id,
      ]),
    ) + `Total: ${plural(orders.length, 'purchase order')}\n`
  );
}

/** A subscription (its notify URL already masked by the caller). */
export function formatSubscription(title: string, subscription: DeliveryReceiptSubscription): string {
  return lines(title, [
    ['id', subscription.id],
    ['notify URL', subscription.notifyUrl],
    ['sender', subscription.senderAddress],
    ['callback data', subscription.callbackData],
  ]);
}

/** One line per period (and group); times in the report's zone are shown as their UTC instant. */
export function formatReport(report: OrangeSmsReport): string {
  if (report.rows.length === 0) return `No message in this window.\n`;
  const header = [
    'PERIOD',
    ...(report.groupBy ? [report.groupBy.toUpperCase()] : []),
    'SENT',
    'DELIVERED',
    'FAILED',
    'PENDING',
    'UNITS',
    'RATE',
    'MEDIAN',
  ];
  const rows = report.rows.map((row) => [
    row.period.toISOString(),
    ...(report.groupBy ? [row.group ?? ''] : []),
    row.sent,
    row.delivered,
    row.failed,
    row.pending,
    row.units,
    `${(row.deliveryRate * 100).toFixed(1)} %`,
    row.medianDeliveryMs === null ? '—' : `${(row.medianDeliveryMs / 1000).toFixed(1)} s`,
  ]);
  return `Report per ${report.interval} (${report.timeZone})\n${table(header, rows)}`;
}
