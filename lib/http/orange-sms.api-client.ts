import { ORANGE_SMS_RATE_LIMITER } from '../orange-sms.constants.js';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { OrangeSmsAuthError, OrangeSmsTimeoutError } from '../errors/orange-sms.errors.js';
import { OrangeSmsTokenProvider } from './orange-sms.token-provider.js';
import { settleWithin } from './orange-sms.deadline.js';
import type { OrangeSmsDeparture, OrangeSmsRateLimiter } from './orange-sms.rate-limiter.js';
import { OrangeSmsRetryPolicy } from './orange-sms.retry-policy.js';
import { operationOf, OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { type OrangeSmsHttpRequest, type OrangeSmsHttpResponse, OrangeSmsTransport } from './orange-sms.transport.js';

/** The token and the pacing of one Orange app (an account); the module's own when not given. */
export interface OrangeSmsAppAccess {
  tokens: OrangeSmsTokenProvider;
  limiter: OrangeSmsRateLimiter;
}

export type OrangeSmsApiRequest = Omit<OrangeSmsHttpRequest, 'authorization'> & {
  /** Whose credentials and pacing: an account's (`OrangeSmsAccounts`), else the top-level ones. */
  via?: OrangeSmsAppAccess;
  /** Take a slot from the send pacing before each attempt (sends only). */
  paced?: boolean;
  /** Runs right before each write of the request, once the pacing has let it go and its token is in hand. */
  beforeWrite?: () => Promise<void>;
};

/**
 * Gateway codes for a token Orange no longer accepts (API reference §6.1): 41 invalid (revoked, or
 * issued before a credential change), 42 expired. Either way a fresh token fixes it.
 */
const STALE_TOKEN_CODES = new Set<string | number | undefined>([41, 42]);

/** A departure from the pacing, and when it was granted (`performance.now()`). */
interface Granted {
  departure: OrangeSmsDeparture | void;
  at: number;
}

/** How an attempt leaves: paced or not, the departure already granted for it, the hook before the write. */
interface Leaving {
  access: OrangeSmsAppAccess;
  paced: boolean;
  granted?: Granted;
  beforeWrite?: () => Promise<void>;
}

/**
 * A departure not used within this long is given up (it still counts, from now) and a fresh one taken
 * right before the write. A fleet holds an unanswered send's place only for its lease (the attempt
 * timeout + 1 s), so the time between the grant and the write (a token renewed meanwhile, a slow
 * `beforeWrite`) must stay well inside that second.
 */
export const STALE_DEPARTURE_MS = 500;

/** Marks failures of the token phase: no request to Orange's SMS API was written, so a retry is safe. */
const tokenPhaseFailures = new WeakSet<object>();

/**
 * An authorised, resilient call to Orange: bearer token attached; retries with backoff within a
 * deadline for errors that prove the request had no effect (see `isRetryable`); pacing for sends.
 * When Orange says the token is invalid or expired (401 code 41 or 42) the token is dropped, one new
 * token is fetched (single flight) and the call replayed once: a 401 is an answer, so the replay
 * cannot duplicate a send. Getting the token is part of every attempt, under the call's deadline.
 */
@Injectable()
export class OrangeSmsApiClient implements OnApplicationShutdown {
  constructor(
    private readonly transport: OrangeSmsTransport,
    private readonly tokens: OrangeSmsTokenProvider,
    @Inject(ORANGE_SMS_RATE_LIMITER) private readonly limiter: OrangeSmsRateLimiter,
    private readonly retry: OrangeSmsRetryPolicy,
    private readonly telemetry: OrangeSmsTelemetry,
  ) {}

  async call<T>(request: OrangeSmsApiRequest): Promise<OrangeSmsHttpResponse<T>> {
    const { paced = false, beforeWrite, via, ...http } = request;
    const access = via ?? { tokens: this.tokens, limiter: this.limiter };
    const onRetry = (error: unknown) =>
      this.telemetry.emit({
        type: 'retry',
        operation: operationOf(http.path),
        error: (error as Error)?.name ?? 'Error',
      });
    const safeToRepeat = (error: unknown) =>
      http.idempotent || (typeof error === 'object' && error !== null && tokenPhaseFailures.has(error));
    let deadlineMs = this.retry.deadlineMs;
    let firstGranted: Granted | undefined;
    if (paced) {
      // Token first, then the departure: a send let go counts in the pacing's window until Orange
      // answers it, so it must not hold its place while a cold token is fetched. The token is fetched
      // with retries under the call's deadline; queueing for the pacing is not Orange being slow, so
      // it is not counted.
      const started = Date.now();
      await this.retry.execute((timeoutMs) => this.token(access, timeoutMs), true, onRetry, { phase: true });
      deadlineMs = Math.max(1, deadlineMs - (Date.now() - started));
      firstGranted = await this.depart(access);
    }
    return this.retry.execute(
      (timeoutMs, attempt) =>
        this.authorised<T>(http, timeoutMs, {
          access,
          paced,
          granted: attempt === 1 ? firstGranted : undefined,
          beforeWrite,
        }),
      safeToRepeat,
      onRetry,
      { deadlineMs },
    );
  }

  onApplicationShutdown(): void {
    this.limiter.close?.();
  }

  private async authorised<T>(
    request: Omit<OrangeSmsHttpRequest, 'authorization'>,
    timeoutMs: number,
    leaving: Leaving,
  ): Promise<OrangeSmsHttpResponse<T>> {
    let token: string;
    try {
      token = await this.token(leaving.access, timeoutMs);
    } catch (error) {
      // Nothing was written: the departure granted for this attempt must not hold its place.
      leaving.granted?.departure?.settle();
      throw error;
    }
    try {
      return await this.written(request.path, leaving, leaving.granted, () =>
        this.transport.request<T>({ ...request, authorization: `Bearer ${token}` }, timeoutMs),
      );
    } catch (error) {
      if (!(error instanceof OrangeSmsAuthError) || !STALE_TOKEN_CODES.has(error.code)) throw error;
      // Only drops the token if it is still the current one, so concurrent callers that got the same
      // 401 share one new token request.
      await leaving.access.tokens.invalidate(token);
      const fresh = await this.token(leaving.access, timeoutMs);
      return this.written(request.path, leaving, undefined, () =>
        this.transport.request<T>({ ...request, authorization: `Bearer ${fresh}` }, timeoutMs),
      );
    }
  }

  /**
   * One write of the request: for sends, a departure from the pacing first (the one granted, else a
   * new one), then `beforeWrite`, a fresh departure if the one in hand went stale meanwhile, the
   * exchange, and the departure settled however the exchange ends, so the send counts in the window
   * from the moment Orange has surely counted it. A departure given up, or whose `beforeWrite` fails,
   * is settled too: nothing was written with it, counting it is only cautious.
   */
  private async written<R extends { status: number }>(
    path: string,
    leaving: Leaving,
    granted: Granted | undefined,
    exchange: () => Promise<R>,
  ): Promise<R> {
    if (!leaving.paced) {
      await leaving.beforeWrite?.();
      return this.observed(path, exchange);
    }
    let current = granted ?? (await this.depart(leaving.access));
    try {
      await leaving.beforeWrite?.();
      while (performance.now() - current.at > STALE_DEPARTURE_MS) {
        current.departure?.settle();
        current = await this.depart(leaving.access);
      }
      return await this.observed(path, exchange);
    } finally {
      current.departure?.settle();
    }
  }

  private async depart(access: OrangeSmsAppAccess): Promise<Granted> {
    const departure = await access.limiter.acquire();
    return { departure, at: performance.now() };
  }

  /**
   * The bearer token within `timeoutMs`. The shared token request keeps going for other callers when
   * this one gives up. Its failures are marked: nothing was sent yet, so the attempt may be repeated.
   */
  private async token(access: OrangeSmsAppAccess, timeoutMs: number): Promise<string> {
    try {
      return await settleWithin(access.tokens.getToken(), timeoutMs, () => new OrangeSmsTimeoutError(timeoutMs));
    } catch (error) {
      if (typeof error === 'object' && error !== null) tokenPhaseFailures.add(error);
      throw error;
    }
  }

  /** Reports each exchange with Orange: operation, outcome, HTTP status, duration. */
  private async observed<R extends { status: number }>(path: string, exchange: () => Promise<R>): Promise<R> {
    const operation = operationOf(path);
    const started = performance.now();
    try {
      const response = await exchange();
      this.telemetry.emit({
        type: 'call',
        operation,
        ok: true,
        status: response.status,
        durationMs: performance.now() - started,
      });
      return response;
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      this.telemetry.emit({
        type: 'call',
        operation,
        ok: false,
        status: typeof status === 'number' ? status : undefined,
        error: (error as Error)?.name ?? 'Error',
        durationMs: performance.now() - started,
      });
      throw error;
    }
  }
}
