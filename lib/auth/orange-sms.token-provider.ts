import { Inject, Injectable, Logger } from '@nestjs/common';
import { ORANGE_SMS_LOGGER_CONTEXT, ORANGE_SMS_PATHS, ORANGE_SMS_RESOLVED_OPTIONS } from '../orange-sms.constants.js';
import { OrangeSmsAuthError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import { OrangeSmsTransport } from '../http/orange-sms.transport.js';

interface CachedToken {
  value: string;
  expiresAt: number;
  /** From here on a request still uses the token but starts a background refresh. */
  refreshAt: number;
}

/**
 * OAuth client-credentials token (`POST /oauth/v3/token`). One request however many callers ask at
 * once (single flight); refreshed ahead of expiry in the background; a failed request is never
 * cached, so the next caller tries again.
 */
@Injectable()
export class OrangeSmsTokenProvider {
  private readonly logger = new Logger(ORANGE_SMS_LOGGER_CONTEXT);
  private cached?: CachedToken;
  private inFlight?: Promise<CachedToken>;
  private requests = 0;

  constructor(
    private readonly transport: OrangeSmsTransport,
    @Inject(ORANGE_SMS_RESOLVED_OPTIONS) private readonly options: OrangeSmsResolvedOptions,
  ) {}

  /** Token requests made so far by this instance (for health and metrics). */
  get tokenRequests(): number {
    return this.requests;
  }

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
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private refresh(): Promise<CachedToken> {
    this.inFlight ??= this.requestToken().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async requestToken(): Promise<CachedToken> {
    this.requests++;
    const { data } = await this.transport.request<unknown>({
      method: 'POST',
      path: ORANGE_SMS_PATHS.token,
      form: { grant_type: 'client_credentials' },
      authorization: this.options.authorizationHeader,
      idempotent: true,
    });
    const token = parseTokenResponse(data);
    const now = Date.now();
    const ttlMs = token.expiresInSeconds * 1000;
    // Stop using a token 60 s (or 10 % of a short TTL) before it expires; refresh in the background
    // twice that early, so no request waits for a token in steady state.
    const margin = Math.min(60_000, ttlMs * 0.1);
    this.cached = { value: token.accessToken, expiresAt: now + ttlMs - margin, refreshAt: now + ttlMs - 2 * margin };
    this.logger.debug(`Orange token obtained, valid ${token.expiresInSeconds} s`);
    return this.cached;
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
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
