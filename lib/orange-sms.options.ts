import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { OrangeSmsConfigurationError, OrangeSmsValidationError } from './errors/orange-sms.errors.js';
import {
  countryOfNumber,
  countrySenderAddress,
  isOrangeSmsCountry,
  ORANGE_SMS_COUNTRIES,
  type OrangeSmsCountry,
  suggestCountry,
} from './addresses/orange-sms.countries.js';
import { normaliseSenderAddress, validateSenderName } from './addresses/orange-sms.addresses.js';
import { ORANGE_SMS_STORE_METHODS, type OrangeSmsStore } from './interfaces/orange-sms.store.interfaces.js';
import { isTimeZone } from './common/orange-sms.time-zone.js';
import type {
  OrangeSmsAccountOptions,
  OrangeSmsListenerRetryOptions,
  OrangeSmsModuleOptions,
  OrangeSmsOptOutOptions,
  OrangeSmsPostgresOptions,
  OrangeSmsQueueOptions,
  OrangeSmsQueueRetention,
  OrangeSmsQueueSettings,
  OrangeSmsRateLimitOptions,
  OrangeSmsRedisOptions,
  OrangeSmsRetryOptions,
} from './interfaces/orange-sms.options.interfaces.js';

// The public option types live in interfaces/; this path keeps exporting them.
export type * from './interfaces/orange-sms.options.interfaces.js';

export type OrangeSmsResolvedQueueSettings = Required<Omit<OrangeSmsQueueSettings, 'keepCompleted' | 'keepFailed'>> & {
  keepCompleted: OrangeSmsQueueRetention;
  keepFailed: OrangeSmsQueueRetention;
};

/**
 * The one way options are checked: every field's check goes through a collector, which records what
 * is wrong and lets the others run, so one `OrangeSmsConfigurationError` names every bad field. A
 * check either records through `add` or throws `OrangeSmsValidationError(field, reason)` inside
 * `field()`; reasons never quote a secret's value.
 */
export class OrangeSmsOptionIssues {
  readonly list: Array<{ field: string; reason: string }> = [];

  add(field: string, reason: string): void {
    this.list.push({ field, reason });
  }

  /** The validator's result, or undefined when it threw (recorded under its own field, else `field`). */
  field<T>(field: string, validate: () => T): T | undefined {
    try {
      return validate();
    } catch (error) {
      if (!(error instanceof OrangeSmsValidationError)) throw error;
      this.add(error.field || field, error.reason);
      return undefined;
    }
  }

  /** A positive number (an integer if asked, or a whole number with `zeroAllowed`), else `fallback`. */
  positive(field: string, value: unknown, fallback: number, integer = false, zeroAllowed = false): number {
    if (value === undefined) return fallback;
    const valid =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (zeroAllowed ? value >= 0 : value > 0) &&
      (!integer || Number.isInteger(value));
    if (valid) return value;
    this.add(field, `expected a ${zeroAllowed ? 'whole number' : `positive ${integer ? 'integer' : 'number'}`}`);
    return fallback;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new OrangeSmsConfigurationError(this.list);
  }

  /** A collector that records into this one, each field under `prefix` (`accounts.acme.`). */
  within(prefix: string): OrangeSmsOptionIssues {
    const record = (field: string, reason: string) => this.add(`${prefix}${field}`, reason);
    return new (class extends OrangeSmsOptionIssues {
      override add(field: string, reason: string): void {
        record(field, reason);
      }
    })();
  }
}

