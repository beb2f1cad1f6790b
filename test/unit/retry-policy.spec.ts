import {
  OrangeSmsApiError,
  OrangeSmsAuthError,
  OrangeSmsConnectionError,
  OrangeSmsOutcomeUnknownError,
  OrangeSmsRateLimitError,
  OrangeSmsTimeoutError,
} from '../../lib/errors/orange-sms.errors.js';
import {
  isRetryable,
  OrangeSmsRetryBudget,
  OrangeSmsRetryPolicy,
  retryDelayMs,
} from '../../lib/http/orange-sms.retry-policy.js';

const options = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 1_000, deadlineMs: 5_000 };
const api = (status: number, retryAfterMs?: number) =>
  new (status === 429 ? OrangeSmsRateLimitError : OrangeSmsApiError)({
    status,
    kind: 'gateway',
    text: 'x',
    variables: [],
    retryAfterMs,
  });

describe('isRetryable', () => {
  it.each([
    ['connection refused, send', new OrangeSmsConnectionError('ECONNREFUSED'), false, true],
    ['429, send', api(429), false, true],
    ['503, send', api(503), false, true],
    ['502, send (may have reached Orange)', api(502), false, false],
    ['502, read', api(502), true, true],
    ['400', api(400), true, false],
    ['timeout of a read', new OrangeSmsTimeoutError(100, false), true, true],
    ['timeout of a send', new OrangeSmsTimeoutError(100, true), false, false],
    ['outcome unknown', new OrangeSmsOutcomeUnknownError('reset'), false, false],
    ['auth error', new OrangeSmsAuthError('no', 401, 41), true, false],
  ])('%s → %s', (_label, error, idempotent, expected) => {
    expect(isRetryable(error, idempotent)).toBe(expected);
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with equal jitter, capped by maxDelayMs', () => {
    const low = (attempt: number) => retryDelayMs(api(503), false, attempt, { ...options, maxAttempts: 10 }, () => 0);
    const high = (attempt: number) => retryDelayMs(api(503), false, attempt, { ...options, maxAttempts: 10 }, () => 1);
    expect([1, 2, 3, 4, 5].map(low)).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map(high)).toEqual([100, 200, 400, 800, 1_000]);
  });
  it('honours Retry-After, and gives up when it exceeds maxDelayMs', () => {
    expect(retryDelayMs(api(429, 700), false, 1, options)).toBe(700);
    expect(retryDelayMs(api(503, 2_000), false, 1, options)).toBeUndefined();
  });
  it('gives up after maxAttempts and for errors that are not retryable', () => {
    expect(retryDelayMs(api(503), false, 4, options)).toBeUndefined();
    expect(retryDelayMs(api(400), false, 1, options)).toBeUndefined();
  });
});

describe('OrangeSmsRetryBudget', () => {
  it('allows 10 retries plus 20 % of calls in the window, and recovers as the window slides', () => {
    let now = 1_000_000;
    const budget = new OrangeSmsRetryBudget(0.2, 10, 10, () => now);
    for (let i = 0; i < 50; i++) budget.recordCall();
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(20);
    now += 11_000;
    for (let i = 0; i < 5; i++) budget.recordCall();
    granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).toBe(11);
  });
});

describe('OrangeSmsRetryPolicy', () => {
  const noSleep: number[] = [];
  const policy = (overrides = {}) =>
    new OrangeSmsRetryPolicy({ ...options, ...overrides }, 1_000, new OrangeSmsRetryBudget(), async (ms) => {
      noSleep.push(ms);
    });

  it('retries a retryable failure and returns the first success', async () => {
    let calls = 0;
    const result = await policy().execute(async () => {
      if (++calls < 3) throw api(503);
      return 'ok';
    }, false);
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('never repeats a send whose outcome is unknown', async () => {
    let calls = 0;
    const error = new OrangeSmsOutcomeUnknownError('reset');
    await expect(
      policy().execute(async () => {
        calls++;
        throw error;
      }, false),
    ).rejects.toBe(error);
    expect(calls).toBe(1);
  });

  it('gives each attempt the smaller of the attempt timeout and the time left', async () => {
    const timeouts: number[] = [];
    await policy({ deadlineMs: 400 }).execute(async (timeoutMs) => {
      timeouts.push(timeoutMs);
      return 1;
    }, true);
    expect(timeouts[0]).toBeLessThanOrEqual(400);
    expect(timeouts[0]).toBeGreaterThan(350);
  });

  it('does not start a wait that would overrun the deadline', async () => {
    let calls = 0;
    await expect(
      policy({ deadlineMs: 300 }).execute(async () => {
        calls++;
        throw api(429, 900);
      }, false),
    ).rejects.toBeInstanceOf(OrangeSmsRateLimitError);
    expect(calls).toBe(1);
  });
});
