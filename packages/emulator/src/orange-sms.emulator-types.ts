/**
 * Public types of the Orange SMS emulator. Kept in their own file so the barrel can re-export them
 * as types only, and so the helpers can share them without importing the server class.
 */

/** A client id / secret pair the token endpoint accepts. */
export interface OrangeSmsEmulatorCredentials {
  clientId: string;
  clientSecret: string;
  /**
   * The application id Orange attaches to this app (admin statistics `appid` / `applicationId`,
   * token claim `app_id`). Default: a stable value derived from `clientId`.
   */
  appId?: string;
}

/** Name of the app played by the top-level `credentials` (and of the module's top-level account). */
export const DEFAULT_EMULATOR_ACCOUNT = 'default';

/**
 * One more Orange developer app played by the emulator (`accounts`): its own credentials, tokens,
 * contracts and units, statistics, rate-limit window, DR subscriptions and callback URLs. Settings it
 * does not give are taken from the top-level options, except the callback URLs: each Orange app
 * configures its own, so an account without one gets no callback (never another app's).
 */
export interface OrangeSmsEmulatorAccountOptions {
  clientId: string;
  clientSecret: string;
  /** Application id (statistics `appid`, token claim `app_id`); default derived from `clientId`. */
  appId?: string;
  /** Countries this app holds a contract for; default the top-level `countries`. */
  countries?: string[];
  /** Units of this app's initial bundles; default the top-level `initialUnits`. */
  initialUnits?: number;
  /** Sender names approved for this app; default the top-level `approvedSenderNames`. */
  approvedSenderNames?: string[];
  /** This app's own sliding 1 s send limit; default the top-level `rateLimitPerSecond`. */
  rateLimitPerSecond?: number;
  /** Where this app's delivery receipts are POSTed (a DR subscription made with its token wins). */
  deliveryReceiptUrl?: string;
  /** Where inbound SMS to this app (`receive({ account })`) are POSTed. */
  inboundUrl?: string;
}

/** Orange's `deliveryStatus` values (reference 3.4). */
export type OrangeDeliveryStatus =
  'DeliveredToTerminal' | 'DeliveredToNetwork' | 'MessageWaiting' | 'DeliveryUncertain' | 'DeliveryImpossible';

/** Response format of the admin endpoints (reference section 5): the 2022+ one or the older one. */
export type OrangeSmsEmulatorAdminFormat = 'current' | 'legacy';

/** What a recorded request was aimed at; also what `failNext({ match })` filters on. */
export type EmulatedRequestKind = 'token' | 'send' | 'subscription' | 'admin' | 'other';

export interface OrangeSmsEmulatorOptions {
  /** Port to listen on; default 0 (a free port, read it back from `emulator.port`). */
  port?: number;
  /** Interface to listen on; default '127.0.0.1' (loopback only). */
  host?: string;
  /**
   * Credentials of the app named 'default'; the first pair is `emulator.credentials`. Several pairs
   * here share that one app's contracts, rate window and subscriptions (each pair keeps its appId);
   * separate Orange apps are `accounts`.
   */
  credentials?: OrangeSmsEmulatorCredentials | OrangeSmsEmulatorCredentials[];
  /**
   * More Orange apps, by name (a URL path segment: letters, digits, '-' and '_', starting with a letter
   * or digit; 'default' is the
   * top-level one). A token is bound to the app whose credentials obtained it, and everything done
   * with it (sends, units, statistics, subscriptions, 429s) is that app's.
   */
  accounts?: Record<string, OrangeSmsEmulatorAccountOptions>;
  /** Where delivery receipts are POSTed; also settable later through the property. */
  deliveryReceiptUrl?: string;
  /** Where inbound SMS are POSTed by `receive()`; also settable later through the property. */
  inboundUrl?: string;
  /** Delay before the automatic delivery receipt of each accepted send; default 300 ms. */
  deliveryDelayMs?: number;
  /** Status of the automatic delivery receipt; default 'DeliveredToTerminal'; null = none. */
  autoDeliveryStatus?: OrangeDeliveryStatus | null;
  /** Token lifetime; default 3600 s like Orange. */
  tokenTtlSeconds?: number;
  /**
   * How `expires_in` is serialised; default 'number' (3600) like both recorded real answers,
   * 'string' ("3600") like Orange's docs.
   */
  expiresInAs?: 'string' | 'number';
  /** Sends allowed in any sliding 1 s window; undefined = unlimited. Orange's documented limit is 5. */
  rateLimitPerSecond?: number;
  /** Admin response format; default 'current'. */
  adminFormat?: OrangeSmsEmulatorAdminFormat;
  /** Units of the initial bundle of each contract; default 1000. */
  initialUnits?: number;
  /** Countries (ISO 3166-1 alpha-3) the account holds a contract for; default ['CIV']. */
  countries?: string[];
  /** When set, a `senderName` outside this list is refused like an unapproved one. */
  approvedSenderNames?: string[];
  /** Largest accepted request body; default 1 MiB; bigger gets 413. */
  maxBodyBytes?: number;
  /**
   * Serve the web inbox at `/` (with its JSON and events under `/_inbox/`); default true. Those
   * routes need no credentials and are not recorded in `requests`.
   */
  inbox?: boolean;
}

/** An SMS the emulator accepted (201). */
export interface EmulatedSms {
  /** The UUID at the end of `resourceUrl`; also the `callbackData` of its delivery receipts. */
  id: string;
  /** Name of the app whose token sent it ('default' for the top-level credentials). */
  account: string;
  /** Application id and client id of that token. */
  appId: string;
  clientId: string;
  /** Recipient, 'tel:+225...'. */
  address: string;
  senderAddress: string;
  senderName?: string;
  text: string;
  /** True when sent with `?resource_type_parameter_management=SMS_OCB2`. */
  onNet: boolean;
  resourceUrl: string;
  receivedAt: Date;
  /** Last delivery status reported for it (automatic receipt or `deliver()`). */
  deliveryStatus?: OrangeDeliveryStatus;
  /** Contract units it consumed (its segment count). */
  segments: number;
  /** ISO alpha-3 country of the contract it was charged to. */
  country: string;
}