/** Defaults of the queue's settings; every bad field is recorded under `prefix` (reported in one error). */
export function resolveQueueSettings(
  value: OrangeSmsQueueSettings,
  issues: OrangeSmsOptionIssues,
  prefix = 'queue.',
): OrangeSmsResolvedQueueSettings {
  const whole = (field: string, v: number | undefined, fallback: number, zeroAllowed = false) =>
    issues.positive(`${prefix}${field}`, v, fallback, true, zeroAllowed);
  const keep = (field: string, v: Partial<OrangeSmsQueueRetention> | undefined, fallback: OrangeSmsQueueRetention) => ({
    count: whole(`${field}.count`, v?.count, fallback.count, true),
    ageSeconds: whole(`${field}.ageSeconds`, v?.ageSeconds, fallback.ageSeconds),
  });
  const name = value.name ?? 'orange-sms';
  if (typeof name !== 'string' || name === '' || name.includes(':')) {
    issues.add(`${prefix}name`, "expected a non-empty string without ':'");
  }
  return {
    name,
    worker: value.worker ?? true,
    concurrency: whole('concurrency', value.concurrency, 5),
    attempts: whole('attempts', value.attempts, 5),
    backoffMs: whole('backoffMs', value.backoffMs, 1_000),
    keepCompleted: keep('keepCompleted', value.keepCompleted, { count: 1_000, ageSeconds: 86_400 }),
    keepFailed: keep('keepFailed', value.keepFailed, { count: 10_000, ageSeconds: 7 * 86_400 }),
    lockDurationMs: whole('lockDurationMs', value.lockDurationMs, 10_000),
    stalledIntervalMs: whole('stalledIntervalMs', value.stalledIntervalMs, 5_000),
  };
}

export interface OrangeSmsResolvedOptions {
  authorizationHeader: string;
  /** Key of the credential set (client id, or a hash of the header) for token caches and rate limits. */
  credentialKey: string;
  senderAddress: string;
  /** Country of national-format recipients; undefined when none is known (they are then refused). */
  defaultCountry?: OrangeSmsCountry;
  senderName?: string;
  baseUrl: string;
  timeoutMs: number;
  retry: Required<OrangeSmsRetryOptions>;
  rateLimit: Required<OrangeSmsRateLimitOptions> | false;
  maxSegments: number;
  webhookSecrets: readonly string[];
  webhookAllowedIps: readonly string[];
  webhookTrustProxy: number;
  /** Undefined when not given: the `webhooks` extra's deprecated `maxBodyBytes` may then apply. */
  webhookMaxBodyBytes?: number;
  webhookAllowUnauthenticated?: boolean;
  optOut: { stopKeywords: readonly string[]; startKeywords: readonly string[] } | false;
  listenerRetry: Required<OrangeSmsListenerRetryOptions>;
  /** @deprecated same value as `orangeTimeZone`. */
  legacyTimeZone: string;
  orangeTimeZone: string;
  store?: OrangeSmsStore;
  redis?: OrangeSmsRedisOptions;
  postgres?: OrangeSmsPostgresOptions;
  queue?: OrangeSmsResolvedQueueOptions;
  /** The accounts of `accounts`, checked (the top-level one, `default`, is not among them). */
  accounts: readonly OrangeSmsResolvedAccount[];
  resolveAccount?: OrangeSmsModuleOptions['resolveAccount'];
}

export type OrangeSmsResolvedQueueOptions = OrangeSmsResolvedQueueSettings & { enabled: true };

/** One Orange app, checked, with what it inherits from the top level filled in. */
export interface OrangeSmsResolvedAccount {
  name: string;
  authorizationHeader: string;
  credentialKey: string;
  senderAddress: string;
  senderName?: string;
  defaultCountry?: OrangeSmsCountry;
  webhookSecrets: readonly string[];
  rateLimit: Required<OrangeSmsRateLimitOptions> | false;
}

/** The top-level account's name. */
export const ORANGE_SMS_DEFAULT_ACCOUNT = 'default';

const ACCOUNT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function isAccountName(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_NAME.test(value);
}

/**
 * Checks one account's options (static ones at boot, resolved ones at first use), every bad field
 * named `accounts.<name>.<field>`; reasons never quote a secret.
 */
