import type { OrangeDeliveryStatus } from './orange-sms.status.interfaces.js';

export type OrangeSmsOperation = 'token' | 'send' | 'subscription' | 'admin';

export type OrangeSmsWebhookOutcome =
  'accepted' | 'duplicate' | 'invalid' | 'unauthorized' | 'forbidden' | 'too_large' | 'unknown_account' | 'error';

/** What the module reports as it works. Labels stay bounded: no phone number, no message id. */
export type OrangeSmsTelemetryEvent =
  | { type: 'call'; operation: OrangeSmsOperation; ok: boolean; status?: number; error?: string; durationMs: number }
  | { type: 'send'; outcome: 'sent' | 'failed'; error?: string; durationMs: number; account?: string }
  | { type: 'retry'; operation: OrangeSmsOperation; error: string }
  | { type: 'token'; outcome: 'obtained' | 'failed' }
  | { type: 'receipt'; status: OrangeDeliveryStatus; duplicate: boolean; account?: string }
  | { type: 'inbound'; duplicate: boolean; account?: string }
  | { type: 'webhook'; route: 'delivery-receipts' | 'inbound'; outcome: OrangeSmsWebhookOutcome };

export interface OrangeSmsLastCall {
  operation: OrangeSmsOperation;
  ok: boolean;
  status?: number;
  error?: string;
  at: Date;
}
