import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IdempotencyLedger, TokenService } from 'nestjs-qingtui';
import { ErrorResponseDto, PlatformErrorResponseDto } from '../common/dto/error-response.dto.js';
import { SendMessageDto, SendMessageResponseDto } from '../common/dto/send-message.dto.js';
import { KnownAppPipe } from '../common/known-app.pipe.js';
import { MESSAGE_BODY_LIMIT } from '../http/body-limits.js';
import { JsonBody } from '../http/json-body.decorator.js';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeyOf,
  sendOnce,
} from './idempotent-send.js';
import type { PlatformMessageSender } from './message-sender.js';
import { QingtuiMessageSender } from './qingtui-message.sender.js';
import { WechatMessageSender } from './wechat-message.sender.js';
import { WecomMessageSender } from './wecom-message.sender.js';

/**
 * Sends messages with the app's token, so that business servers never handle one, exactly once
 * under an `Idempotency-Key`: apps of the three platforms, each in its platform's own shape.
 */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('apps/:app/messages')
export class MessagesController {
  private readonly senders: ReadonlyMap<string, PlatformMessageSender>;

  constructor(
    private readonly tokens: TokenService,
    private readonly ledger: IdempotencyLedger,
    qingtui: QingtuiMessageSender,
    wecom: WecomMessageSender,
    wechat: WechatMessageSender,
  ) {
    this.senders = new Map<string, PlatformMessageSender>(
      [qingtui, wecom, wechat].map((sender) => [sender.platform, sender]),
    );
  }

  @Post()
  @HttpCode(HttpStatus.OK)
  @JsonBody(MESSAGE_BODY_LIMIT)
  @ApiOperation({
    summary: 'Send a message (Qingtui, WeCom or WeChat), exactly once under an Idempotency-Key',
    description:
      '**Qingtui** apps: `type`, `message` and one target: `to_user` (one follower), `to_users` ' +
      '(several), `channel_id` (a group chat), or none (every follower). **WeCom** apps: the ' +
      "platform's own `message/send` JSON without `agentid` (filled in by the server). **WeChat** " +
      'apps: the platform\'s own JSON of one send API plus `"kind"`: `template`, `subscribe`, ' +
      "`custom` or `mass`. The token is always the server's; a token the platform rejects is " +
      'renewed and the send retried once (the platform refused it before acting). With ' +
      '`Idempotency-Key`, the same key and body within 24 h returns the first answer ' +
      "(`Idempotent-Replayed: true`) and sends nothing; the platform's own de-duplication is " +
      'used underneath (WeCom duplicate check, WeChat `client_msg_id` / `clientmsgid`). A send ' +
      'whose answer was lost after it left is 504 `OUTCOME_UNKNOWN`, never re-sent blindly.',
  })
  @ApiParam({
    name: 'app',
    description: 'App name, as configured on this server',
    example: 'default',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Up to 255 visible ASCII characters, unique per logical message, kept 24 h',
  })
  @ApiBody({
    type: SendMessageDto,
    description: 'The Qingtui shape; see above for WeCom and WeChat',
  })
  @ApiOkResponse({ type: SendMessageResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid message (`field` names the field) or Idempotency-Key',
    type: ErrorResponseDto,
  })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown client key', type: ErrorResponseDto })
  @ApiForbiddenResponse({
    description: 'The client key is not scoped to this app',
    type: ErrorResponseDto,
  })
  @ApiNotFoundResponse({ description: 'Unknown app', type: ErrorResponseDto })
  @ApiConflictResponse({
    description: 'A request with this Idempotency-Key is still being sent (`IN_PROGRESS`)',
    type: ErrorResponseDto,
  })
  @ApiUnprocessableEntityResponse({
    description: 'This Idempotency-Key was used with another body (`KEY_REUSED`); nothing sent',
    type: ErrorResponseDto,
  })
  @ApiTooManyRequestsResponse({
    description:
      'WeCom: a member named in `touser` would pass the per-member limit, which WeCom enforces by ' +
      'dropping messages silently (`MEMBER_LIMIT`); nothing sent; `Retry-After`',
    type: ErrorResponseDto,
  })
  @ApiBadGatewayResponse({
    description: 'The platform refused the message',
    type: PlatformErrorResponseDto,
  })
  @ApiGatewayTimeoutResponse({
    description:
      'The request reached the platform but its answer was lost (`OUTCOME_UNKNOWN`): it may or ' +
      'may not have been delivered; it is not sent again',
    type: ErrorResponseDto,
  })
  @ApiPayloadTooLargeResponse({ description: 'Body over 1 MB', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({
    description:
      'The platform cannot take the message now (unreachable, rate limit, quota used up, calls ' +
      'held back after failures), or the shared store holding the idempotency keys is ' +
      'unreachable; `Retry-After` says when to retry',
    type: PlatformErrorResponseDto,
  })
  async send(
    @Param('app', KnownAppPipe) app: string,
    // Typed `unknown` on purpose: each platform's reader (then the client's validation) is the one validator.
    @Body() body: unknown,
    @Headers(IDEMPOTENCY_KEY_HEADER) rawKey: string | string[] | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const key = idempotencyKeyOf(rawKey);
    const platform = this.tokens.platformOf(app);
    const sender = this.senders.get(platform);
    if (sender === undefined) {
      throw new BadRequestException(
        `App "${app}" is a ${platform} app: it has no message endpoint`,
      );
    }
    // Checked before the key is claimed: an invalid body is a 400 and holds no key.
    const prepared = sender.prepare(app, body, key);
    const result = await sendOnce(this.ledger, {
      app,
      key,
      request: { platform, body },
      send: prepared.send,
      resendSafeForMs: prepared.resendSafeForMs,
    });
    if (key !== undefined) response.setHeader(IDEMPOTENT_REPLAYED_HEADER, String(result.replayed));
    return result.body;
  }
}
