export { OrangeSmsHealthIndicator, type OrangeSmsHealthOptions } from './orange-sms.health-indicator.js';
export { OrangeSmsHealthModule } from './orange-sms.health.module.js';
