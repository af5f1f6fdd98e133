import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import type { Request, Response } from 'express';
import { clientOf } from '../auth/authenticated-request.js';
import { Public } from '../auth/public.decorator.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { REPORT_MAX_LIMIT, reportPage } from '../common/report-page.js';
import { HealthStatusDto } from './health-status.dto.js';
import { HealthReport } from './health-report.service.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly report: HealthReport) {}

  @Get()
  @Public()
  @ApiOperation({
    summary: 'Readiness: the overall status only (no key needed)',
    description:
      'Whether this instance can serve: 200 `ok`; 200 `degraded` while the shared store is ' +
      'unreachable (tokens are served from memory). An app without a valid token is that ' +
      "app's trouble, not the instance's: see `GET /health/details`, the metrics and the status page.",
  })
  @ApiOkResponse({ type: HealthStatusDto })
  @ApiServiceUnavailableResponse({ type: HealthStatusDto })
  async status(@Res({ passthrough: true }) response: Response): Promise<HealthStatusDto> {
    const status = await this.report.status();
    if (status === 'error') response.status(503);
    return { status };
  }

  @Get('live')
  @Public()
  @ApiOperation({ summary: 'Liveness: 200 while the process answers HTTP' })
  @ApiOkResponse({ type: HealthStatusDto })
  live(): HealthStatusDto {
    return { status: 'ok' };
  }

  @Get('details')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Token state of the apps of the client key, store, refused keys (never a token)',
    description:
      'The Terminus result: `details.tokens.apps.<app>` (state, expiry, renewals, failures, last ' +
      'error, platform calls and quota), `details.store`, `details.clients.refused`. A key scoped ' +
      'to some apps sees only those. 503 while one of them has no valid token. Every app is ' +
      'counted in `details.tokens.summary` (by state); the apps of one page are listed ' +
      '(`offset`, `limit`: the first 100 by default), and the message names at most 20.',
  })
  @ApiQuery({ name: 'offset', required: false, description: 'First app listed (default 0)' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `Apps listed (default 100, at most ${REPORT_MAX_LIMIT})`,
  })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown client key', type: ErrorResponseDto })
  async details(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<HealthCheckResult> {
    const result = await this.report.details(clientOf(request)?.scope ?? [], reportPage(query));
    if (result.status === 'error') response.status(503);
    return result;
  }
}
