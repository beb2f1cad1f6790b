import { fillPlaceholders, mapOrangeErrorResponse, parseRetryAfter } from '../../lib/http/orange-sms.error-mapper.js';
import { OrangeSmsApiError, OrangeSmsAuthError, OrangeSmsRateLimitError } from '../../lib/errors/orange-sms.errors.js';

describe('mapOrangeErrorResponse', () => {
  it('OAuth shape → OrangeSmsAuthError with the OAuth error code', () => {
    const error = mapOrangeErrorResponse(401, {
      error: 'invalid_client',
      error_description: 'The requested service needs credentials, but the ones provided were invalid.',
    });
    expect(error).toBeInstanceOf(OrangeSmsAuthError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_client' });
  });

  it('gateway 401 code 42 → OrangeSmsAuthError with code 42', () => {
    const error = mapOrangeErrorResponse(
      401,
      '{"code":42,"message":"Expired credentials","description":"out-of-date"}',
      {
        'x-oapi-request-id': 'abc',
      },
    );
    expect(error).toBeInstanceOf(OrangeSmsAuthError);
    expect(error).toMatchObject({ code: 42, requestId: 'abc' });
  });

  it('gateway 429 → OrangeSmsRateLimitError with Retry-After in ms', () => {
    const error = mapOrangeErrorResponse(429, { code: 53, message: 'Too many requests' }, { 'retry-after': '2' });
    expect(error).toBeInstanceOf(OrangeSmsRateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 2000, code: 53, kind: 'gateway' });
  });

  it('policyException with several variables, filled in order', () => {
    const error = mapOrangeErrorResponse(400, {
      requestError: {
        policyException: { messageId: 'POL0003', text: 'Too many addresses: %1 > %2', variables: ['12', '10'] },
      },
    });
    expect(error).toBeInstanceOf(OrangeSmsApiError);
    expect(error).toMatchObject({
      kind: 'policy',
      messageId: 'POL0003',
      text: 'Too many addresses: 12 > 10',
      variables: ['12', '10'],
    });
  });

  it('a body that is none of the shapes keeps the status and a short text', () => {
    const error = mapOrangeErrorResponse(502, '<html>Bad gateway</html>');
    expect(error).toMatchObject({ status: 502, kind: 'http', text: '<html>Bad gateway</html>' });
    expect(mapOrangeErrorResponse(500, '')).toMatchObject({ text: 'HTTP 500' });
  });
});

describe('fillPlaceholders', () => {
  it('fills %n 1-based and leaves unknown placeholders', () => {
    expect(fillPlaceholders('%1 then %2 then %3', ['a', 'b'])).toBe('a then b then %3');
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['3', 3000],
    ['0.5', 500],
    ['Thu, 01 Jan 2026 00:00:04 GMT', 4000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('%s → %s ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('phone numbers in Orange error texts', () => {
  it('are masked in the message; variables keep the raw values', () => {
    const error = mapOrangeErrorResponse(400, {
      requestError: {
        policyException: { messageId: 'POL0001', text: 'Recipient %1 refused', variables: ['tel:+2250700000089'] },
      },
    }) as OrangeSmsApiError;
    expect(error.message).toContain('+22507******89');
    expect(error.message).not.toContain('2250700000089');
    expect(error.variables).toEqual(['tel:+2250700000089']);
  });
});
