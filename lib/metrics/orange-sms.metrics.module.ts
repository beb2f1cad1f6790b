import { ORANGE_SMS_METRICS_OPTIONS } from '../orange-sms.constants.js';
import { Controller, type DynamicModule, Get, Header, Module, type Type } from '@nestjs/common';
import { OrangeSmsMetrics, type OrangeSmsMetricsOptions } from './orange-sms.metrics.js';

/**
 * `OrangeSmsMetricsModule.forRoot({ path: 'metrics' })` next to `OrangeSmsModule`: Prometheus metrics
 * of sends, retries, token requests, receipts, inbound SMS and webhook requests.
 */
@Module({})
export class OrangeSmsMetricsModule {
  static forRoot(options: OrangeSmsMetricsOptions = {}): DynamicModule {
    return {
      module: OrangeSmsMetricsModule,
      controllers: options.path ? [metricsController(options.path)] : [],
      providers: [{ provide: ORANGE_SMS_METRICS_OPTIONS, useValue: options }, OrangeSmsMetrics],
      exports: [OrangeSmsMetrics],
    };
  }
}

function metricsController(path: string): Type<unknown> {
  @Controller(path)
  class OrangeSmsMetricsController {
    constructor(private readonly metrics: OrangeSmsMetrics) {}

    @Get()
    @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
    scrape(): Promise<string> {
      return this.metrics.registry.metrics();
    }
  }
  return OrangeSmsMetricsController;
}
