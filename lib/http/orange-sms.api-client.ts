import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ORANGE_SMS_RESOLVED_OPTIONS } from '../orange-sms.constants.js';
import { OrangeSmsAuthError } from '../errors/orange-sms.errors.js';
import { OrangeSmsTokenProvider } from '../auth/orange-sms.token-provider.js';
import type { OrangeSmsResolvedOptions } from '../orange-sms.options.js';
import { ORANGE_SMS_RATE_LIMITER, type OrangeSmsRateLimiter } from './orange-sms.rate-limiter.js';
import { OrangeSmsRetryPolicy } from './orange-sms.retry-policy.js';
import { operationOf, OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';
import { type OrangeSmsHttpRequest, type OrangeSmsHttpResponse, OrangeSmsTransport } from './orange-sms.transport.js';

export type OrangeSmsApiRequest = Omit<OrangeSmsHttpRequest, 'authorization'> & {
  /** Take a slot from the send pacing before each attempt (sends only). */
  paced?: boolean;
  /** Runs right before each write of the request, once its slot and token are in hand. */
  beforeWrite?: () => Promise<void>;
};

/** Gateway code for an expired token (API reference §6.1). */
const EXPIRED_CREDENTIALS = 42;

/**
 * An authorised, resilient call to Orange: bearer token attached; retries with backoff within a
 * deadline for errors that prove the request had no effect (see `isRetryable`); pacing for sends.
 * When Orange says the token expired (401 code 42) the token is dropped and the call replayed once:
 * a 401 is an answer, so the replay cannot duplicate a send.
 */
@Injectable()
export class OrangeSmsApiClient implements OnApplicationShutdown {
  private readonly retry: OrangeSmsRetryPolicy;

  constructor(
    private readonly transport: OrangeSmsTransport,
    private readonly tokens: OrangeSmsTokenProvider,
    @Inject(ORANGE_SMS_RATE_LIMITER) private readonly limiter: OrangeSmsRateLimiter,
    @Inject(ORANGE_SMS_RESOLVED_OPTIONS) options: OrangeSmsResolvedOptions,
    private readonly telemetry: OrangeSmsTelemetry,
  ) {
    this.retry = new OrangeSmsRetryPolicy(options.retry, options.timeoutMs);
  }

  async call<T>(request: OrangeSmsApiRequest): Promise<OrangeSmsHttpResponse<T>> {
    const { paced = false, beforeWrite, ...http } = request;
    if (paced) {
      // Token first, then the slot: a slot spent waiting for a cold token would let the request
      // leave late and bunch up with the next ones. The deadline starts once the slot is granted,
      // because queueing behind other sends is not Orange being slow.
      await this.tokens.getToken();
      await this.limiter.acquire();
    }
    return this.retry.execute(
      (timeoutMs, attempt) => this.authorised<T>(http, timeoutMs, paced && attempt > 1, paced, beforeWrite),
      http.idempotent,
      (error) =>
        this.telemetry.emit({
          type: 'retry',
          operation: operationOf(http.path),
          error: (error as Error)?.name ?? 'Error',
        }),
    );
  }

  onApplicationShutdown(): void {
    this.limiter.close?.();
  }

  private async authorised<T>(
    request: Omit<OrangeSmsHttpRequest, 'authorization'>,
    timeoutMs: number,
    paceFirst: boolean,
    paced: boolean,
    beforeWrite?: () => Promise<void>,
  ): Promise<OrangeSmsHttpResponse<T>> {
    const token = await this.tokens.getToken();
    if (paceFirst) await this.limiter.acquire();
    await beforeWrite?.();
    try {
      return await this.observed(request.path, () =>
        this.transport.request<T>({ ...request, authorization: `Bearer ${token}` }, timeoutMs),
      );
    } catch (error) {
      if (!(error instanceof OrangeSmsAuthError) || error.code !== EXPIRED_CREDENTIALS) throw error;
      await this.tokens.invalidate(token);
      const fresh = await this.tokens.getToken();
      if (paced) await this.limiter.acquire();
      await beforeWrite?.();
      return this.observed(request.path, () =>
        this.transport.request<T>({ ...request, authorization: `Bearer ${fresh}` }, timeoutMs),
      );
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
