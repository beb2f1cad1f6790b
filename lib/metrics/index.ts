export { OrangeSmsMetrics, type OrangeSmsMetricsOptions } from './orange-sms.metrics.js';
export { OrangeSmsMetricsModule } from './orange-sms.metrics.module.js';
