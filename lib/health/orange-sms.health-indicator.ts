import { Injectable, Optional } from '@nestjs/common';
import { OrangeSmsModuleMissingError } from '../errors/orange-sms.errors.js';
import { HealthIndicatorService } from '@nestjs/terminus';
import { OrangeSmsTokenProvider } from '../http/orange-sms.token-provider.js';
import { OrangeSmsAccounts } from '../accounts/orange-sms.accounts.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import type { OrangeSmsContract } from '../interfaces/orange-sms.stats.interfaces.js';
import { OrangeSmsStatsService } from '../stats/orange-sms.stats.service.js';

export interface OrangeSmsHealthOptions {
  /** Contracts below this many units make the check `degraded` (or `down`, see below). Default 100. */
  lowBalanceThreshold?: number;
  /** Mark the check `down` (not `degraded`) on a low balance; beware, that may pull pods from rotation. */
  downOnLowBalance?: boolean;
  /** How long the balance is reused between probes. Default 5 minutes. */
  balanceTtlMs?: number;
  /** An active contract expiring within this many days makes the check `degraded`. Default 7. */
  expiryWarningDays?: number;
}

interface CachedBalance {
  contracts: Array<Pick<OrangeSmsContract, 'id' | 'country' | 'availableUnits' | 'state'> & { expiresAt?: string }>;
  /** Units of active contracts only (what Orange lets us spend). */
  spendableUnits: number;
  at: number;
}

/**
 * Terminus indicator for Orange SMS: token state, the last call to Orange and the units left per
 * contract. A probe never makes a token request: the balance is refreshed (at most every
 * `balanceTtlMs`) only while a valid token is already held, otherwise the last known one is shown.
 *
 * `down` when the token cannot be obtained or the last call to Orange failed on Orange's side or the
 * network; `degraded` (Terminus 12) when the spendable units (active contracts only) are low or an
 * active contract expires within `expiryWarningDays`.
 */
/** Accounts listed in a health report (a SaaS may resolve hundreds of tenants). */
const MAX_ACCOUNTS_LISTED = 50;

@Injectable()
export class OrangeSmsHealthIndicator {
  private balance?: CachedBalance;
  private refreshing?: Promise<void>;

  constructor(
    private readonly health: HealthIndicatorService,
    // Optional so that a missing OrangeSmsModule is reported by name, not as Nest's generic "can't resolve".
    @Optional() private readonly tokens: OrangeSmsTokenProvider,
    @Optional() private readonly telemetry: OrangeSmsTelemetry,
    @Optional() private readonly stats: OrangeSmsStatsService,
    @Optional() private readonly accounts?: OrangeSmsAccounts,
  ) {
    if (!tokens || !telemetry || !stats) throw new OrangeSmsModuleMissingError('OrangeSmsHealthModule');
  }

  async isHealthy<const Key extends string = 'orange-sms'>(
    key: Key = 'orange-sms' as Key,
    options: OrangeSmsHealthOptions = {},
  ) {
    const threshold = options.lowBalanceThreshold ?? 100;
    const token = this.tokens.state;
    if (token.valid && (!this.balance || Date.now() - this.balance.at > (options.balanceTtlMs ?? 300_000))) {
      await this.refreshBalance();
    }
    const last = this.telemetry.lastCall;
    const warningMs = (options.expiryWarningDays ?? 7) * 86_400_000;
    const active = (this.balance?.contracts ?? []).filter((c) => c.state === 'active');
    // Judged on what can be spent: an expired contract's units never count. With no active
    // contract under the threshold but too few spendable units overall, every contract is listed.
    const lowContracts = active.filter((c) => c.availableUnits < threshold).map((c) => c.id);
    if (this.balance && this.balance.spendableUnits < threshold && lowContracts.length === 0)
      lowContracts.push(...this.balance.contracts.map((c) => c.id));
    const expiringSoon = active
      .filter((c) => c.expiresAt !== undefined && Date.parse(c.expiresAt) - Date.now() <= warningMs)
      .map((c) => c.id);
    const data = {
      token: {
        valid: token.valid,
        ...(token.expiresAt ? { expiresAt: token.expiresAt.toISOString() } : {}),
        requests: token.tokenRequests,
        ...(token.lastError ? { lastError: token.lastError } : {}),
      },
      lastCall: last
        ? { operation: last.operation, ok: last.ok, status: last.status, error: last.error, at: last.at.toISOString() }
        : null,
      ...this.accountsData(),
      balance: this.balance
        ? {
            contracts: this.balance.contracts,
            spendableUnits: this.balance.spendableUnits,
            checkedAt: new Date(this.balance.at).toISOString(),
            lowBalanceThreshold: threshold,
          }
        : null,
    };
    const session = this.health.check(key);
    const broken =
      (!token.valid && token.lastError !== undefined) ||
      (last !== undefined && !last.ok && isOrangeSideFailure(last.status));
    if (broken) return session.down(data);
    // Another account's credentials failing leaves the others working: degraded, not down.
    const failingAccounts = (this.accounts?.tokenStates() ?? [])
      .filter((state) => !state.valid && state.lastError !== undefined)
      .map((state) => state.name)
      .slice(0, MAX_ACCOUNTS_LISTED);
    if (lowContracts.length > 0 || expiringSoon.length > 0 || failingAccounts.length > 0) {
      const withLow = {
        ...data,
        ...(failingAccounts.length > 0 ? { failingAccounts } : {}),
        ...(lowContracts.length > 0 ? { lowBalance: lowContracts } : {}),
        ...(expiringSoon.length > 0 ? { expiringSoon } : {}),
      };
      if (options.downOnLowBalance && lowContracts.length > 0) return session.down(withLow);
      // Terminus 12 has `degraded`; Terminus 11 does not, so it stays `up` with `lowBalance` listed.
      const degraded = (session as { degraded?: (d: typeof withLow) => ReturnType<typeof session.up> }).degraded;
      return degraded ? degraded.call(session, withLow) : session.up(withLow);
    }
    return session.up(data);
  }

  /** The other accounts' tokens (those used so far), at most `MAX_ACCOUNTS_LISTED`. */
  private accountsData(): { accounts?: Record<string, { valid: boolean; expiresAt?: string; requests: number }> } {
    const states = this.accounts?.tokenStates() ?? [];
    if (states.length === 0) return {};
    return {
      accounts: Object.fromEntries(
        states.slice(0, MAX_ACCOUNTS_LISTED).map((state) => [
          state.name,
          {
            valid: state.valid,
            ...(state.expiresAt ? { expiresAt: state.expiresAt.toISOString() } : {}),
            requests: state.tokenRequests,
          },
        ]),
      ),
    };
  }

  private refreshBalance(): Promise<void> {
    this.refreshing ??= this.stats
      .getBalance()
      .then(({ contracts, availableUnits }) => {
        this.balance = {
          spendableUnits: availableUnits,
          contracts: contracts.map((c) => ({
            id: c.id,
            country: c.country,
            availableUnits: c.availableUnits,
            state: c.state,
            ...(c.expiresAt ? { expiresAt: c.expiresAt.toISOString() } : {}),
          })),
          at: Date.now(),
        };
      })
      .catch(() => undefined) // the failed call is in telemetry.lastCall, reported below
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }
}

/** A client error (400, 404 …) is about one request, not Orange's health. */
function isOrangeSideFailure(status: number | undefined): boolean {
  return status === undefined || status >= 500 || status === 401 || status === 403 || status === 429;
}
