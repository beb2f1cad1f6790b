/**
 * What the inbox's JSON routes and event stream carry: built by the server (orange-sms.emulator-inbox.ts,
 * which is checked against these types) and read by the page's script (inbox.ts). Secrets and
 * credentials in URLs are masked before they get here.
 */
export type InboxDeliveryStatus =
  'DeliveredToTerminal' | 'DeliveredToNetwork' | 'MessageWaiting' | 'DeliveryUncertain' | 'DeliveryImpossible';

/** One Orange app the emulator plays; the secret is masked. */
export interface InboxAccountView {
  /** 'default' for the top-level credentials. */
  name: string;
  clientId: string;
  clientSecret: string;
  appId: string;
  deliveryReceiptUrl: string | null;
  inboundUrl: string | null;
  tokenRequests: number;
  issuedTokens: number;
  units: { country: string; available: number }[];
}

/** The emulator's settings; the top-level fields are the default app's (and totals for the counters). */
export interface InboxInfoView {
  url: string;
  clientId: string;
  clientSecret: string;
  deliveryReceiptUrl: string | null;
  inboundUrl: string | null;
  tokenRequests: number;
  issuedTokens: number;
  units: { country: string; available: number }[];
  autoDeliveryStatus: InboxDeliveryStatus | null;
  deliveryDelayMs: number;
  /** Every app, 'default' first. */
  accounts: InboxAccountView[];
}

/** An SMS the app sent. */
export interface InboxMessageView {
  id: string;
  /** The app whose token sent it, and that app's client id. */
  account: string;
  clientId: string;
  to: string;
  from: string;
  senderName: string | null;
  text: string;
  segments: number;
  onNet: boolean;
  country: string;
  /** ISO time. */
  at: string;
  status: InboxDeliveryStatus | null;
}

/** A request the app made to the emulator. */
export interface InboxRequestView {
  seq: number;
  /** The app it was attributed to (its credentials or token), null when none authenticated. */
  account: string | null;
  method: string;
  path: string;
  rawPath: string;
  kind: string;
  status: number;
  at: string;
  requestId: string;
  headers: Record<string, string>;
  body: string;
}

/** A callback the emulator posted to the app. */
export interface InboxCallbackView {
  seq: number;
  /** The app it was posted for. */
  account: string;
  kind: 'delivery-receipt' | 'inbound';
  url: string;
  /** The app's HTTP status, or 'error' when it answered nothing. */
  status: number | 'error';
  error: string | null;
  at: string;
  payload: string;
  response: string;
  receipt: { id: string | null; status: string | null; address: string | null } | null;
  inbound: { from: string | null; sender: string | null; to: string | null; text: string | null } | null;
}

export interface InboxSnapshot {
  info: InboxInfoView;
  messages: InboxMessageView[];
  requests: InboxRequestView[];
  callbacks: InboxCallbackView[];
  limits: { messages: number; requests: number; callbacks: number };
}

/** The answer of the deliver and inbound actions: what the app answered the callback. */
export interface InboxActionOutcome {
  status: number | 'error';
  body: string;
  error?: string;
}
