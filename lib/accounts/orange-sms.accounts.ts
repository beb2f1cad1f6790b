import { Inject, Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import {
  ORANGE_SMS_ACCOUNTS_CONFIG,
  ORANGE_SMS_RATE_LIMITER,
  ORANGE_SMS_REDIS,
  ORANGE_SMS_TOKEN_CACHE,
} from '../orange-sms.constants.js';
import { OrangeSmsUnknownAccountError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsAppAccess } from '../http/orange-sms.api-client.js';
import {
  createRateLimiter,
  type OrangeSmsFleetPacing,
  type OrangeSmsRateLimiter,
} from '../http/orange-sms.rate-limiter.js';
import type { OrangeSmsTokenCache } from '../http/orange-sms.token-cache.js';
import { OrangeSmsTokenProvider } from '../http/orange-sms.token-provider.js';
import { OrangeSmsTransport } from '../http/orange-sms.transport.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import {
  isAccountName,
  ORANGE_SMS_DEFAULT_ACCOUNT,
  type OrangeSmsAccountsConfig,
  type OrangeSmsHttpConfig,
  type OrangeSmsResolvedAccount,
  type OrangeSmsSendingConfig,
  resolveAccountOptions,
} from '../orange-sms.options.js';

/** How long a name `resolveAccount` did not find stays unknown (`forgetAccount` clears it at once). */
const UNKNOWN_NAME_TTL_MS = 60_000;
/** Unknown names remembered at most (the oldest go first). */
const UNKNOWN_NAMES_KEPT = 1_000;

/** One Orange app as the module uses it: its name, sender defaults, token, pacing and webhook secrets. */
export interface OrangeSmsAccount {
  name: string;
  sending: OrangeSmsSendingConfig;
  access: OrangeSmsAppAccess;
  /** Empty for `default`: its routes use the top-level webhook settings. */
  webhookSecrets: readonly string[];
}

/**
 * The Orange apps of the module: `default` (the top-level options), those of `accounts`, and those
 * `resolveAccount` finds at run time (resolved once, single flight, until `forget`). Each has its own
 * token provider (single flight, refresh, code 41/42) and its own pacing bucket (fleet-wide on Redis,
 * keyed by its credentials).
 */
@Injectable()
export class OrangeSmsAccounts implements OnApplicationShutdown {
  private readonly defaultAccount: OrangeSmsAccount;
  /** `default`'s HTTP settings; the other accounts get their own credentials on top. */
  private readonly http: OrangeSmsHttpConfig;
  private readonly built = new Map<string, OrangeSmsAccount>();
  private readonly resolving = new Map<string, Promise<OrangeSmsAccount>>();
  private readonly statics = new Map<string, OrangeSmsResolvedAccount>();
  /** Names `resolveAccount` did not find, until when they are answered unknown without asking again. */
  private readonly unknown = new Map<string, number>();

  constructor(
    @Inject(ORANGE_SMS_ACCOUNTS_CONFIG) private readonly config: OrangeSmsAccountsConfig,
    tokens: OrangeSmsTokenProvider,
    @Inject(ORANGE_SMS_RATE_LIMITER) limiter: OrangeSmsRateLimiter,
    private readonly transport: OrangeSmsTransport,
    private readonly telemetry: OrangeSmsTelemetry,
    // The Redis backend when `redis` is set: fleet-wide pacing per account.
    @Inject(ORANGE_SMS_REDIS) private readonly redis: OrangeSmsFleetPacing | null,
    @Optional() @Inject(ORANGE_SMS_TOKEN_CACHE) private readonly tokenCache?: OrangeSmsTokenCache | null,
  ) {
    this.http = config.http;
    this.defaultAccount = {
      name: ORANGE_SMS_DEFAULT_ACCOUNT,
      sending: config.sending,
      access: { tokens, limiter },
      webhookSecrets: [],
    };
    for (const account of config.accounts) this.statics.set(account.name, account);
  }