export function resolveAccountOptions(
  name: string,
  value: OrangeSmsAccountOptions | undefined,
  inherited: Pick<OrangeSmsResolvedOptions, 'rateLimit'>,
  parentIssues?: OrangeSmsOptionIssues,
): OrangeSmsResolvedAccount | undefined {
  const own = parentIssues === undefined;
  const root = parentIssues ?? new OrangeSmsOptionIssues();
  if (!isAccountName(name) || name === ORANGE_SMS_DEFAULT_ACCOUNT) {
    root.add(
      `accounts.${String(name).slice(0, 40)}`,
      "expected a name of lower-case letters, digits and '-' (at most 40), other than 'default'",
    );
    if (own) root.throwIfAny();
    return undefined;
  }
  const issues = root.within(`accounts.${name}.`);
  if (typeof value !== 'object' || value === null) {
    root.add(
      `accounts.${name}`,
      'expected the account options ({ clientId, clientSecret, country | senderAddress, … })',
    );
    if (own) root.throwIfAny();
    return undefined;
  }
  const opts = value as OrangeSmsModuleOptions;
  const before = root.list.length;
  const authorizationHeader = resolveAuthorization(opts, issues);
  const senderAddress = issues.field('senderAddress', () => resolveSender(opts));
  const defaultCountry = issues.field('defaultCountry', () => resolveDefaultCountry(opts, senderAddress));
  const senderName =
    opts.senderName === undefined ? undefined : issues.field('senderName', () => validateSenderName(opts.senderName));
  const webhookSecrets = issues.field('webhookSecret', () => resolveWebhookSecrets(opts.webhookSecret)) ?? [];
  const rateLimit =
    value.rateLimit === undefined
      ? inherited.rateLimit
      : value.rateLimit === false
        ? false
        : {
            perSecond: issues.positive('rateLimit.perSecond', value.rateLimit.perSecond, 5),
            burst: issues.positive('rateLimit.burst', value.rateLimit.burst, 1, true),
          };
  if (own) root.throwIfAny();
  if (root.list.length > before) return undefined;
  return {
    name,
    authorizationHeader: authorizationHeader!,
    credentialKey: credentialKeyOf(opts, authorizationHeader!),
    senderAddress: senderAddress!,
    ...(senderName !== undefined ? { senderName } : {}),
    ...(defaultCountry !== undefined ? { defaultCountry } : {}),
    webhookSecrets,
    rateLimit,
  };
}

/** Names Redis keys and caches: the client id, or a hash of the header (which encodes the secret). */
function credentialKeyOf(opts: Pick<OrangeSmsModuleOptions, 'clientId'>, authorizationHeader: string): string {
  return opts.clientId ?? createHash('sha256').update(authorizationHeader).digest('hex').slice(0, 16);
}

/** What the HTTP client needs: where Orange is, how long one attempt may take, whose credentials. */
export type OrangeSmsHttpConfig = Pick<
  OrangeSmsResolvedOptions,
  'baseUrl' | 'timeoutMs' | 'authorizationHeader' | 'credentialKey'
>;

/** What the send path needs: the default sender, how national numbers read, size cap, opt-outs. */
export type OrangeSmsSendingConfig = Pick<
  OrangeSmsResolvedOptions,
  'senderAddress' | 'senderName' | 'defaultCountry' | 'maxSegments' | 'optOut'
>;

/**
 * What the accounts need: `default`'s sending and HTTP settings (the others inherit its segment cap,
 * opt-outs, base URL and attempt timeout), the `accounts` option, the `resolveAccount` option, and
 * the pacing an account without its own `rateLimit` inherits.
 */
export interface OrangeSmsAccountsConfig extends Pick<
  OrangeSmsResolvedOptions,
  'accounts' | 'resolveAccount' | 'rateLimit'
> {
  sending: OrangeSmsSendingConfig;
  http: OrangeSmsHttpConfig;
}

