import { OrangeSmsApiError, OrangeSmsConnectionError, OrangeSmsTimeoutError } from '../errors/orange-sms.errors.js';
import type { OrangeSmsRetryOptions } from '../orange-sms.options.js';

/** Below this, a further attempt has no real chance to complete before the deadline. */
const MIN_ATTEMPT_MS = 50;

/**
 * Whether a failed attempt may be repeated. Only errors that prove the request had no effect:
 * a connection never made, a 429 or 503 answer, and for reads a timeout or 502/504. A send whose
 * bytes may have reached Orange (timeout, connection lost) is never repeated.
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof OrangeSmsConnectionError) return true;
  if (error instanceof OrangeSmsTimeoutError) return idempotent && !error.outcomeUnknown;
  if (error instanceof OrangeSmsApiError) {
    if (error.status === 429 || error.status === 503) return true;
    return idempotent && (error.status === 502 || error.status === 504);
  }
  return false;
}

/**
 * Wait before retrying after failed attempt number `attempt` (1-based), or undefined to give up.
 * Orange's `Retry-After` wins when present; otherwise exponential backoff with "equal jitter"
 * (between half and all of `initialDelayMs × 2^(attempt-1)`, capped), so successive waits grow.
 */
export function retryDelayMs(
  error: unknown,
  idempotent: boolean,
  attempt: number,
  options: Required<OrangeSmsRetryOptions>,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= options.maxAttempts || !isRetryable(error, idempotent)) return undefined;
  const hinted = error instanceof OrangeSmsApiError ? error.retryAfterMs : undefined;
  if (hinted !== undefined) return hinted <= options.maxDelayMs ? hinted : undefined;
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Caps retries at `minPerWindow` plus `ratio` of the calls seen in a sliding window, so an outage
 * adds at most ~20 % load instead of multiplying it by `maxAttempts`. Counts in one-second buckets.
 */
export class OrangeSmsRetryBudget {
  private readonly calls: number[];
  private readonly retries: number[];
  private bucketStart = 0;
  private head = 0;

  constructor(
    private readonly ratio = 0.2,
    private readonly minPerWindow = 10,
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.calls = new Array<number>(windowSeconds).fill(0);
    this.retries = new Array<number>(windowSeconds).fill(0);
  }

  recordCall(): void {
    this.advance();
    this.calls[this.head]!++;
  }

  /** Takes a retry from the budget; false when the budget is spent. */
  tryRetry(): boolean {
    this.advance();
    const calls = this.calls.reduce((sum, n) => sum + n, 0);
    const retries = this.retries.reduce((sum, n) => sum + n, 0);
    if (retries >= this.minPerWindow + this.ratio * calls) return false;
    this.retries[this.head]!++;
    return true;
  }

  private advance(): void {
    const second = Math.floor(this.now() / 1000);
    if (this.bucketStart === 0) this.bucketStart = second;
    const elapsed = Math.min(second - this.bucketStart, this.windowSeconds);
    for (let i = 0; i < elapsed; i++) {
      this.head = (this.head + 1) % this.windowSeconds;
      this.calls[this.head] = 0;
      this.retries[this.head] = 0;
    }
    if (elapsed > 0) this.bucketStart = second;
  }
}

/** Runs a call with retries, a deadline for the whole call and a per-attempt timeout within it. */
export class OrangeSmsRetryPolicy {
  constructor(
    private readonly options: Required<OrangeSmsRetryOptions>,
    private readonly attemptTimeoutMs: number,
    private readonly budget = new OrangeSmsRetryBudget(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** The whole call's time budget, retries included. */
  get deadlineMs(): number {
    return this.options.deadlineMs;
  }

  /**
   * `attempt(timeoutMs, number)` is called until it resolves or a retry is not allowed. `idempotent`
   * may be decided per failure (a send whose failure happened before it was written is safe to
   * repeat); `deadlineMs` defaults to the configured deadline; `phase: true` marks a preliminary step
   * of a call already counted (its token), so the retry budget sees one call, not two.
   */
  async execute<T>(
    attempt: (timeoutMs: number, attemptNumber: number) => Promise<T>,
    idempotent: boolean | ((error: unknown) => boolean),
    onRetry?: (error: unknown) => void,
    { deadlineMs = this.options.deadlineMs, phase = false }: { deadlineMs?: number; phase?: boolean } = {},
  ): Promise<T> {
    const deadline = Date.now() + deadlineMs;
    if (!phase) this.budget.recordCall();
    for (let number = 1; ; number++) {
      const remaining = deadline - Date.now();
      try {
        return await attempt(Math.max(1, Math.min(this.attemptTimeoutMs, remaining)), number);
      } catch (error) {
        const repeatable = typeof idempotent === 'function' ? idempotent(error) : idempotent;
        const delay = retryDelayMs(error, repeatable, number, this.options);
        if (delay === undefined) throw error;
        if (Date.now() + delay + MIN_ATTEMPT_MS > deadline) throw error;
        if (!this.budget.tryRetry()) throw error;
        onRetry?.(error);
        await this.sleep(delay);
      }
    }
  }
}
