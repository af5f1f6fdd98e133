import { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import { classifyWechatMpErrcode } from '../../platforms/wechat-mp/wechat-mp-errcodes.js';
import { idOf, malformedAnswerOf } from '../app-call.js';
import { WECHAT_MESSAGE_ERRCODES as E } from './wechat-api.limits.js';
import type {
  WeChatMassResult,
  WeChatSubscribeResult,
  WeChatTemplateResult,
} from './wechat-message.interface.js';

/*
 * Readers of WeChat's send answers. A non-zero errcode is already a `QingtuiApiError` from the
 * interceptor, except 45065 on a mass send, which the client asks to read here.
 */

const noId = (endpoint: string, name: string) =>
  malformedAnswerOf(
    'WeChat',
    endpoint,
    `success carries no ${name}; the message may have been sent`,
  );

/** `{errcode: 0, msgid}` of a template send. */
export function readTemplateResult(
  answer: Record<string, unknown>,
  endpoint: string,
): WeChatTemplateResult {
  const msgId = idOf(answer.msgid);
  if (msgId === undefined) throw noId(endpoint, 'msgid');
  return { msgId };
}

/** `{errcode: 0}` of a subscribe send, with its msgid when WeChat gives one. */
export function readSubscribeResult(answer: Record<string, unknown>): WeChatSubscribeResult {
  const msgId = idOf(answer.msgid) ?? idOf(answer.msg_id);
  return msgId === undefined ? {} : { msgId };
}

/**
 * `{errcode: 0, msg_id, msg_data_id}` of a mass send, or `{errcode: 45065, msg_id}`: this
 * clientmsgid was sent within 24 h, read as success with the first send's id (`alreadySent`).
 * @throws QingtuiApiError a 45065 without msg_id keeps its errcode; a success without msg_id is
 *   kind `request` (not retryable)
 */
export function readMassResult(
  answer: Record<string, unknown>,
  endpoint: string,
): WeChatMassResult {
  const alreadySent = Number(answer.errcode) === E.clientMsgIdExists;
  const msgId = idOf(answer.msg_id) ?? idOf(answer.msgid);
  if (msgId === undefined) {
    if (!alreadySent) throw noId(endpoint, 'msg_id');
    const errmsg = typeof answer.errmsg === 'string' ? answer.errmsg : 'clientmsgid exist';
    throw QingtuiApiError.platform({
      kind: classifyWechatMpErrcode(E.clientMsgIdExists, endpoint, errmsg),
      errcode: E.clientMsgIdExists,
      errmsg: `${errmsg} (the answer carries no msg_id of the first send)`,
      endpoint,
      status: 200,
      platform: 'WeChat',
    });
  }
  const result: WeChatMassResult = { msgId, alreadySent };
  const msgDataId = idOf(answer.msg_data_id);
  if (msgDataId !== undefined) result.msgDataId = msgDataId;
  return result;
}
