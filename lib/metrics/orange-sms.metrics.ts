import { ORANGE_SMS_METRICS_OPTIONS } from '../orange-sms.constants.js';
import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { OrangeSmsModuleMissingError } from '../errors/orange-sms.errors.js';
import { Counter, Histogram, type Registry, register as defaultRegistry } from 'prom-client';
import type { OrangeSmsTelemetryEvent } from '../interfaces/orange-sms.telemetry.interfaces.js';
import { OrangeSmsTelemetry } from '../observability/orange-sms.telemetry.js';

export interface OrangeSmsMetricsOptions {
  /** Registry to register on. Default: prom-client's global registry. */
  registry?: Registry;
  /** Metric name prefix. Default `orange_sms_`. */
  prefix?: string;
  /** Serve the registry's metrics at this route (e.g. `metrics`). Default: no route, use your own. */
  path?: string;
  /**
   * Accounts that get their own `account` label value, first seen first; the others share `other`
   * (hundreds of tenants must not become hundreds of series). Default 20.
   * @default 20
   */
  maxAccountLabels?: number;
}

/**
 * Prometheus counters and histograms fed by the module's telemetry. Labels are bounded: operation,
 * outcome, HTTP status, error class, Orange delivery status, webhook route: never a phone number or a
 * message id.
 */
@Injectable()
export class OrangeSmsMetrics implements OnModuleDestroy {
  readonly registry: Registry;
  private readonly unsubscribe: () => void;
  private readonly sends: Counter<'outcome' | 'error' | 'account'>;
  private readonly sendSeconds: Histogram<'outcome'>;
  private readonly calls: Counter<'operation' | 'outcome' | 'status'>;
  private readonly callSeconds: Histogram<'operation'>;
  private readonly retries: Counter<'operation' | 'error'>;
  private readonly tokens: Counter<'outcome'>;
  private readonly receipts: Counter<'status' | 'duplicate' | 'account'>;
  private readonly inbound: Counter<'duplicate' | 'account'>;
  private readonly accountLabels = new Set<string>();
  private readonly maxAccountLabels: number;
  private readonly webhooks: Counter<'route' | 'outcome'>;

  constructor(
    // Optional so that a missing OrangeSmsModule is reported by name, not as Nest's generic "can't resolve".
    @Optional() telemetry: OrangeSmsTelemetry,
    @Inject(ORANGE_SMS_METRICS_OPTIONS) options: OrangeSmsMetricsOptions,
  ) {
    if (!telemetry) throw new OrangeSmsModuleMissingError('OrangeSmsMetricsModule');
    this.registry = options.registry ?? defaultRegistry;
    const p = options.prefix ?? 'orange_sms_';
    const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    this.maxAccountLabels = options.maxAccountLabels ?? 20;
    this.sends = this.counter(`${p}sends_total`, 'SMS sends by outcome (sent, failed), error class and account', [
      'outcome',
      'error',
      'account',
    ]);
    this.sendSeconds = this.histogram(
      `${p}send_duration_seconds`,
      'Time of send(), pacing and retries included',
      ['outcome'],
      buckets,
    );
    this.calls = this.counter(`${p}orange_requests_total`, 'HTTP requests to Orange by operation, outcome and status', [
      'operation',
      'outcome',
      'status',
    ]);
    this.callSeconds = this.histogram(
      `${p}orange_request_duration_seconds`,
      'Duration of one HTTP request to Orange',
      ['operation'],
      buckets,
    );
    this.retries = this.counter(`${p}retries_total`, 'Retries of a request to Orange, by operation and error class', [
      'operation',
      'error',
    ]);
    this.tokens = this.counter(`${p}token_requests_total`, 'OAuth token requests by outcome (obtained, failed)', [
      'outcome',
    ]);
    this.receipts = this.counter(
      `${p}delivery_receipts_total`,
      'Delivery receipts by Orange status and account; duplicate="true" for repeats',
      ['status', 'duplicate', 'account'],
    );
    this.inbound = this.counter(`${p}inbound_sms_total`, 'Inbound SMS by account; duplicate="true" for repeats', [
      'duplicate',
      'account',
    ]);
    this.webhooks = this.counter(`${p}webhook_requests_total`, 'Webhook requests by route and result', [
      'route',
      'outcome',
    ]);
    this.unsubscribe = telemetry.subscribe((event) => this.record(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private record(event: OrangeSmsTelemetryEvent): void {
    switch (event.type) {
      case 'send':
        this.sends.inc({ outcome: event.outcome, error: event.error ?? '', account: this.account(event.account) });
        this.sendSeconds.observe({ outcome: event.outcome }, event.durationMs / 1000);
        break;
      case 'call':
        this.calls.inc({
          operation: event.operation,
          outcome: event.ok ? 'ok' : 'error',
          status: String(event.status ?? 'none'),
        });
        this.callSeconds.observe({ operation: event.operation }, event.durationMs / 1000);
        break;
      case 'retry':
        this.retries.inc({ operation: event.operation, error: event.error });
        break;
      case 'token':
        this.tokens.inc({ outcome: event.outcome });
        break;
      case 'receipt':
        this.receipts.inc({
          status: event.status,
          duplicate: String(event.duplicate),
          account: this.account(event.account),
        });
        break;
      case 'inbound':
        this.inbound.inc({ duplicate: String(event.duplicate), account: this.account(event.account) });
        break;
      case 'webhook':
        this.webhooks.inc({ route: event.route, outcome: event.outcome });
        break;
    }
  }

  /** The `account` label: its name for the first `maxAccountLabels` accounts seen, else `other`. */
  private account(name = 'default'): string {
    if (this.accountLabels.has(name)) return name;
    if (this.accountLabels.size >= this.maxAccountLabels) return 'other';
    this.accountLabels.add(name);
    return name;
  }

  /** Reuses a metric already registered under the name (a second app in the same process). */
  private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
    return (
      (this.registry.getSingleMetric(name) as Counter<L> | undefined) ??
      new Counter({ name, help, labelNames, registers: [this.registry] })
    );
  }

  private histogram<L extends string>(name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
    return (
      (this.registry.getSingleMetric(name) as Histogram<L> | undefined) ??
      new Histogram({ name, help, labelNames, buckets, registers: [this.registry] })
    );
  }
}
