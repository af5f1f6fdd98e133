import { Injectable } from '@nestjs/common';
import {
  fromWeChatWire,
  QingtuiClients,
  QingtuiValidationError,
  WECHAT_SEND_KINDS,
  type WeChatSendAnswer,
  type WeChatSendKind,
  type WeChatSendRequest,
  validateWeChatCustom,
  validateWeChatMass,
  validateWeChatSubscribe,
  validateWeChatTemplate,
} from 'nestjs-qingtui';
import type { PlatformMessageSender, PreparedSend } from './message-sender.js';
import { platformIdOf } from './idempotent-send.js';

/** How long WeChat drops a repeat of one `client_msg_id` to one openid (template messages). */
const TEMPLATE_DEDUP_MS = 10 * 60_000;
/** How long WeChat answers 45065 to a repeat of one `clientmsgid` (mass sends). */
const MASS_DEDUP_MS = 24 * 60 * 60_000;
/** Re-sends stop this long before the platform forgets, so that one never lands just after. */
const DEDUP_MARGIN_MS = 30_000;
/** Length of the ids derived from the key (`clientmsgid` takes at most 64 bytes). */
const PLATFORM_ID_LENGTH = 32;

/** The answer of a WeChat send, by kind. */
export interface WechatSendAnswer {
  kind: WeChatSendKind;
  msg_id?: string;
  msg_data_id?: string;
  /** Mass sends: WeChat answered 45065, this `clientmsgid` was already sent (the first id). */
  already_sent?: boolean;
}

/**
 * WeChat Official Account: the body is the platform's own JSON of one send API plus a top-level
 * `"kind"` (`template`, `subscribe`, `custom`, `mass`), removed before sending. With an
 * `Idempotency-Key`, a template message gets a `client_msg_id` and a mass send a `clientmsgid`
 * derived from it (unless the body has its own), so that a re-send after a lost answer is dropped
 * by WeChat (10 minutes for templates; 24 hours for mass sends, whose repeat answers 45065 with
 * the first `msg_id`, read as success). Subscribe and customer-service messages have no such
 * protection: an unknown outcome is never re-sent.
 */
@Injectable()
export class WechatMessageSender implements PlatformMessageSender<WechatSendAnswer> {
  readonly platform = 'wechat-mp';

  constructor(private readonly clients: QingtuiClients) {}

  prepare(app: string, body: unknown, key: string | undefined): PreparedSend<WechatSendAnswer> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new QingtuiValidationError('body', 'must be a JSON object');
    }
    const { kind, ...wire } = body as Record<string, unknown>;
    if (typeof kind !== 'string' || !(WECHAT_SEND_KINDS as readonly string[]).includes(kind)) {
      throw new QingtuiValidationError(
        'kind',
        `must be one of ${WECHAT_SEND_KINDS.map((k) => `"${k}"`).join(', ')}`,
      );
    }
    const request = fromWeChatWire(kind as WeChatSendKind, wire);
    let resendSafeForMs = 0;
    if (key !== undefined) {
      const derived = platformIdOf(app, key, PLATFORM_ID_LENGTH);
      if (request.kind === 'template') {
        request.send.clientMsgId ??= derived;
        resendSafeForMs = TEMPLATE_DEDUP_MS - DEDUP_MARGIN_MS;
      } else if (request.kind === 'mass') {
        request.send.clientMsgId ??= derived;
        resendSafeForMs = MASS_DEDUP_MS - DEDUP_MARGIN_MS;
      }
    }
    validate(request);
    const client = this.clients.wechat(app);
    return {
      resendSafeForMs,
      send: async () => answerOf(await client.send(request)),
    };
  }
}

/** The client's own checks, run before any key is claimed (the client runs them again). */
function validate(request: WeChatSendRequest): void {
  switch (request.kind) {
    case 'template':
      return validateWeChatTemplate(request.send);
    case 'subscribe':
      return validateWeChatSubscribe(request.send);
    case 'custom':
      validateWeChatCustom(request.send);
      return;
    case 'mass':
      return validateWeChatMass(request.send);
  }
}

function answerOf(answer: WeChatSendAnswer): WechatSendAnswer {
  const out: WechatSendAnswer = { kind: answer.kind };
  if ('msgId' in answer && answer.msgId !== undefined) out.msg_id = answer.msgId;
  if ('msgDataId' in answer && answer.msgDataId !== undefined) out.msg_data_id = answer.msgDataId;
  if ('alreadySent' in answer) out.already_sent = answer.alreadySent;
  return out;
}