  /** The account, or `OrangeSmsUnknownAccountError` (before any call to Orange). */
  async get(name: string | undefined = ORANGE_SMS_DEFAULT_ACCOUNT): Promise<OrangeSmsAccount> {
    if (name === ORANGE_SMS_DEFAULT_ACCOUNT) return this.defaultAccount;
    if (!isAccountName(name)) throw new OrangeSmsUnknownAccountError(String(name));
    const ready = this.built.get(name);
    if (ready) return ready;
    const known = this.statics.get(name);
    if (known) return this.build(known);
    let pending = this.resolving.get(name);
    if (!pending) {
      pending = this.resolve(name).finally(() => this.resolving.delete(name));
      this.resolving.set(name, pending);
    }
    return pending;
  }

  /** The accounts of the `accounts` option (checked at boot), not `default`, not resolved ones. */
  configured(): readonly OrangeSmsResolvedAccount[] {
    return [...this.statics.values()];
  }

  /** Token state of each account other than `default` that has been used (never asks Orange). */
  tokenStates(): Array<{ name: string } & OrangeSmsTokenProvider['state']> {
    return [...this.built.values()].map((account) => ({ name: account.name, ...account.access.tokens.state }));
  }

  /**
   * Drops a resolved account: its next use resolves it again (new credentials, a closed tenant); a
   * name found unknown is looked up again at its next use (a tenant just created). Static accounts
   * and `default` stay.
   */
  forget(name: string): void {
    this.unknown.delete(name);
    if (this.statics.has(name) || name === ORANGE_SMS_DEFAULT_ACCOUNT) return;
    // Not closed: sends already waiting for a slot of it go out as planned.
    this.built.delete(name);
  }

  onApplicationShutdown(): void {
    for (const account of this.built.values()) account.access.limiter.close?.();
  }

  private async resolve(name: string): Promise<OrangeSmsAccount> {
    const resolver = this.config.resolveAccount;
    if (!resolver) throw new OrangeSmsUnknownAccountError(name);
    // A name just found unknown is not looked up again for a while: a route such as
    // /accounts/<random>/inbound must not turn into one database query per request.
    const unknownUntil = this.unknown.get(name);
    if (unknownUntil !== undefined && unknownUntil > Date.now()) throw new OrangeSmsUnknownAccountError(name);
    const found = await resolver(name);
    if (found === undefined || found === null) {
      if (this.unknown.size >= UNKNOWN_NAMES_KEPT) this.unknown.delete(this.unknown.keys().next().value!);
      this.unknown.set(name, Date.now() + UNKNOWN_NAME_TTL_MS);
      throw new OrangeSmsUnknownAccountError(name);
    }
    this.unknown.delete(name);
    // Checked like a static account (OrangeSmsConfigurationError naming accounts.<name>.<field>).
    return this.build(resolveAccountOptions(name, found, this.config)!);
  }

  private build(resolved: OrangeSmsResolvedAccount): OrangeSmsAccount {
    const existing = this.built.get(resolved.name);
    if (existing) return existing;
    const http: OrangeSmsHttpConfig = {
      ...this.http,
      authorizationHeader: resolved.authorizationHeader,
      credentialKey: resolved.credentialKey,
    };
    const account: OrangeSmsAccount = {
      name: resolved.name,
      sending: {
        senderAddress: resolved.senderAddress,
        senderName: resolved.senderName,
        ...(resolved.defaultCountry !== undefined ? { defaultCountry: resolved.defaultCountry } : {}),
        maxSegments: this.config.sending.maxSegments,
        optOut: this.config.sending.optOut,
      },
      access: {
        tokens: new OrangeSmsTokenProvider(this.transport, http, this.telemetry, this.tokenCache ?? undefined),
        limiter: createRateLimiter(resolved.rateLimit, resolved.credentialKey, this.redis, this.http.timeoutMs),
      },
      webhookSecrets: resolved.webhookSecrets,
    };
    this.built.set(resolved.name, account);
    return account;
  }
}

/**
 * A key in a store shared by every account: the key itself for `default` (so what was kept before
 * accounts keeps working), `<account>/<key>` for the others. Opt-outs (a STOP to one account's number
 * does not silence another), notification dedupe keys and inbound ids all go through it.
 */
export function accountScoped(account: string, key: string): string {
  return account === ORANGE_SMS_DEFAULT_ACCOUNT ? key : `${account}/${key}`;
}
