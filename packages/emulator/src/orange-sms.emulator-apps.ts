/**
 * The Orange developer apps the emulator plays. On Orange each app has its own credentials, tokens,
 * contracts and units, statistics, rate limit and DR subscriptions, so each `EmulatedApp` holds its
 * own copy of all of them; the top-level `credentials` are the app named 'default'.
 */
import { EmulatedAccount } from './orange-sms.emulator-account.js';
import {
  basicAuthorization,
  resolveCredentials,
  type ResolvedCredentials,
  type TokenStore,
} from './orange-sms.emulator-tokens.js';
import {
  DEFAULT_EMULATOR_ACCOUNT,
  type EmulatedSms,
  type OrangeSmsEmulatorAccount,
  type OrangeSmsEmulatorAccountOptions,
  type OrangeSmsEmulatorCredentials,
  type OrangeSmsEmulatorOptions,
} from './orange-sms.emulator-types.js';

const DEFAULT_CREDENTIALS: OrangeSmsEmulatorCredentials = {
  clientId: 'emulator-client-id',
  clientSecret: 'emulator-client-secret',
};

/** A URL path segment, like the module's `/{path}/accounts/{account}/…` routes need. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface DrSubscription {
  id: string;
  senderAddress: string;
  notifyURL: string;
  callbackData?: string;
}

/** What an app reads from its emulator. */
export interface AppHost {
  readonly tokens: TokenStore;
  readonly messages: readonly EmulatedSms[];
  /** Its callback URLs or subscriptions changed (the inbox shows them). */
  changed(): void;
}

export interface AppSettings {
  countries: string[];
  initialUnits: number;
  approvedSenderNames: string[] | undefined;
  rateLimitPerSecond: number | undefined;
}

export function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new RangeError(`OrangeSmsEmulator: ${name} must be a number >= 0, got ${value}`);
  return value;
}

export function positive(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`OrangeSmsEmulator: ${name} must be a number > 0, got ${value}`);
  return value;
}

export class EmulatedApp implements OrangeSmsEmulatorAccount {
  /** Its contracts, units and usage (the admin endpoints answer from this). */
  account: EmulatedAccount;
  subscriptions = new Map<string, DrSubscription>();
  tokenRequestCount = 0;
  /** performance.now() of its sends inside the current 1 s window. */
  private sendTimes: number[] = [];

  constructor(
    readonly name: string,
    readonly pairs: readonly ResolvedCredentials[],
    readonly settings: AppSettings,
    private receiptUrl: string | undefined,
    private inboundSmsUrl: string | undefined,
    private readonly host: AppHost,
  ) {
    this.account = new EmulatedAccount(settings.countries, settings.initialUnits);
  }

  get credentials(): { clientId: string; clientSecret: string } {
    const { clientId, clientSecret } = this.pairs[0]!;
    return { clientId, clientSecret };
  }

  get authorizationHeader(): string {
    return basicAuthorization(this.pairs[0]!.clientId, this.pairs[0]!.clientSecret);
  }

  get appId(): string {
    return this.pairs[0]!.appId;
  }

  /**
   * The newest live DR subscription's notify URL, else the URL set at start or through this property.
   * A subscription sits beside that URL, never in its place, so cancelling it brings the URL back.
   */
  get deliveryReceiptUrl(): string | undefined {
    return [...this.subscriptions.values()].at(-1)?.notifyURL ?? this.receiptUrl;
  }

  set deliveryReceiptUrl(url: string | undefined) {
    this.receiptUrl = url;
    this.host.changed();
  }

  get inboundUrl(): string | undefined {
    return this.inboundSmsUrl;
  }

  set inboundUrl(url: string | undefined) {
    this.inboundSmsUrl = url;
    this.host.changed();
  }

  get messages(): readonly EmulatedSms[] {
    return this.host.messages.filter((m) => m.account === this.name);
  }

  tokenRequests(): number {
    return this.tokenRequestCount;
  }

  issuedTokens(): number {
    return this.host.tokens.issuedCount(this.name);
  }

  expireTokens(): void {
    this.host.tokens.expireAll(this.name);
  }

  availableUnits(): Record<string, number> {
    return Object.fromEntries(this.account.contracts.map((c) => [c.country.alpha3, c.availableUnits]));
  }

  /** The pair matching a Basic header's id and secret, if this app has it. */
  pairFor(clientId: string, clientSecret: string): ResolvedCredentials | undefined {
    return this.pairs.find((c) => c.clientId === clientId && c.clientSecret === clientSecret);
  }