/** Every webhook setting the guard and the ingest use, from the options and the `webhooks` extra. */
export interface OrangeSmsWebhookSettings {
  secrets: readonly string[];
  allowedIps: readonly string[];
  trustedProxyHops: number;
  maxBodyBytes: number;
  allowUnauthenticated: boolean;
  /** STOP/START keywords of inbound SMS, or false. */
  optOut: OrangeSmsResolvedOptions['optOut'];
  /** Zone of the zone-less inbound `dateTime`. */
  orangeTimeZone: string;
}

export const ORANGE_SMS_DEFAULT_BASE_URL = 'https://api.orange.com';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** The sender as the module will use it, once the options are valid. */
export interface OrangeSmsValidatedSender {
  senderAddress: string;
  senderName?: string;
}

/**
 * Checks options exactly as the module's boot does, without booting it (a deploy check, the CLI's
 * doctor): throws `OrangeSmsConfigurationError` naming every bad field, else returns the sender.
 */
export function validateOrangeSmsOptions(options: OrangeSmsModuleOptions): OrangeSmsValidatedSender {
  const { senderAddress, senderName } = resolveOrangeSmsOptions(options);
  return { senderAddress, senderName };
}

/**
 * Checks the options and fills the defaults. Collects every problem before throwing, so one failed
 * bootstrap tells the whole story; reasons never quote a secret's value.
 */
