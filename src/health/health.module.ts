import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { TokenHealthIndicator } from './token-health.indicator.js';

/** `GET /health`. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' })],
  controllers: [HealthController],
  providers: [TokenHealthIndicator],
})
export class HealthModule {}
