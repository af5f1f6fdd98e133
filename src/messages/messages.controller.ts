import {
  BadRequestException,
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  Post,
} from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
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
import { QingtuiClients, TokenService } from 'nestjs-qingtui';
import { ErrorResponseDto, PlatformErrorResponseDto } from '../common/dto/error-response.dto.js';
import { SendMessageDto, SendMessageResponseDto } from '../common/dto/send-message.dto.js';
import { KnownAppPipe } from '../common/known-app.pipe.js';
import { MESSAGE_BODY_LIMIT } from '../http/body-limits.js';
import { JsonBody } from '../http/json-body.decorator.js';
import { parseQingtuiSendRequest } from './parse-send-request.js';

/** Sends messages with the app's token, so that business servers never handle one. */
@ApiTags('messages')
@ApiBearerAuth()
@Controller('apps/:app/messages')
export class MessagesController {
  constructor(
    private readonly clients: QingtuiClients,
    private readonly tokens: TokenService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @JsonBody(MESSAGE_BODY_LIMIT)
  @ApiOperation({
    summary: 'Send a message',
    description:
      'Target: `to_user` (one follower), `to_users` (several), `channel_id` (a group chat), or ' +
      'none (every follower). A token the platform rejects is renewed and the send retried once.',
  })
  @ApiParam({
    name: 'app',
    description: 'App name, as configured on this server',
    example: 'default',
  })
  @ApiBody({ type: SendMessageDto })
  @ApiOkResponse({ type: SendMessageResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid message (`field` names the field), or an app that is not a Qingtui app',
    type: ErrorResponseDto,
  })
  @ApiUnauthorizedResponse({ description: 'Missing or unknown client key', type: ErrorResponseDto })
  @ApiForbiddenResponse({
    description: 'The client key is not scoped to this app',
    type: ErrorResponseDto,
  })
  @ApiNotFoundResponse({ description: 'Unknown app', type: ErrorResponseDto })
  @ApiBadGatewayResponse({
    description: 'The platform refused the message',
    type: PlatformErrorResponseDto,
  })
  @ApiPayloadTooLargeResponse({ description: 'Body over 1 MB', type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({
    description:
      'The platform cannot take the message now (unreachable, rate limit, quota used up, calls ' +
      'held back after failures); `Retry-After` says when to retry',
    type: PlatformErrorResponseDto,
  })
  async send(
    @Param('app', KnownAppPipe) app: string,
    // Typed `unknown` on purpose: the parser (then the library's validation) is the one validator.
    @Body() body: unknown,
  ): Promise<SendMessageResponseDto> {
    const platform = this.tokens.platformOf(app);
    if (platform !== 'qingtui') {
      throw new BadRequestException(
        `App "${app}" is a ${platform} app: this endpoint sends Qingtui messages only`,
      );
    }
    const { message, target } = parseQingtuiSendRequest(body);
    const result = await this.clients.get(app).send(message, target);
    return {
      msg_id: result.msgId,
      msg_ids: result.msgIds.map((id) => ({
        msg_id: id.msgId,
        ...(id.openId === undefined ? {} : { open_id: id.openId }),
      })),
    };
  }
}
