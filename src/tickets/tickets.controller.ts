import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { TicketService } from 'nestjs-qingtui';
import { ErrorResponseDto, PlatformErrorResponseDto } from '../common/dto/error-response.dto.js';
import { KnownAppPipe } from '../common/known-app.pipe.js';
import { SIGNATURE_BODY_LIMIT } from '../http/body-limits.js';
import { JsonBody } from '../http/json-body.decorator.js';
import {
  AgentConfigSignatureResponseDto,
  JsapiSignatureResponseDto,
  TicketResponseDto,
} from './ticket-response.dto.js';

/** JS-SDK tickets of each app, and the signatures pages pass to `wx.config` / `wx.agentConfig`. */
@ApiTags('tickets')
@ApiBearerAuth()
@ApiParam({ name: 'app', description: 'App name, as configured on this server', example: 'wechat' })
@ApiUnauthorizedResponse({ description: 'Missing or unknown client key', type: ErrorResponseDto })
@ApiForbiddenResponse({
  description: 'The client key is not scoped to this app',
  type: ErrorResponseDto,
})
@ApiServiceUnavailableResponse({
  description:
    'No valid ticket is known and the platform cannot give one now (unreachable, hourly limit, ' +
    'calls held back after failures); `Retry-After` says when to retry',
  type: PlatformErrorResponseDto,
})
@Controller('apps/:app')
export class TicketsController {
  constructor(private readonly tickets: TicketService) {}

  @Get('tickets/:kind')
  @ApiOperation({
    summary: "Current JS-SDK ticket of the app's kind",
    description:
      'Kinds: WeChat `jsapi`, `wx_card`; WeCom `jsapi` (the company ticket), `agent_config` (the ' +
      "app's); Qingtui `jsapi`. One platform call per ticket lifetime, whatever the callers.",
  })
  @ApiParam({ name: 'kind', example: 'jsapi' })
  @ApiOkResponse({ type: TicketResponseDto })
  @ApiNotFoundResponse({
    description: 'Unknown app, or a kind its platform has not',
    type: ErrorResponseDto,
  })
  async ticket(
    @Param('app', KnownAppPipe) app: string,
    @Param('kind') kind: string,
  ): Promise<TicketResponseDto> {
    this.checkKind(app, kind);
    return TicketResponseDto.from(await this.tickets.getTicketInfo(app, kind));
  }

  @Post('jsapi-signature')
  @HttpCode(HttpStatus.OK)
  @JsonBody(SIGNATURE_BODY_LIMIT)
  @ApiOperation({
    summary: 'Sign a page for wx.config (or wx.agentConfig)',
    description:
      'Body `{"url": "https://…", "kind"?: "jsapi" | "agent_config"}`: the absolute http(s) URL ' +
      'of the page (its fragment is dropped; on a JS-safe domain of the app where it lists them).',
  })
  @ApiExtraModels(JsapiSignatureResponseDto, AgentConfigSignatureResponseDto)
  @ApiOkResponse({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(JsapiSignatureResponseDto) },
        { $ref: getSchemaPath(AgentConfigSignatureResponseDto) },
      ],
    },
  })
  @ApiBadRequestResponse({
    description: 'Missing or invalid `url` or `kind`',
    type: ErrorResponseDto,
  })
  @ApiNotFoundResponse({ description: 'Unknown app', type: ErrorResponseDto })
  @ApiPayloadTooLargeResponse({ description: 'Body over 8 KB', type: ErrorResponseDto })
  async sign(
    @Param('app', KnownAppPipe) app: string,
    // `unknown` on purpose: read field by field below, each problem named.
    @Body() body: unknown,
  ): Promise<JsapiSignatureResponseDto | AgentConfigSignatureResponseDto> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequestException('The body must be a JSON object {"url", "kind"?}');
    }
    const { url, kind = 'jsapi', ...rest } = body as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw new BadRequestException(`Unknown field "${extra[0].slice(0, 40)}": expected url, kind`);
    }
    if (kind !== 'jsapi' && kind !== 'agent_config') {
      throw new BadRequestException('kind must be "jsapi" or "agent_config"');
    }
    if (!this.tickets.ticketKinds(app).includes(kind)) {
      throw new BadRequestException(
        `kind "${kind}" does not exist for app "${app}" (its kinds: ${this.kindsOf(app)})`,
      );
    }
    if (typeof url !== 'string') throw new BadRequestException('url is required: a string');
    return kind === 'agent_config'
      ? this.tickets.signAgentConfig(app, url)
      : this.tickets.signJsapi(app, url);
  }

  private checkKind(app: string, kind: string): void {
    if (this.tickets.ticketKinds(app).includes(kind)) return;
    throw new NotFoundException(
      `App "${app}" has no "${kind.slice(0, 40)}" ticket (its kinds: ${this.kindsOf(app)})`,
    );
  }

  private kindsOf(app: string): string {
    return this.tickets.ticketKinds(app).join(', ') || 'none';
  }
}