/** One HTTP request the emulator received, whatever happened to it. */
export interface RecordedRequest {
  method: string;
  /** Decoded pathname, without the query. */
  path: string;
  /** Request target exactly as received, with the query. */
  rawPath: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** Status answered; 0 when the request was reset or left hanging (or is still being processed). */
  status: number;
  kind: EmulatedRequestKind;
  /** Value of the `X-OAPI-Request-Id` header sent back (or that would have been). */
  requestId: string;
  at: Date;
  /**
   * The app the request was attributed to: the one whose credentials obtained a token, or whose
   * token authorised the call. Unset when neither authenticated (401s, 404s, faults answered first).
   */
  account?: string;
  appId?: string;
  /** Client id of that app; on a token request, the client id of the Basic header even when refused. */
  clientId?: string;
}

/** One fault queued by `failNext()`. */
export interface FailNextOptions {
  /** 'respond' mode: status to answer; default 503. */
  status?: number;
  /** 'respond' mode: body; object = JSON, string = sent as is. Default: Orange's gateway error for the status. */
  body?: unknown;
  /** 'respond' mode: extra response headers. */
  headers?: Record<string, string>;
  /** How many matching requests the fault applies to; default 1. */
  count?: number;
  /** Which requests it applies to; default 'any' (token requests included). */
  match?: EmulatedRequestKind | 'any';
  /**
   * 'respond' (default): answer without processing. 'reset': process normally, then drop the
   * connection without answering. 'hang': record the request and never answer.
   */
  mode?: 'respond' | 'reset' | 'hang';
}

/** One callback the emulator POSTed (delivery receipt or inbound SMS). */
export interface EmulatedCallback {
  kind: 'delivery-receipt' | 'inbound';
  /** The app it was posted for (the sender's app for a receipt, the receiving app for an inbound). */
  account: string;
  url: string;
  /** Receiver's HTTP status, or 'error' when no response came back (refused, timeout, stop()). */
  status: number | 'error';
  /** The JSON payload sent. */
  body: unknown;
  /** The receiver's response body (empty on error). */
  responseBody: string;
  /** Why it failed, when `status` is 'error'. */
  error?: string;
  at: Date;
  /** Inbound only: the subscriber played (`tel:+…`), also when the payload carries only an `acr:` reference. */
  subscriber?: string;
}

/** Options of `deliver()`. */
export interface DeliverOptions {
  /** Target URL; default `emulator.deliveryReceiptUrl`. */
  url?: string;
  /** `callbackData` to send; default the message id. Allows a receipt for an unknown id. */
  callbackData?: string;
  /** Recipient to report for an id the emulator does not know; default 'tel:+2250700000000'. */
  address?: string;
  /** For an id the emulator does not know: the app whose receipt URL is used; default 'default'. */
  account?: string;
  headers?: Record<string, string>;
}

/** Input of `receive()`: an SMS a subscriber sends to the application. */
export interface InboundSmsInput {
  /** Subscriber number: 'tel:+2250700000000', '+2250700000000' or '2250700000000'. */
  from: string;
  /** Short code or number of the application, e.g. '+26716968' (sent without 'tel:', like Orange). */
  to: string;
  text: string;
  messageId?: string;
  /** Default: now. */
  dateTime?: Date;
  /**
   * Send it as recorded from Orange Cameroon (API reference §12): `senderAddress` is Orange's anonymous
   * customer reference `acr:OrangeAPIToken` instead of the number, `dateTime` has no zone, `messageId`
   * is 24 hex digits when not given. The number travels only with `withNumberHeader`. Default false.
   */
  anonymous?: boolean;
  /** With `anonymous`: the subscriber's digits (no `+`) in the `x-orange-ise2` header. Default false. */
  withNumberHeader?: boolean;
  /** With `anonymous`: IANA zone the zone-less `dateTime` is written in. Default 'UTC'. */
  timeZone?: string;
  /** A top-level `callbackData` string beside `inboundSMSMessageNotification`, as in the recordings. */
  callbackData?: string;
  /** The app the SMS is for (its `inboundUrl`); default 'default'. */
  account?: string;
}

/** One app the emulator plays, from `emulator.account(name)` / `emulator.accounts`. */
export interface OrangeSmsEmulatorAccount {
  readonly name: string;
  /** Its (first) credential pair. */
  readonly credentials: { clientId: string; clientSecret: string };
  /** 'Basic base64(id:secret)' of that pair. */
  readonly authorizationHeader: string;
  readonly appId: string;
  /** Its newest live DR subscription's notify URL, else the URL it was given (settable). */
  deliveryReceiptUrl: string | undefined;
  /** Where its inbound SMS go (settable). */
  inboundUrl: string | undefined;
  /** The SMS sent with its tokens, in order. */
  readonly messages: readonly EmulatedSms[];
  /** POST token requests naming its client id, whatever their outcome. */
  tokenRequests(): number;
  /** Tokens issued to it. */
  issuedTokens(): number;
  /** Its tokens now answer 401 code 42; other apps' tokens keep working. */
  expireTokens(): void;
  /** Units left per country in its contracts. */
  availableUnits(): Record<string, number>;
}

/** Result of `deliver()` / `receive()`: what the receiver answered (status 0 when it could not be reached). */
export interface CallbackResult {
  status: number;
  body: string;
}