export function resolveOrangeSmsOptions(options: OrangeSmsModuleOptions | undefined): OrangeSmsResolvedOptions {
  const issues = new OrangeSmsOptionIssues();
  const opts = (options ?? {}) as OrangeSmsModuleOptions;
  const check = <T>(field: string, fn: () => T): T | undefined => issues.field(field, fn);
  const positive = (field: string, value: unknown, fallback: number, integer = false) =>
    issues.positive(field, value, fallback, integer);

  const authorizationHeader = resolveAuthorization(opts, issues);
  const senderAddress = check('senderAddress', () => resolveSender(opts));
  const defaultCountry = check('defaultCountry', () => resolveDefaultCountry(opts, senderAddress));
  const senderName =
    opts.senderName === undefined ? undefined : check('senderName', () => validateSenderName(opts.senderName));
  const baseUrl = check('baseUrl', () => resolveBaseUrl(opts.baseUrl));
  const timeoutMs = positive('timeoutMs', opts.timeoutMs, 10_000);
  const retry = {
    maxAttempts: positive('retry.maxAttempts', opts.retry?.maxAttempts, 3, true),
    initialDelayMs: positive('retry.initialDelayMs', opts.retry?.initialDelayMs, 250),
    maxDelayMs: positive('retry.maxDelayMs', opts.retry?.maxDelayMs, 10_000),
    deadlineMs: positive('retry.deadlineMs', opts.retry?.deadlineMs, 30_000),
  };
  const rateLimit =
    opts.rateLimit === false
      ? false
      : {
          perSecond: positive('rateLimit.perSecond', opts.rateLimit?.perSecond, 5),
          burst: positive('rateLimit.burst', opts.rateLimit?.burst, 1, true),
        };
  const maxSegments = positive('maxSegments', opts.maxSegments, 10, true);
  const webhookSecrets = check('webhookSecret', () => resolveWebhookSecrets(opts.webhookSecret)) ?? [];
  const webhookAllowedIps = check('webhookAllowedIps', () => resolveAllowedIps(opts.webhookAllowedIps)) ?? [];
  const trust = opts.webhookTrustProxy ?? false;
  const webhookTrustProxy = trust === true ? 1 : trust === false ? 0 : trust;
  if (!Number.isInteger(webhookTrustProxy) || webhookTrustProxy < 0) {
    issues.add('webhookTrustProxy', 'expected a boolean or a number of proxy hops');
  }
  const webhookMaxBodyBytes =
    opts.webhookMaxBodyBytes === undefined
      ? undefined
      : positive('webhookMaxBodyBytes', opts.webhookMaxBodyBytes, 64 * 1024, true);
  if (opts.webhookAllowUnauthenticated !== undefined && typeof opts.webhookAllowUnauthenticated !== 'boolean') {
    issues.add('webhookAllowUnauthenticated', 'expected a boolean');
  }
  const optOut = check('optOut', () => resolveOptOut(opts.optOut));
  const listenerRetry = {
    maxAttempts: positive('listenerRetry.maxAttempts', opts.listenerRetry?.maxAttempts, 4, true),
    initialDelayMs: positive('listenerRetry.initialDelayMs', opts.listenerRetry?.initialDelayMs, 1_000),
    leaseMs: positive('listenerRetry.leaseMs', opts.listenerRetry?.leaseMs, 30_000),
    sweepIntervalMs: positive('listenerRetry.sweepIntervalMs', opts.listenerRetry?.sweepIntervalMs, 10_000),
  };
  const orangeTimeZone = opts.orangeTimeZone ?? opts.legacyTimeZone ?? 'UTC';
  const timeZoneField = opts.orangeTimeZone !== undefined ? 'orangeTimeZone' : 'legacyTimeZone';
  if (!isTimeZone(orangeTimeZone))
    issues.add(timeZoneField, 'expected an IANA time zone such as UTC or Africa/Abidjan');
  if (
    opts.orangeTimeZone !== undefined &&
    opts.legacyTimeZone !== undefined &&
    opts.orangeTimeZone !== opts.legacyTimeZone
  )
    issues.add('legacyTimeZone', 'deprecated alias of orangeTimeZone; give only orangeTimeZone');
  const legacyTimeZone = orangeTimeZone;
  const store = opts.store;
  const redis = check('redis', () => resolveRedis(opts.redis));
  const queue = resolveQueue(opts.queue, redis, issues);
  const postgres = resolvePostgres(opts.postgres, issues);
  if (store !== undefined && !isStore(store)) {
    issues.add('store', 'expected an OrangeSmsStore instance (every method of the interface)');
  }

  const accounts: OrangeSmsResolvedAccount[] = [];
  if (opts.accounts !== undefined) {
    if (typeof opts.accounts !== 'object' || opts.accounts === null || Array.isArray(opts.accounts)) {
      issues.add('accounts', 'expected an object of account options by name');
    } else {
      for (const [name, account] of Object.entries(opts.accounts)) {
        const resolved = resolveAccountOptions(name, account, { rateLimit }, issues);
        if (resolved) accounts.push(resolved);
      }
    }
  }
  if (opts.resolveAccount !== undefined && typeof opts.resolveAccount !== 'function') {
    issues.add('resolveAccount', 'expected a function (name) => account options or undefined');
  }

  issues.throwIfAny();
  return {
    authorizationHeader: authorizationHeader!,
    credentialKey: credentialKeyOf(opts, authorizationHeader!),
    senderAddress: senderAddress!,
    ...(defaultCountry !== undefined ? { defaultCountry } : {}),
    senderName,
    baseUrl: baseUrl!,
    timeoutMs,
    retry,
    rateLimit,
    maxSegments,
    webhookSecrets,
    webhookAllowedIps,
    webhookTrustProxy,
    webhookMaxBodyBytes,
    webhookAllowUnauthenticated: opts.webhookAllowUnauthenticated,
    optOut: optOut!,
    listenerRetry,
    legacyTimeZone,
    orangeTimeZone,
    store,
    redis,
    ...(postgres ? { postgres } : {}),
    queue,
    accounts,
    ...(opts.resolveAccount ? { resolveAccount: opts.resolveAccount } : {}),
  };
}

