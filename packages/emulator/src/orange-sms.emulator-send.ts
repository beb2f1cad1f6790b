/**
 * Validation of `POST /smsmessaging/v1/outbound/{sender}/requests` and of DR subscription bodies,
 * answering Orange's SMS service errors. Field names in SVC0002 `variables` are paths relative to
 * the top-level object (e.g. 'outboundSMSTextMessage.message'); the envelope itself is named by
 * its own key. Account checks (units, contracts) live in the account, not here.
 */
import { policyReasons, smsErrors, type SmsServiceErrorBody } from './orange-sms.emulator-errors.js';

/** `tel:+` and 5 to 15 digits (E.164 allows at most 15). */
const TEL = /^tel:\+[0-9]{5,15}$/;
/** Orange's sender-number form `tel:+<cc>0000` is shorter than a subscriber number: 4+ digits. */
const SENDER = /^tel:\+[0-9]{4,15}$/;
/** Reference 2.5: at most 11 characters, letters, digits and spaces. */
const SENDER_NAME = /^[A-Za-z0-9 ]{1,11}$/;

export interface ValidSend {
  address: string;
  senderAddress: string;
  /** Decoded when the client URL-encoded it (see `decodeSenderName`). */
  senderName?: string;
  /** The `senderName` exactly as sent, when it differs from the decoded one; echoed back like Orange echoes the body. */
  senderNameAsSent?: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; status: number; body: SmsServiceErrorBody };

const invalid = (part: string): { ok: false; status: number; body: SmsServiceErrorBody } => ({
  ok: false,
  status: 400,
  body: smsErrors.invalidInput(part),
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a JSON body; `undefined` when it is not JSON. */
export function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Some clients (osms-php, the Symfony bridge) URL-encode `senderName` inside the JSON: `Ma%20Boutique`,
 * `My+Shop`. No Orange source says whether Orange decodes it (API reference §12), so the emulator does not
 * refuse it: the name is checked and shown decoded. `+` is a space as in form encoding (a literal `+` is
 * not a valid sender name anyway); a malformed escape is left as it is, and then fails the name check.
 */
export function decodeSenderName(raw: string): string {
  if (!/%[0-9A-Fa-f]{2}|\+/.test(raw)) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Sender from the path, already percent-decoded (`tel:+2250000`); undefined when malformed. */
export function validSender(decoded: string | undefined): string | undefined {
  return decoded !== undefined && SENDER.test(decoded) ? decoded : undefined;
}

export function validateSend(
  pathSender: string | undefined,
  body: string,
  approvedSenderNames: readonly string[] | undefined,
): Checked<ValidSend> {
  const json = parseJson(body);
  const request = isRecord(json) ? json['outboundSMSMessageRequest'] : undefined;
  if (!isRecord(request)) return invalid('outboundSMSMessageRequest');

  // address: a string or an array of exactly one string.
  let address = request['address'];
  if (Array.isArray(address)) {
    if (address.length > 1) return { ok: false, status: 400, body: smsErrors.tooManyAddresses() };
    address = address[0];
  }
  if (typeof address !== 'string' || address === '') return invalid('address');

  const senderAddress = request['senderAddress'];
  if (typeof senderAddress !== 'string' || !SENDER.test(senderAddress)) return invalid('senderAddress');
  if (pathSender === undefined || pathSender !== senderAddress) return invalid('senderAddress');

  const textMessage = request['outboundSMSTextMessage'];
  if (!isRecord(textMessage)) return invalid('outboundSMSTextMessage');
  const message = textMessage['message'];
  if (typeof message !== 'string' || message === '') return invalid('outboundSMSTextMessage.message');

  const senderName = request['senderName'];
  if (senderName !== undefined && senderName !== null && typeof senderName !== 'string') return invalid('senderName');

  if (!TEL.test(address)) return { ok: false, status: 400, body: smsErrors.noValidAddresses('address') };

  const displayName = typeof senderName === 'string' ? decodeSenderName(senderName) : undefined;
  if (displayName !== undefined) {
    const approved = approvedSenderNames === undefined || approvedSenderNames.includes(displayName);
    if (!SENDER_NAME.test(displayName) || !approved) {
      return { ok: false, status: 400, body: smsErrors.policy(policyReasons.senderNameNotAllowed) };
    }
  }

  return {
    ok: true,
    value: {
      address,
      senderAddress,
      message,
      ...(displayName !== undefined ? { senderName: displayName } : {}),
      ...(typeof senderName === 'string' && senderName !== displayName ? { senderNameAsSent: senderName } : {}),
    },
  };
}

export interface ValidSubscription {
  notifyURL: string;
  callbackData?: string;
}

/** Body of a DR subscription (reference 3.1). The emulator accepts http:// so tests can use loopback. */
export function validateSubscription(body: string): Checked<ValidSubscription> {
  const json = parseJson(body);
  const subscription = isRecord(json) ? json['deliveryReceiptSubscription'] : undefined;
  if (!isRecord(subscription)) return invalid('deliveryReceiptSubscription');
  const reference = subscription['callbackReference'];
  if (!isRecord(reference)) return invalid('callbackReference');
  const notifyURL = reference['notifyURL'];
  if (typeof notifyURL !== 'string' || !/^https?:$/.test(safeProtocol(notifyURL))) {
    return invalid('callbackReference.notifyURL');
  }
  const callbackData = reference['callbackData'];
  if (callbackData !== undefined && typeof callbackData !== 'string') return invalid('callbackReference.callbackData');
  return { ok: true, value: { notifyURL, ...(callbackData !== undefined ? { callbackData } : {}) } };
}

function safeProtocol(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
