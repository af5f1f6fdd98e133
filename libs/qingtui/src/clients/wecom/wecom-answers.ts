import { idOf, malformedAnswerOf } from '../app-call.js';
import type { WeComSendResult } from './wecom-message.interface.js';

/*
 * Readers of WeCom's success answers (a non-zero errcode, 81013 included, is already a
 * `QingtuiApiError` from the interceptor).
 */

/** `"a|b"` → `['a', 'b']`; absent or empty → `[]`. Numbers (ids) are read as text. */
export function splitList(value: unknown): string[] {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text === '') return [];
  return text.split('|').filter((id) => id !== '');
}

/**
 * Reads `{msgid, invaliduser, invalidparty, invalidtag, unlicenseduser, response_code}`: the
 * refused recipients of a partial success are listed, never dropped.
 * @throws QingtuiApiError kind `request` (no errcode) without a msgid: the message may have been
 *   sent, so this is not retryable
 */
export function readWeComSendResult(
  answer: Record<string, unknown>,
  endpoint: string,
): WeComSendResult {
  const msgId = idOf(answer.msgid);
  if (msgId === undefined) {
    throw malformedAnswerOf(
      'WeCom',
      endpoint,
      'success carries no msgid; the message may have been sent',
    );
  }
  const result: WeComSendResult = {
    msgId,
    invalidUsers: splitList(answer.invaliduser),
    invalidParties: splitList(answer.invalidparty),
    invalidTags: splitList(answer.invalidtag),
    unlicensedUsers: splitList(answer.unlicenseduser),
  };
  const responseCode = idOf(answer.response_code);
  if (responseCode !== undefined) result.responseCode = responseCode;
  return result;
}
