import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { QINGTUI_MESSAGE_TYPES } from 'nestjs-qingtui';

/**
 * Body of `POST /apps/:app/messages`, in the platform's wire naming. Documentation only: the
 * body is checked by `parseQingtuiSendRequest` (./messages/parse-send-request.ts), which names
 * the invalid field.
 */
export class SendMessageDto {
  @ApiProperty({ enum: QINGTUI_MESSAGE_TYPES, example: 'text', description: 'Message type' })
  type: string;

  @ApiPropertyOptional({ description: 'One follower (openid)', example: 'openid-alice' })
  to_user?: string;

  @ApiPropertyOptional({ description: 'Several followers (at most 50 openids)', type: [String] })
  to_users?: string[];

  @ApiPropertyOptional({ description: 'A group chat the app is in' })
  channel_id?: string;

  @ApiProperty({
    description:
      'The platform `message` object of the type, snake_case (text: `{content}`, image/file: ' +
      '`{media_id}`, textCard: `{title, url, button_text, content_list}`...). Without to_user, ' +
      'to_users or channel_id the message goes to every follower.',
    type: 'object',
    additionalProperties: true,
    example: { content: 'Hello' },
  })
  message: Record<string, unknown>;
}

/** One id of a sent message. */
export class SentMessageIdDto {
  @ApiProperty({ example: '5f1c0a9e2b7d4c3a1e0f9b8a' })
  msg_id: string;

  @ApiPropertyOptional({
    description: 'Recipient of this copy (to-do mass sends)',
    example: 'openid-alice',
  })
  open_id?: string;
}

/** Answer of a send. */
export class SendMessageResponseDto {
  @ApiProperty({ description: 'The message id (the first one when there are several)' })
  msg_id: string;

  @ApiProperty({
    type: [SentMessageIdDto],
    description: 'Every id: one per recipient for a to-do mass send',
  })
  msg_ids: SentMessageIdDto[];
}
