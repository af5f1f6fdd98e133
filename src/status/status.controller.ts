import { Controller, Get, Query, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBearerAuth,
  ApiExcludeEndpoint,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { clientOf } from '../auth/authenticated-request.js';
import { Public } from '../auth/public.decorator.js';
import { ErrorResponseDto } from '../common/dto/error-response.dto.js';
import { REPORT_MAX_LIMIT, reportPage } from '../common/report-page.js';
import { StatusAccessGuard } from './status-access.guard.js';
import type { StatusData } from './status-data.interface.js';
import { STATUS_PAGE_CSP, STATUS_PAGE_HTML } from './status-page.js';
import { StatusReport } from './status-report.service.js';

/** `GET /status` (the page for people) and `GET /status/data` (what it shows, as JSON). */
@ApiTags('status')
@Controller('status')
@Public() // not the API's bearer-only guard: StatusAccessGuard also takes HTTP Basic
@UseGuards(StatusAccessGuard)
export class StatusController {
  constructor(private readonly report: StatusReport) {}

  @Get()
  @ApiExcludeEndpoint()
  page(@Res() response: Response): void {
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Content-Security-Policy', STATUS_PAGE_CSP);
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.send(STATUS_PAGE_HTML);
  }

  @Get('data')
  @ApiBearerAuth()
  @ApiBasicAuth()
  @ApiOperation({
    summary:
      'What the status page shows: per app state, expiry, next renewal, quota, last error; the store; this instance',
    description:
      'Never a token or a secret. Open in sandbox mode; otherwise a client key, as a bearer token or as the ' +
      'password of HTTP Basic. A key scoped to some apps sees only those. Every app is counted in ' +
      '`summary`; the apps of one page are listed (`offset`, `limit`: the first 100 by default).',
  })
  @ApiQuery({ name: 'offset', required: false, description: 'First app listed (default 0)' })
  @ApiQuery({
    name: 'limit',
    required: false,
    description: `Apps listed (default 100, at most ${REPORT_MAX_LIMIT})`,
  })
  @ApiOkResponse({ description: 'The state' })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown client key', type: ErrorResponseDto })
  data(@Req() request: Request, @Query() query: Record<string, unknown>): StatusData {
    return this.report.build(clientOf(request)?.scope ?? 'all', reportPage(query));
  }
}
