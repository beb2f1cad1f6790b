import {
  OrangeSmsApiError,
  type OrangeSmsApiErrorDetails,
  OrangeSmsAuthError,
  OrangeSmsError,
  OrangeSmsRateLimitError,
} from '../errors/orange-sms.errors.js';

import { maskPhoneNumber } from '../logging/orange-sms.mask.js';
import { isRecord, parseJsonOr } from '../common/orange-sms.json-helpers.js';

type Headers = Record<string, unknown>;

/**
 * Turns an Orange error answer into a typed error. Orange uses three JSON shapes (API reference §6.1):
 * OAuth `{ error, error_description }`, gateway `{ code, message, description }` and SMS service
 * `{ requestError: { serviceException | policyException: { messageId, text, variables } } }`.
 */
export function mapOrangeErrorResponse(status: number, body: unknown, headers: Headers = {}): OrangeSmsError {
  const requestId = requestIdOf(headers);
  const data = parseBody(body);

  if (isRecord(data) && typeof data.error === 'string') {
    const description = typeof data.error_description === 'string' ? data.error_description : data.error;
    return new OrangeSmsAuthError(
      `Orange OAuth error ${status} (${data.error}): ${description}`,
      status,
      data.error,
      requestId,
    );
  }

  const exception = isRecord(data) && isRecord(data.requestError) ? data.requestError : undefined;
  if (exception) {
    const kind = isRecord(exception.policyException) ? 'policy' : 'service';
    const inner = (kind === 'policy' ? exception.policyException : exception.serviceException) as Record<
      string,
      unknown
    >;
    const variables = Array.isArray(inner?.variables) ? inner.variables.map(String) : [];
    return build(status, headers, {
      status,
      kind,
      messageId: typeof inner?.messageId === 'string' ? inner.messageId : undefined,
      // Orange echoes the recipient in its variables: masked in the text (messages get logged).
      text: fillPlaceholders(
        typeof inner?.text === 'string' ? inner.text : 'Orange SMS service error',
        variables.map(maskIfPhoneNumber),
      ),
      variables,
      requestId,
    });
  }

  if (isRecord(data) && data.code !== undefined && (data.message !== undefined || data.description !== undefined)) {
    const code = Number(data.code);
    const text = [data.message, data.description].filter((part) => typeof part === 'string').join(': ');
    if (status === 401) {
      return new OrangeSmsAuthError(`Orange gateway error 401 (code ${code}): ${text}`, status, code, requestId);
    }
    return build(status, headers, { status, kind: 'gateway', code, text, variables: [], requestId });
  }

  const text = typeof data === 'string' && data.trim() !== '' ? data.trim().slice(0, 200) : `HTTP ${status}`;
  return build(status, headers, { status, kind: 'http', text, variables: [], requestId });
}

function build(status: number, headers: Headers, details: OrangeSmsApiErrorDetails): OrangeSmsApiError {
  const withRetryAfter = { ...details, retryAfterMs: parseRetryAfter(headers['retry-after']) };
  return status === 429 ? new OrangeSmsRateLimitError(withRetryAfter) : new OrangeSmsApiError(withRetryAfter);
}

/** `tel:+2250700000089` → `+22507*****89`; anything else unchanged. */
function maskIfPhoneNumber(value: string): string {
  return /^(tel:)?\+?\d{7,15}$/i.test(value.trim()) ? maskPhoneNumber(value.trim()) : value;
}

/** `Text %1 and %2` with `['a', 'b']` → `Text a and b` (Orange's OneAPI placeholders, 1-based). */
export function fillPlaceholders(text: string, variables: readonly string[]): string {
  return text.replace(/%(\d+)/g, (match, index: string) => variables[Number(index) - 1] ?? match);
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from now; undefined when absent or bad. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  const text = String(raw).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function requestIdOf(headers: Headers): string | undefined {
  const value = headers['x-oapi-request-id'] ?? headers['x-request-id'];
  return typeof value === 'string' ? value : undefined;
}

function parseBody(body: unknown): unknown {
  return typeof body === 'string' ? parseJsonOr(body, body) : body;
}
