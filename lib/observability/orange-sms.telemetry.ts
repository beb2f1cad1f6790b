import { Injectable } from '@nestjs/common';
import type { OrangeDeliveryStatus } from '../tracking/orange-sms.status.js';

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

/**
 * The seam between the module and its observers (the health indicator, the Prometheus metrics, or
 * your own via `subscribe`). Costs one Set iteration per event when nobody listens; an observer that
 * throws never affects the module.
 */
@Injectable()
export class OrangeSmsTelemetry {
  private readonly listeners = new Set<(event: OrangeSmsTelemetryEvent) => void>();
  private last?: OrangeSmsLastCall;

  /** The last call to Orange (any operation) and its result. */
  get lastCall(): OrangeSmsLastCall | undefined {
    return this.last;
  }

  subscribe(listener: (event: OrangeSmsTelemetryEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: OrangeSmsTelemetryEvent): void {
    if (event.type === 'call') {
      this.last = {
        operation: event.operation,
        ok: event.ok,
        status: event.status,
        error: event.error,
        at: new Date(),
      };
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // An observer's bug must not break sending or webhooks.
      }
    }
  }
}

/** Which Orange operation a path is (for bounded metric labels). */
export function operationOf(path: string): OrangeSmsOperation {
  if (path.startsWith('/oauth/')) return 'token';
  if (path.startsWith('/sms/admin/')) return 'admin';
  if (path.includes('/subscriptions')) return 'subscription';
  return 'send';
}
