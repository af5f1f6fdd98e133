import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { clientOf } from '../auth/authenticated-request.js';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { type TokenInfo, TokenService } from 'nestjs-qingtui';
import { isStandInOf, looksLikeStandIn, standInToken } from '../auth/stand-in-token.js';
import { ErrorResponseDto, PlatformErrorResponseDto } from '../common/dto/error-response.dto.js';
import { RefreshTokenDto } from '../common/dto/refresh-token.dto.js';
import { TokenResponseDto } from '../common/dto/token-response.dto.js';
import { KnownAppPipe } from '../common/known-app.pipe.js';
import { TOKEN_BODY_LIMIT } from '../http/body-limits.js';
import { JsonBody } from '../http/json-body.decorator.js';

/** The access_token of each app, for business servers (the central control server's core). */
@ApiTags('tokens')
@ApiBearerAuth()
@ApiParam({
  name: 'app',
  description: 'App name, as configured on this server',
  example: 'default',
})
@ApiUnauthorizedResponse({ description: 'Missing or unknown client key', type: ErrorResponseDto })
@ApiForbiddenResponse({
  description: 'The client key is not scoped to this app',
  type: ErrorResponseDto,
})
@ApiNotFoundResponse({ description: 'Unknown app', type: ErrorResponseDto })
@ApiBadGatewayResponse({
  description: 'The platform refused to issue a token',
  type: PlatformErrorResponseDto,
})
@ApiServiceUnavailableResponse({
  description:
    'No valid token is known and the platform cannot give one now (unreachable, rate limit, ' +
    'quota used up, calls held back after failures); `Retry-After` says when to retry',
  type: PlatformErrorResponseDto,
})
@Controller('apps/:app/token')
export class TokensController {
  constructor(private readonly tokens: TokenService) {}

  @Get()
  @ApiOperation({ summary: 'Current access_token of the app' })
  @ApiOkResponse({ type: TokenResponseDto })
  async current(
    @Param('app', KnownAppPipe) app: string,
    @Req() request: Request,
  ): Promise<TokenResponseDto> {
    return this.answer(request, app, await this.tokens.getTokenInfo(app));
  }

  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @JsonBody(TOKEN_BODY_LIMIT)
  @ApiOperation({
    summary: 'Report a rejected token (passive refresh)',
    description:
      'Renews the token only if `stale_token` is still the current one and the platform confirms ' +
      'that it refuses it (one cheap read, whose "still accepted" answer is remembered for each ' +
      'client key for a minute): a client looping on this endpoint cannot spend the daily quota. ' +
      'Answers the token to use now either way.',
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid body', type: ErrorResponseDto })
  @ApiPayloadTooLargeResponse({ description: 'Body over 8 KB', type: ErrorResponseDto })
  async refresh(
    @Param('app', KnownAppPipe) app: string,
    @Body() body: RefreshTokenDto,
    @Req() request: Request,
  ): Promise<TokenResponseDto> {
    const client = clientOf(request);
    let stale = body.stale_token;
    if (client?.standIn && looksLikeStandIn(stale)) {
      // The stand-in of the current token reports the current token; any other one is stale.
      const current = await this.tokens.getToken(app);
      if (isStandInOf(stale, app, current, [client])) stale = current;
    }
    return this.answer(
      request,
      app,
      await this.tokens.refreshInfoIfCurrent(app, stale, { reporter: client?.label }),
    );
  }

  /** The answer, with a stand-in instead of the token for a `:stand-in` key. */
  private answer(request: Request, app: string, info: TokenInfo): TokenResponseDto {
    const client = clientOf(request);
    const dto = TokenResponseDto.from(info);
    if (client?.standIn) dto.access_token = standInToken(client, app, info.accessToken);
    return dto;
  }
}
