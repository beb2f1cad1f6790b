/**
 * Every error the module throws extends `OrangeSmsError`, so a host can catch the family with one
 * `instanceof` and branch on the subclass. Messages never contain a secret, a token or a full phone
 * number.
 */
export class OrangeSmsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input to a call: nothing was sent to Orange. */
export class OrangeSmsValidationError extends OrangeSmsError {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`Invalid ${field}: ${reason}`);
  }
}

/**
 * `account` names no Orange app: not in `accounts`, and `resolveAccount` (if any) did not find it.
 * Thrown before any HTTP call; its webhook routes answer 404.
 */
export class OrangeSmsUnknownAccountError extends OrangeSmsValidationError {
  constructor(readonly account: string) {
    super(
      'account',
      `no Orange account named "${String(account)
        .replace(/[^\w.-]/g, '?')
        .slice(0, 64)}"`,
    );
  }
}

/** Bad module options: the application cannot bootstrap. Lists every bad field at once. */
export class OrangeSmsConfigurationError extends OrangeSmsError {
  constructor(readonly issues: readonly { field: string; reason: string }[]) {
    super(
      `Invalid OrangeSmsModule options:\n${issues.map((issue) => `  - ${issue.field}: ${issue.reason}`).join('\n')}`,
    );
  }
}

/** Orange refused the credentials or the token (OAuth `error` shape, or gateway codes 40/41/42). */
export class OrangeSmsAuthError extends OrangeSmsError {
  constructor(
    message: string,
    readonly status: number,
    /** OAuth `error` (e.g. `invalid_client`) or gateway code (40, 41, 42). */
    readonly code: string | number | undefined,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

export interface OrangeSmsApiErrorDetails {
  status: number;
  /** Gateway code (`{ code, message, description }` shape). */
  code?: number;
  /** SMS service `messageId` (`SVC0002`, `POL0001`, ...). */
  messageId?: string;
  /** `serviceException` or `policyException` for the SMS service shape, `gateway` otherwise. */
  kind: 'service' | 'policy' | 'gateway' | 'http';
  /** Orange's text with `%1…` filled from `variables`. */
  text: string;
  variables: readonly string[];
  requestId?: string;
  /** Orange's `Retry-After`, in ms, when it sent one. */
  retryAfterMs?: number;
}

/** Orange answered with an error (any of its three shapes, or a bare HTTP status). */
export class OrangeSmsApiError extends OrangeSmsError {
  readonly status: number;
  readonly code?: number;
  readonly messageId?: string;
  readonly kind: OrangeSmsApiErrorDetails['kind'];
  readonly text: string;
  readonly variables: readonly string[];
  readonly requestId?: string;
  readonly retryAfterMs?: number;

  constructor(details: OrangeSmsApiErrorDetails) {
    const id = details.messageId ?? (details.code !== undefined ? `code ${details.code}` : undefined);
    super(`Orange SMS API error ${details.status}${id ? ` (${id})` : ''}: ${details.text}`);
    this.status = details.status;
    this.code = details.code;
    this.messageId = details.messageId;
    this.kind = details.kind;
    this.text = details.text;
    this.variables = details.variables;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Orange throttled us (HTTP 429) and the retries could not get through; `retryAfterMs` is Orange's hint. */
export class OrangeSmsRateLimitError extends OrangeSmsApiError {}

/**
 * No answer in time. For a send (`outcomeUnknown: true`) the request was written, so Orange may have
 * taken it: like `OrangeSmsOutcomeUnknownError`, it is never retried automatically.
 */
export class OrangeSmsTimeoutError extends OrangeSmsError {
  constructor(
    readonly timeoutMs: number,
    readonly outcomeUnknown = false,
    options?: { cause?: unknown },
  ) {
    super(
      `Orange SMS request timed out after ${timeoutMs} ms${outcomeUnknown ? '; it may have reached Orange and was not retried' : ''}`,
      options,
    );
  }
}

/** Orange could not be reached (refused, unresolvable, unreachable): the request was never written. */
export class OrangeSmsConnectionError extends OrangeSmsError {
  /** The URL tried, without its query string; check `baseUrl` when it is wrong. */
  readonly url?: string;

  constructor(
    readonly code: string,
    options?: { cause?: unknown; url?: string },
  ) {
    super(
      `Could not reach Orange's SMS API${options?.url ? ` at ${options.url}` : ''} (${code})${options?.url ? '; check baseUrl and the network' : ''}`,
      { cause: options?.cause },
    );
    this.url = options?.url;
  }
}

/**
 * The send may have reached Orange (connection lost after the request was written, or no answer in
 * time): the message may or may not go out. Never retried automatically, because a retry could send
 * the SMS twice; the message id is unknown.
 */
export class OrangeSmsOutcomeUnknownError extends OrangeSmsError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`Outcome of the Orange SMS request is unknown (${reason}); it was not retried to avoid a duplicate`, options);
  }
}

/** The recipient opted out (texted STOP); nothing was sent. The message shows the number masked. */
export class OrangeSmsOptedOutError extends OrangeSmsError {
  constructor(
    readonly to: string,
    masked: string,
  ) {
    super(`Recipient ${masked} has opted out of SMS (texted a STOP keyword); nothing was sent`);
  }
}

/** The store (Redis) is unreachable or too slow: the operation was not done, or its outcome is unknown. */
export class OrangeSmsStoreError extends OrangeSmsError {
  readonly operation: string;

  constructor(message: string, options: { operation: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.operation = options.operation;
  }
}

/**
 * An add-on module (`OrangeSmsHealthModule`, `OrangeSmsMetricsModule`) was built where `OrangeSmsModule`
 * is not visible: import `OrangeSmsModule.forRoot(...)` in the same module, or keep it global (the default).
 */
export class OrangeSmsModuleMissingError extends OrangeSmsError {
  constructor(readonly addOn: string) {
    super(
      `${addOn} needs OrangeSmsModule: import OrangeSmsModule.forRoot(...)/forRootAsync(...) in the module that imports ${addOn}, or register it with isGlobal: true (the default)`,
    );
  }
}
