import { HttpStatus, Injectable } from '@nestjs/common';
import {
  fromWeComWire,
  isMemberRefusal,
  MemberMessageLimits,
  QingtuiClients,
  TokenService,
  validateWeComSend,
  type WeComSendResult,
} from 'nestjs-qingtui';
import { HttpRefusal } from '../common/http-refusal.js';
import type { PlatformMessageSender, PreparedSend } from './message-sender.js';

/** WeCom's own default interval of its duplicate check, used when the client gave a key. */
export const WECOM_DUPLICATE_CHECK_SECONDS = 1800;

/** The answer of a WeCom send: the id for a recall, and every recipient the platform refused. */
export interface WecomSendAnswer {
  msg_id: string;
  invalid_users: string[];
  invalid_parties: string[];
  invalid_tags: string[];
  unlicensed_users: string[];
  response_code?: string;
}

/**
 * WeCom: the body is the platform's own `message/send` JSON without `agentid` (the server fills
 * it in). With an `Idempotency-Key`, WeCom's duplicate check is switched on (`enable_duplicate_check`,
 * 1800 s unless the body sets its own interval), so that a re-send after a lost answer is not
 * delivered again; note that WeCom compares request JSON, so the same content to the same
 * recipients is then not delivered twice within the interval even under another key.
 * Members named in `touser` are counted against the per-member limits (30 a minute, 1000 an hour
 * by default) across instances: a send that would pass them is refused (429) before it is sent.
 */
@Injectable()
export class WecomMessageSender implements PlatformMessageSender<WecomSendAnswer> {
  readonly platform = 'wecom';

  constructor(
    private readonly clients: QingtuiClients,
    private readonly tokens: TokenService,
    private readonly limits: MemberMessageLimits,
  ) {}

  prepare(app: string, body: unknown, key: string | undefined): PreparedSend<WecomSendAnswer> {
    const { message, target, options } = fromWeComWire(body);
    if (key !== undefined && options.duplicateCheck === undefined) {
      options.duplicateCheck = { intervalSeconds: WECOM_DUPLICATE_CHECK_SECONDS };
    }
    // Checked whole before any key or member place is taken (the client checks again).
    validateWeComSend(message, target, options);
    const client = this.clients.wecom(app);
    const limits = this.tokens.messageLimitsOf(app);
    const members = Array.isArray(target.toUser) ? target.toUser : [];
    const interval = options.duplicateCheck?.intervalSeconds ?? WECOM_DUPLICATE_CHECK_SECONDS;
    return {
      // Within the duplicate check's interval a re-send is dropped by WeCom itself.
      resendSafeForMs: options.duplicateCheck === undefined ? 0 : interval * 1000 - 5_000,
      send: async () => {
        const reservation =
          limits === undefined || members.length === 0
            ? undefined
            : await this.limits.reserve(app, members, limits);
        if (reservation !== undefined && isMemberRefusal(reservation)) {
          const seconds = Math.max(1, Math.ceil(reservation.retryAfterMs / 1000));
          throw new HttpRefusal(
            HttpStatus.TOO_MANY_REQUESTS,
            {
              statusCode: 429,
              error: 'Too Many Requests',
              message:
                `WeCom takes at most ${reservation.limit === 'minute' ? limits?.perMemberMinute : limits?.perMemberHour} ` +
                `messages per member per ${reservation.limit} from one app, and drops the rest ` +
                `silently: not sent (members over it: ${reservation.members.join(', ')}); retry in ${seconds} s`,
              code: 'MEMBER_LIMIT',
              members: reservation.members,
            },
            { 'Retry-After': String(seconds) },
          );
        }
        try {
          return answerOf(await client.send(message, target, options));
        } catch (error) {
          // Surely not delivered (the platform refused, or nothing left): the places are free again.
          if ((error as { code?: unknown }).code !== 'OUTCOME_UNKNOWN') {
            await reservation?.release().catch(() => undefined);
          }
          throw error;
        }
      },
    };
  }
}

function answerOf(result: WeComSendResult): WecomSendAnswer {
  return {
    msg_id: result.msgId,
    invalid_users: result.invalidUsers,
    invalid_parties: result.invalidParties,
    invalid_tags: result.invalidTags,
    unlicensed_users: result.unlicensedUsers,
    ...(result.responseCode === undefined ? {} : { response_code: result.responseCode }),
  };
}
