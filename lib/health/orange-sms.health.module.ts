import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OrangeSmsHealthIndicator } from './orange-sms.health-indicator.js';

/**
 * Import next to `OrangeSmsModule` (global by default) and inject `OrangeSmsHealthIndicator` in your
 * health controller: `this.health.check([() => this.orangeSms.isHealthy('orange-sms')])`.
 */
@Module({
  imports: [TerminusModule],
  providers: [OrangeSmsHealthIndicator],
  exports: [OrangeSmsHealthIndicator],
})
export class OrangeSmsHealthModule {}
