/**
 * Orange's three error body shapes (reference 6.1), built exactly as recorded or documented.
 * Texts marked "emulator" are not known from Orange and were chosen to be explicit.
 */

/** 1. OAuth errors, token endpoint only: `{ error, error_description }`. */
export interface OAuthErrorBody {
  error: string;
  error_description: string;
}

export const oauthErrors = {
  /** Recorded (reference 1): malformed Basic header. */
  undecodableBasic: (): OAuthErrorBody => ({
    error: 'invalid_client',
    error_description: 'Unable to decode Basic authorization.',
  }),
  /** Recorded (reference 1): unknown client or wrong secret; goes with WWW-Authenticate. */
  invalidClient: (): OAuthErrorBody => ({
    error: 'invalid_client',
    error_description: 'The requested service needs credentials, but the ones provided were invalid.',
  }),
  /** RFC 6749 error code; description is the emulator's. */
  unsupportedGrantType: (): OAuthErrorBody => ({
    error: 'unsupported_grant_type',
    error_description: 'The grant_type must be client_credentials.',
  }),
};

/** 2. Gateway errors, any API call: `{ code, message, description }`. */
export interface GatewayErrorBody {
  code: number;
  message: string;
  description: string;
}

export const gatewayErrors = {
  /** Documented code 40. */
  missingCredentials: (): GatewayErrorBody => ({
    code: 40,
    message: 'Missing credentials',
    description: 'The requested service needs credentials, but none were provided.',
  }),
  /** Documented code 41. */
  invalidCredentials: (): GatewayErrorBody => ({
    code: 41,
    message: 'Invalid credentials',
    description: 'The requested service needs credentials, but the ones provided were invalid.',
  }),
  /** Recorded code 42 (no final period in Orange's text). */
  expiredCredentials: (): GatewayErrorBody => ({
    code: 42,
    message: 'Expired credentials',
    description: 'The requested service needs credentials, and the ones provided were out-of-date',
  }),
  /** Orange's error table row for 503. */
  serviceUnavailable: (): GatewayErrorBody => ({
    code: 5,
    message: 'The service is temporarily unavailable',
    description: 'The service is temporarily unavailable, please try again later.',
  }),
  /** Orange's error table row for rate limiting. */
  tooManyRequests: (): GatewayErrorBody => ({
    code: 53,
    message: 'Too many requests',
    description: 'The application has made too many calls and has exceeded the rate limit for this service.',
  }),
  resourceNotFound: (): GatewayErrorBody => ({
    code: 60,
    message: 'Resource not found',
    description: 'The requested URI or the requested resource does not exist.',
  }),
  /** Emulator: Orange's body for an oversized request is not known; the code is the HTTP status. */
  payloadTooLarge: (maxBytes: number): GatewayErrorBody => ({
    code: 413,
    message: 'Payload too large',
    description: `The request body exceeds ${maxBytes} bytes.`,
  }),
  /** Emulator: a bug in the emulator itself, never a simulated Orange behaviour. */
  internalError: (): GatewayErrorBody => ({
    code: 1,
    message: 'Internal error',
    description: 'The emulator failed to process the request.',
  }),
};

/** 3. SMS service errors (OneAPI): `{ requestError: { serviceException | policyException } }`. */
export interface SmsExceptionBody {
  messageId: string;
  text: string;
  variables: string[];
}
export type SmsServiceErrorBody =
  { requestError: { serviceException: SmsExceptionBody } } | { requestError: { policyException: SmsExceptionBody } };

export const smsErrors = {
  /** SVC0002: a missing or malformed field; the variable names the field. */
  invalidInput: (part: string): SmsServiceErrorBody => ({
    requestError: {
      serviceException: { messageId: 'SVC0002', text: 'Invalid input value for message part %1', variables: [part] },
    },
  }),
  /** SVC0004: the recipient is not a `tel:+<digits>` address. */
  noValidAddresses: (part = 'address'): SmsServiceErrorBody => ({
    requestError: {
      serviceException: {
        messageId: 'SVC0004',
        text: 'No valid addresses provided in message part %1',
        variables: [part],
      },
    },
  }),
  /** POL0001: recorded with "Expired contract"; the emulator uses it for every account policy refusal. */
  policy: (reason: string): SmsServiceErrorBody => ({
    requestError: {
      policyException: { messageId: 'POL0001', text: 'A policy error occurred. Error code is %1', variables: [reason] },
    },
  }),
  /** POL0003 (OneAPI): more than one recipient in one request. */
  tooManyAddresses: (): SmsServiceErrorBody => ({
    requestError: {
      policyException: {
        messageId: 'POL0003',
        text: 'Too many addresses specified in message part %1',
        variables: ['address'],
      },
    },
  }),
};

/** The `variables` values of POL0001 the emulator can answer. */
export const policyReasons = {
  senderNameNotAllowed: 'Sender name not allowed',
  expiredContract: 'Expired contract',
  insufficientBalance: 'Insufficient balance',
  noContractForCountry: 'No contract for country',
} as const;