function resolvePostgres(
  value: OrangeSmsPostgresOptions | undefined,
  issues: OrangeSmsOptionIssues,
): OrangeSmsPostgresOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) {
    issues.add('postgres', 'expected { url } or { pool }');
    return undefined;
  }
  const hasUrl = value.url !== undefined;
  const hasPool = value.pool !== undefined;
  if (hasUrl === hasPool) issues.add('postgres', 'give exactly one of url and pool');
  if (hasUrl && (typeof value.url !== 'string' || !/^postgres(ql)?:\/\//.test(value.url))) {
    issues.add('postgres.url', 'expected postgres://user:password@host:5432/database');
  }
  if (hasPool && typeof (value.pool as { query?: unknown })?.query !== 'function') {
    issues.add('postgres.pool', 'expected a pg.Pool');
  }
  if (
    value.schema !== undefined &&
    !(typeof value.schema === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(value.schema))
  ) {
    issues.add('postgres.schema', 'expected a lower-case identifier (letters, digits, _), at most 63 characters');
  }
  if (value.migrate !== undefined && typeof value.migrate !== 'boolean')
    issues.add('postgres.migrate', 'expected a boolean');
  if (value.retentionDays !== undefined) issues.positive('postgres.retentionDays', value.retentionDays, 1, true);
  return value;
}

function resolveRedis(value: OrangeSmsRedisOptions | undefined): OrangeSmsRedisOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null)
    throw new OrangeSmsValidationError('redis', 'expected { url } or { client }');
  for (const field of ['connectTimeoutMs', 'commandTimeoutMs'] as const) {
    const v = value[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
      throw new OrangeSmsValidationError(`redis.${field}`, 'expected a positive number of milliseconds');
  }
  if (value.client !== undefined) {
    const client = value.client as { eval?: unknown; options?: unknown };
    if (typeof client?.eval !== 'function' || typeof client.options !== 'object') {
      throw new OrangeSmsValidationError('redis.client', 'expected an ioredis client');
    }
    return value;
  }
  if (typeof value.url !== 'string' || !/^rediss?:\/\//.test(value.url)) {
    throw new OrangeSmsValidationError('redis.url', 'expected redis://host:port (or rediss://), or give redis.client');
  }
  return value;
}

function resolveQueue(
  value: OrangeSmsQueueOptions | undefined,
  redis: OrangeSmsRedisOptions | undefined,
  issues: OrangeSmsOptionIssues,
): OrangeSmsResolvedQueueOptions | undefined {
  if (value === undefined || value.enabled === false) return undefined;
  if (!redis) issues.add('queue', 'the queue needs the redis option');
  return { enabled: true, ...resolveQueueSettings(value, issues) };
}

function isStore(value: unknown): value is OrangeSmsStore {
  const candidate = value as Partial<Record<keyof OrangeSmsStore, unknown>> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    ORANGE_SMS_STORE_METHODS.every((method) => typeof candidate[method] === 'function')
  );
}

