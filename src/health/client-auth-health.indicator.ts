import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { AuthFailureMonitor } from '../auth/auth-failure.monitor.js';

/** Refused client keys since start-up (always `up`: refusals are information, not a failure). */
@Injectable()
export class ClientAuthHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly failures: AuthFailureMonitor,
  ) {}

  check(key = 'clients'): HealthIndicatorResult {
    return this.indicators.check(key).up({ refused: this.failures.snapshot() });
  }
}
