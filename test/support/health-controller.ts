import { Controller, Get, type Type } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { OrangeSmsHealthIndicator, type OrangeSmsHealthOptions } from '../../lib/health/index.js';

/** `GET /{path}`: the terminus check a user writes (as in sample/health.controller.ts), with `options`. */
export function healthController(path: string, options: OrangeSmsHealthOptions): Type<unknown> {
  @Controller(path)
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly orangeSms: OrangeSmsHealthIndicator,
    ) {}
    @Get()
    @HealthCheck()
    check() {
      return this.health.check([() => this.orangeSms.isHealthy('orange-sms', options)]);
    }
  }
  return HealthController;
}
