import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import {
  ORANGE_SMS_HTTP_CONFIG,
  ORANGE_SMS_LOGGER_CONTEXT,
  ORANGE_SMS_PATHS,
  ORANGE_SMS_TOKEN_CACHE,
} from '../orange-sms.constants.js';
import { OrangeSmsApiError, OrangeSmsAuthError } from '../errors/orange-sms.errors.js';
import { ORANGE_SMS_DEFAULT_BASE_URL, type OrangeSmsHttpConfig } from '../orange-sms.options.js';
import { OrangeSmsTransport } from './orange-sms.transport.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { type OrangeSmsSharedToken, type OrangeSmsTokenCache } from './orange-sms.token-cache.js';
import { parseJsonOr } from '../common/orange-sms.json-helpers.js';

/** How long one instance may hold the fleet's token lock (a token request takes well under that). */
const LOCK_TTL_MS = 10_000;
const LOCK_POLL_MS = 25;

/** `refreshAt`: from there on the token is still used, but a background refresh starts. */
type CachedToken = OrangeSmsSharedToken;

/**
 * OAuth client-credentials token (`POST /oauth/v3/token`). One request however many callers ask at
 * once (single flight); refreshed ahead of expiry in the background; a failed request is never
 * cached, so the next caller tries again. With a shared cache (Redis), the fleet shares one token and
 * a short lock makes a cold start of many instances one token request.
 */
@Injectable()
export class OrangeSmsTokenProvider {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;
  private requests = 0;

  constructor(
    private readonly transport: OrangeSmsTransport,
    @Inject(ORANGE_SMS_HTTP_CONFIG) private readonly options: OrangeSmsHttpConfig,
    private readonly telemetry: OrangeSmsTelemetry,
    @Optional() @Inject(ORANGE_SMS_TOKEN_CACHE) private readonly shared?: OrangeSmsTokenCache,
  ) {}

  /** For health checks: never asks Orange. */
  get state(): { valid: boolean; expiresAt?: Date; tokenRequests: number; lastError?: string } {
    const cached = this.cached;
    return {
      valid: cached !== undefined && Date.now() < cached.expiresAt,
      ...(cached ? { expiresAt: new Date(cached.expiresAt) } : {}),
      tokenRequests: this.requests,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private lastError?: string;

  async getToken(): Promise<string> {
    const now = Date.now();
    const cached = this.cached;
    if (cached && now < cached.expiresAt) {
      if (now >= cached.refreshAt && !this.inFlight) this.refresh().catch(() => undefined);
      return cached.value;
    }
    return (await this.refresh()).value;
  }

  /** Forgets `token` if it is still the cached one (Orange said it expired: code 42). */
  async invalidate(token: string): Promise<void> {
    if (this.cached?.value === token) this.cached = undefined;
    await this.shared?.invalidate(this.options.credentialKey, token);
  }

  private refresh(): Promise<CachedToken> {
    this.inFlight ??= (this.shared ? this.fromSharedCache(this.shared) : this.requestToken())
      .then((token) => (this.cached = token))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** The fleet's token; only the lock holder asks Orange, the others wait for its result. */
  private async fromSharedCache(shared: OrangeSmsTokenCache): Promise<CachedToken> {
    const key = this.options.credentialKey;
    const giveUpAt = Date.now() + LOCK_TTL_MS;
    for (;;) {
      const found = await shared.get(key);
      const now = Date.now();
      const usable = found && now < found.expiresAt ? found : undefined;
      if (usable && now < usable.refreshAt) return usable;
      if (await shared.lock(key, LOCK_TTL_MS)) {
        try {
          const again = await shared.get(key);
          if (again && Date.now() < again.refreshAt) return again;
          const token = await this.requestToken();
          await shared.set(key, token);
          return token;
        } finally {
          await shared.unlock(key);
        }
      }
      // Another instance is refreshing: keep using a still-valid token, else wait for the new one.
      if (usable) return usable;
      if (Date.now() > giveUpAt) return this.requestToken();
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  /**
   * Orange's token endpoint always exists: a 404 (or 405) means `baseUrl` points at another server or
   * path, which the raw answer (sometimes an OAuth-shaped error) would pass off as bad credentials.
   */
  private explainNotFound(error: unknown): unknown {
    const status = (error as { status?: unknown })?.status;
    if (status !== 404 && status !== 405) return error;
    let endpoint = 'the token endpoint';
    try {
      const url = new URL(this.options.baseUrl + ORANGE_SMS_PATHS.token);
      endpoint = `${url.origin}${url.pathname}`;
    } catch {
      // baseUrl was validated at boot; keep the generic wording if it still cannot be parsed.
    }
    return new OrangeSmsApiError({
      status,
      kind: 'http',
      text: `${endpoint} answered ${status}: check baseUrl (Orange's is ${ORANGE_SMS_DEFAULT_BASE_URL}); this is not a credentials problem`,
      variables: [],
      requestId: (error as { requestId?: string }).requestId,
    });
  }

  private async requestToken(): Promise<CachedToken> {
    this.requests++;
    const started = performance.now();
    let token: ReturnType<typeof parseTokenResponse>;
    try {
      const { data, status } = await this.transport.request<unknown>({
        method: 'POST',
        path: ORANGE_SMS_PATHS.token,
        form: { grant_type: 'client_credentials' },
        authorization: this.options.authorizationHeader,
        idempotent: true,
      });
      token = parseTokenResponse(data);
      this.lastError = undefined;
      this.telemetry.emit({
        type: 'call',
        operation: 'token',
        ok: true,
        status,
        durationMs: performance.now() - started,
      });
      this.telemetry.emit({ type: 'token', outcome: 'obtained' });
    } catch (caught) {
      const error = this.explainNotFound(caught);
      const status = (error as { status?: unknown }).status;
      this.lastError = (error as Error)?.message ?? String(error);
      this.telemetry.emit({
        type: 'call',
        operation: 'token',
        ok: false,
        status: typeof status === 'number' ? status : undefined,
        error: (error as Error)?.name ?? 'Error',
        durationMs: performance.now() - started,
      });
      this.telemetry.emit({ type: 'token', outcome: 'failed' });
      throw error;
    }
    const now = Date.now();
    const ttlMs = token.expiresInSeconds * 1000;
    // Stop using a token 60 s (or 10 % of a short TTL) before it expires; refresh in the background
    // twice that early, so no request waits for a token in steady state.
    const margin = Math.min(60_000, ttlMs * 0.1);
    this.logger.debug(`Orange token obtained, valid ${token.expiresInSeconds} s`);
    return { value: token.accessToken, expiresAt: now + ttlMs - margin, refreshAt: now + ttlMs - 2 * margin };
  }
}

/** Orange sends `expires_in` as a string in its docs and as a number in real answers: accept both. */
export function parseTokenResponse(data: unknown): { accessToken: string; expiresInSeconds: number } {
  const body = typeof data === 'string' ? safeJson(data) : data;
  const record = (body ?? {}) as Record<string, unknown>;
  const accessToken = record.access_token;
  const expiresIn = Number(record.expires_in);
  if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw new OrangeSmsAuthError(
      'Orange token endpoint returned an unexpected body (no access_token or expires_in)',
      200,
      undefined,
    );
  }
  return { accessToken, expiresInSeconds: expiresIn };
}

function safeJson(text: string): unknown {
  return parseJsonOr(text, undefined);
}