function resolveAuthorization(opts: OrangeSmsModuleOptions, issues: OrangeSmsOptionIssues): string | undefined {
  if (opts.authorizationHeader !== undefined) {
    const value = opts.authorizationHeader;
    if (typeof value !== 'string' || !/^Basic [A-Za-z0-9+/=]{8,}$/.test(value.trim())) {
      issues.add('authorizationHeader', 'expected the portal value "Basic <base64>"');
      return undefined;
    }
    return value.trim();
  }
  let ok = true;
  for (const field of ['clientId', 'clientSecret'] as const) {
    if (!nonEmpty(opts[field])) {
      issues.add(field, 'required (a non-empty string), unless authorizationHeader is given');
      ok = false;
    }
  }
  return ok ? `Basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`).toString('base64')}` : undefined;
}

function resolveSender(opts: OrangeSmsModuleOptions): string {
  if (opts.senderAddress !== undefined) return normaliseSenderAddress(opts.senderAddress);
  if (opts.country === undefined) {
    throw new OrangeSmsValidationError('senderAddress', 'give senderAddress (tel:+2250000) or country (CIV)');
  }
  return countrySenderAddress(parseCountry(opts.country, 'country'));
}

function parseCountry(value: unknown, field: string): OrangeSmsCountry {
  const country = String(value).trim().toUpperCase();
  if (isOrangeSmsCountry(country)) return country;
  const suggestion = suggestCountry(String(value));
  throw new OrangeSmsValidationError(
    field,
    `unknown Orange SMS country${suggestion ? ` (did you mean ${suggestion}?)` : ''}; expected one of ${Object.keys(ORANGE_SMS_COUNTRIES).join(', ')}${field === 'country' ? ', or set senderAddress' : ''}`,
  );
}

/** `defaultCountry`, else `country`, else the country of the sender address's calling code. */
function resolveDefaultCountry(
  opts: OrangeSmsModuleOptions,
  senderAddress: string | undefined,
): OrangeSmsCountry | undefined {
  if (opts.defaultCountry !== undefined) return parseCountry(opts.defaultCountry, 'defaultCountry');
  if (opts.country !== undefined) {
    const country = String(opts.country).trim().toUpperCase();
    // An invalid `country` is reported once, by the sender check, when it is used there.
    if (isOrangeSmsCountry(country)) return country;
    if (opts.senderAddress !== undefined) parseCountry(opts.country, 'country');
    return undefined;
  }
  return senderAddress === undefined ? undefined : countryOfNumber(senderAddress);
}

function resolveBaseUrl(value: string | undefined): string {
  if (value === undefined) return ORANGE_SMS_DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OrangeSmsValidationError('baseUrl', 'expected an absolute URL such as https://api.orange.com');
  }
  // Credentials travel on every token request: plain http only to this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new OrangeSmsValidationError('baseUrl', 'must use https (http is allowed for loopback hosts only)');
  }
  return url.toString().replace(/\/+$/, '');
}

function resolveWebhookSecrets(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const secrets = Array.isArray(value) ? value : [value];
  if (secrets.length === 0 || secrets.length > 2) {
    throw new OrangeSmsValidationError('webhookSecret', 'give one secret, or two during a rotation');
  }
  if (secrets.some((secret) => typeof secret !== 'string' || secret.length < 16)) {
    throw new OrangeSmsValidationError('webhookSecret', 'each secret must be a string of at least 16 characters');
  }
  return secrets;
}

function resolveAllowedIps(value: string[] | undefined): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    throw new OrangeSmsValidationError('webhookAllowedIps', 'expected an array of addresses or CIDR ranges');
  for (const entry of value) {
    const [address, prefix] = String(entry).split('/');
    const family = isIP(address ?? '');
    const bits = prefix === undefined ? undefined : Number(prefix);
    if (
      family === 0 ||
      (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)))
    ) {
      throw new OrangeSmsValidationError('webhookAllowedIps', `"${entry}" is not an IP address or CIDR range`);
    }
  }
  return value;
}

const DEFAULT_STOP_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET'];
const DEFAULT_START_KEYWORDS = ['START', 'UNSTOP'];

function resolveOptOut(value: OrangeSmsOptOutOptions | false | undefined): OrangeSmsResolvedOptions['optOut'] {
  if (value === false) return false;
  const keywords = (field: string, list: string[] | undefined, fallback: string[]) => {
    if (list === undefined) return fallback;
    if (!Array.isArray(list) || list.some((k) => typeof k !== 'string' || !/^\S+$/.test(k.trim()))) {
      throw new OrangeSmsValidationError(field, 'expected an array of single words');
    }
    return list.map((k) => k.trim().toUpperCase());
  };
  const stopKeywords = keywords('optOut.stopKeywords', value?.stopKeywords, DEFAULT_STOP_KEYWORDS);
  const startKeywords = keywords('optOut.startKeywords', value?.startKeywords, DEFAULT_START_KEYWORDS);
  const both = stopKeywords.filter((k) => startKeywords.includes(k));
  if (both.length > 0) throw new OrangeSmsValidationError('optOut', `${both.join(', ')} cannot both stop and start`);
  return { stopKeywords, startKeywords };
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}
