import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ClientAuthHealthIndicator } from './client-auth-health.indicator.js';
import { HealthController } from './health.controller.js';
import { HealthReport } from './health-report.service.js';
import { TokenHealthIndicator } from './token-health.indicator.js';

/** `GET /health`, `/health/live`, `/health/details`. */
@Module({
  // Terminus logs every failed check (a multi-line block per request): HealthReport logs changes instead.
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [TokenHealthIndicator, ClientAuthHealthIndicator, HealthReport],
})
export class HealthModule {}
