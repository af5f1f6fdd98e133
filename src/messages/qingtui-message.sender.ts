import { Injectable } from '@nestjs/common';
import { QingtuiClients } from 'nestjs-qingtui';
import type { SendMessageResponseDto } from '../common/dto/send-message.dto.js';
import type { PlatformMessageSender, PreparedSend } from './message-sender.js';
import { parseQingtuiSendRequest } from './parse-send-request.js';

/**
 * Qingtui: today's body (`type`, `message`, one target), sent by the typed client. The platform
 * has no de-duplication of its own: an unknown outcome is never re-sent.
 */
@Injectable()
export class QingtuiMessageSender implements PlatformMessageSender<SendMessageResponseDto> {
  readonly platform = 'qingtui';

  constructor(private readonly clients: QingtuiClients) {}

  prepare(app: string, body: unknown): PreparedSend<SendMessageResponseDto> {
    const { message, target } = parseQingtuiSendRequest(body);
    const client = this.clients.get(app);
    return {
      send: async () => {
        const result = await client.send(message, target);
        return {
          msg_id: result.msgId,
          msg_ids: result.msgIds.map((id) => ({
            msg_id: id.msgId,
            ...(id.openId === undefined ? {} : { open_id: id.openId }),
          })),
        };
      },
    };
  }
}
