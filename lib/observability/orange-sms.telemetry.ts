import { Injectable } from '@nestjs/common';
import type {
  OrangeSmsLastCall,
  OrangeSmsOperation,
  OrangeSmsTelemetryEvent,
} from '../interfaces/orange-sms.telemetry.interfaces.js';

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
