import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { TokenHealthIndicator } from './token-health.indicator.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly tokens: TokenHealthIndicator,
  ) {}

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({
    summary: 'Token state of every app and of the store (no token in the output)',
    description:
      '503 while an app has no valid token; `degraded` while the shared store is unreachable.',
  })
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.tokens.checkTokens(), () => this.tokens.checkStore()]);
  }
}
