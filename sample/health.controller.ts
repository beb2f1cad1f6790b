import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { OrangeSmsHealthIndicator } from 'nestjs-orange-sms/health';

/** `GET /health`: token state, last call to Orange, units left (degraded below 100). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly orangeSms: OrangeSmsHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.orangeSms.isHealthy('orange-sms', { lowBalanceThreshold: 100 })]);
  }
}