  hasClientId(clientId: string): boolean {
    return this.pairs.some((c) => c.clientId === clientId);
  }

  /** True when this send stays within this app's sliding 1 s window; every authenticated send counts. */
  withinRateLimit(): boolean {
    const limit = this.settings.rateLimitPerSecond;
    if (limit === undefined) return true;
    const now = performance.now();
    this.sendTimes = this.sendTimes.filter((t) => now - t < 1000);
    if (this.sendTimes.length >= limit) return false;
    this.sendTimes.push(now);
    return true;
  }

  /** Fresh contracts, no subscription, an empty rate window, counters at zero; URLs are kept. */
  reset(): void {
    this.account = new EmulatedAccount(this.settings.countries, this.settings.initialUnits);
    this.subscriptions = new Map();
    this.sendTimes = [];
    this.tokenRequestCount = 0;
  }
}

function accountSettings(
  prefix: string,
  input: OrangeSmsEmulatorAccountOptions | OrangeSmsEmulatorOptions,
  inherited?: AppSettings,
): AppSettings {
  const countries = input.countries ?? inherited?.countries ?? ['CIV'];
  if (!Array.isArray(countries) || countries.some((c) => typeof c !== 'string'))
    throw new RangeError(`OrangeSmsEmulator: ${prefix}countries must be an array of ISO alpha-3 codes`);
  return {
    countries: countries.map((c) => c.toUpperCase()),
    initialUnits: nonNegative(`${prefix}initialUnits`, input.initialUnits, inherited?.initialUnits ?? 1000),
    approvedSenderNames: input.approvedSenderNames ?? inherited?.approvedSenderNames,
    rateLimitPerSecond:
      positive(`${prefix}rateLimitPerSecond`, input.rateLimitPerSecond) ?? inherited?.rateLimitPerSecond,
  };
}

function checkedPair(prefix: string, input: OrangeSmsEmulatorCredentials): ResolvedCredentials {
  for (const field of ['clientId', 'clientSecret'] as const) {
    if (typeof input[field] !== 'string' || input[field] === '')
      throw new RangeError(`OrangeSmsEmulator: ${prefix}${field} must be a non-empty string`);
  }
  // A Basic header cannot carry a client id holding ':' (RFC 7617), so such an app could never log in.
  if (input.clientId.includes(':')) throw new RangeError(`OrangeSmsEmulator: ${prefix}clientId must not contain ':'`);
  return resolveCredentials(input);
}

/** The apps of a set of options: 'default' (top-level credentials) first, then `accounts` in order. */
export function appsFrom(options: OrangeSmsEmulatorOptions, host: AppHost): EmulatedApp[] {
  const list = options.credentials === undefined ? [DEFAULT_CREDENTIALS] : [options.credentials].flat();
  if (list.length === 0) throw new RangeError('OrangeSmsEmulator: credentials must hold at least one pair');
  const defaults = accountSettings('', options);
  const apps = [
    new EmulatedApp(
      DEFAULT_EMULATOR_ACCOUNT,
      list.map((pair) => resolveCredentials(pair)),
      defaults,
      options.deliveryReceiptUrl,
      options.inboundUrl,
      host,
    ),
  ];
  for (const [name, input] of Object.entries(options.accounts ?? {})) {
    const prefix = `accounts.${name}.`;
    if (name === DEFAULT_EMULATOR_ACCOUNT)
      throw new RangeError(`OrangeSmsEmulator: accounts.${name}: 'default' is the app of the top-level credentials`);
    if (!ACCOUNT_NAME.test(name))
      throw new RangeError(
        `OrangeSmsEmulator: account name '${name.slice(0, 80)}' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit`,
      );
    if (input === null || typeof input !== 'object')
      throw new RangeError(`OrangeSmsEmulator: accounts.${name} must be an object`);
    const pair = checkedPair(prefix, input);
    const owner = apps.find((app) => app.hasClientId(pair.clientId));
    // Orange client ids are unique: the token endpoint could not tell two such apps apart.
    if (owner)
      throw new RangeError(`OrangeSmsEmulator: ${prefix}clientId is already the client id of account '${owner.name}'`);
    apps.push(
      new EmulatedApp(
        name,
        [pair],
        accountSettings(prefix, input, defaults),
        input.deliveryReceiptUrl,
        input.inboundUrl,
        host,
      ),
    );
  }
  return apps;
}
