import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable, Optional } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  OrangeSmsApiError,
  OrangeSmsAuthError,
  OrangeSmsConnectionError,
  OrangeSmsError,
  OrangeSmsOptedOutError,
  OrangeSmsOutcomeUnknownError,
  OrangeSmsRateLimitError,
  OrangeSmsStoreError,
  OrangeSmsTimeoutError,
  OrangeSmsValidationError,
} from './orange-sms.errors.js';

/** The HTTP answer for an `OrangeSmsError`: what the caller of the host's route can act on. */
export interface OrangeSmsHttpAnswer {
  status: number;
  body: {
    statusCode: number;
    /** The error class, e.g. `OrangeSmsValidationError`. */
    error: string;
    message: string;
    /** Validation errors: the input field at fault. */
    field?: string;
    /** True when the SMS may have been sent: do not send it again blindly. */
    outcomeUnknown?: boolean;
  };
  /** Seconds, for a `Retry-After` header. */
  retryAfterSeconds?: number;
}

/**
 * Maps our errors to HTTP. Caller mistakes (4xx) keep our message, which names the field and masks
 * numbers; upstream failures (5xx) get a fixed text, so nothing about the Orange account, its URL or
 * its answer reaches the host's clients.
 */
export function orangeSmsHttpAnswer(error: OrangeSmsError): OrangeSmsHttpAnswer {
  const answer = (
    status: number,
    message: string,
    extra: Partial<OrangeSmsHttpAnswer['body']> = {},
    retryAfterSeconds?: number,
  ): OrangeSmsHttpAnswer => ({
    status,
    body: { statusCode: status, error: error.name, message, ...extra },
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
  if (error instanceof OrangeSmsValidationError) return answer(400, error.message, { field: error.field });
  if (error instanceof OrangeSmsOptedOutError) return answer(422, error.message);
  if (error instanceof OrangeSmsRateLimitError) {
    return answer(
      429,
      'Too many SMS requests; try again later',
      {},
      Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000)),
    );
  }
  // The SMS may be on its way: a 502 that says so, and no Retry-After inviting a duplicate.
  if (
    error instanceof OrangeSmsOutcomeUnknownError ||
    (error instanceof OrangeSmsTimeoutError && error.outcomeUnknown)
  ) {
    return answer(502, 'The SMS provider did not confirm the message; it may have been sent', { outcomeUnknown: true });
  }
  if (error instanceof OrangeSmsTimeoutError || error instanceof OrangeSmsConnectionError) {
    return answer(503, 'The SMS service is unavailable; nothing was sent', {}, 5);
  }
  // Raised by reads (stats, inbox) as well as before a send: the text must hold for both.
  if (error instanceof OrangeSmsStoreError) {
    return answer(503, 'The SMS service is unavailable; try again later', {}, 5);
  }
  if (error instanceof OrangeSmsApiError && error.status === 503) {
    return answer(
      503,
      'The SMS service is unavailable; nothing was sent',
      {},
      Math.max(1, Math.ceil((error.retryAfterMs ?? 5000) / 1000)),
    );
  }
  // Orange refused the request or our credentials (OrangeSmsApiError, OrangeSmsAuthError): upstream.
  if (error instanceof OrangeSmsApiError || error instanceof OrangeSmsAuthError) {
    return answer(502, 'The SMS provider refused the request; nothing was sent');
  }
  return answer(500, 'SMS sending failed');
}

/**
 * `app.useGlobalFilters(new OrangeSmsExceptionFilter(app.get(HttpAdapterHost)))`, `@UseFilters(...)`
 * or `{ provide: APP_FILTER, useClass: OrangeSmsExceptionFilter }`: turns our errors thrown in the
 * host's own routes into the answers of `orangeSmsHttpAnswer` (Express and Fastify).
 */
@Injectable()
@Catch(OrangeSmsError)
export class OrangeSmsExceptionFilter implements ExceptionFilter<OrangeSmsError> {
  constructor(@Optional() private readonly adapterHost?: HttpAdapterHost) {}

  catch(error: OrangeSmsError, host: ArgumentsHost): void {
    const { status, body, retryAfterSeconds } = orangeSmsHttpAnswer(error);
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter) {
      if (retryAfterSeconds !== undefined) adapter.setHeader(response, 'Retry-After', String(retryAfterSeconds));
      adapter.reply(response, body, status);
      return;
    }
    // Without DI (new OrangeSmsExceptionFilter()): Express's response API.
    const express = response as {
      status(code: number): { json(body: unknown): void };
      setHeader(name: string, value: string): void;
    };
    if (retryAfterSeconds !== undefined) express.setHeader('Retry-After', String(retryAfterSeconds));
    express.status(status).json(body);
  }
}
