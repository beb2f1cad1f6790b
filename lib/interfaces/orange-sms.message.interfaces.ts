import type { OrangeSmsError } from '../errors/orange-sms.errors.js';

export interface SendSmsInput {
  /** Recipient: `+2250700000000`, `2250700000000` or `tel:+2250700000000`. */
  to: string;
  text: string;
  /** Overrides the module's `senderName` (approved by Orange). */
  senderName?: string;
  /** Overrides the module's `senderAddress` (`tel:+2250000`). */
  senderAddress?: string;
  /** Orange subscribers only (Orange's on-net offer, `SMS_OCB2`). */
  onNet?: boolean;
  /** Your own id for this message, echoed in results and events. */
  reference?: string;
  /** The Orange app to send from (a name of `accounts`, or resolved by `resolveAccount`). Default `default`. */
  account?: string;
}

export interface SentSms {
  /** Orange's message id: the last segment of `resourceUrl`; delivery receipts carry it as `callbackData`. */
  id: string;
  /** Recipient, `tel:+…`. */
  to: string;
  senderAddress: string;
  senderName?: string;
  text: string;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  status: 'submitted';
  submittedAt: Date;
  resourceUrl: string;
  reference?: string;
  /** The Orange app it was sent from (`default` for the top-level credentials). */
  account: string;
}

/** Orange's 201 body (API reference §2.4). */
export interface OrangeOutboundResponse {
  outboundSMSMessageRequest?: {
    address?: string | string[];
    senderAddress?: string;
    senderName?: string;
    outboundSMSTextMessage?: { message?: string };
    resourceURL?: string;
  };
}

export interface SendManyOptions {
  /** Sends in flight at once; pacing still applies. Default 10. */
  concurrency?: number;
}

export type BulkSendItemResult =
  | { index: number; input: SendSmsInput; status: 'sent'; message: SentSms }
  | { index: number; input: SendSmsInput; status: 'failed'; error: OrangeSmsError };

export interface BulkSendResult {
  /** One per input, in the inputs' order. */
  results: BulkSendItemResult[];
  sent: number;
  failed: number;
}

/** What `InboundSmsEvent.reply()` sends through: `OrangeSmsService` (so events need not depend on sending). */
export interface OrangeSmsReplySender {
  send(input: SendSmsInput): Promise<SentSms>;
}
