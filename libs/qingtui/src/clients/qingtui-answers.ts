import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type {
  QingtuiFollowersPage,
  QingtuiMediaType,
  QingtuiMediaUploadResult,
  QingtuiMessageSendStatus,
  QingtuiMessageStatus,
  QingtuiSendResult,
  QingtuiSentMessageId,
} from '../interfaces/messages.interface.js';

/*
 * Readers of the platform's success answers (errcode already checked by the interceptor).
 * An answer that lacks what the call promises is a `QingtuiApiError` of kind `request` with no
 * errcode: never retryable, because a send may have gone through (retrying could duplicate it).
 */

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The platform answered success without the data the call promises. */
export function malformedAnswer(endpoint: string, problem: string): QingtuiApiError {
  return QingtuiApiError.local({
    kind: 'request',
    errmsg: `unexpected answer: ${problem}`,
    endpoint,
  });
}

/** A non-empty id, from a string or a (safe) number. */
function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/** Fields of the answer: top-level, falling back to those of a `data` object. */
function fieldsOf(answer: unknown): Json {
  if (!isObject(answer)) return {};
  return isObject(answer.data) ? { ...answer.data, ...answer } : answer;
}

/**
 * Reads the message id(s) of a send answer, whatever shape the platform used:
 * - `data: [{open_id, msg_id}, …]` (process mass): one entry per recipient; entries without a
 *   msg_id are skipped;
 * - `data: {msg_id}` (process single);
 * - `data: "<id>"` (most sends);
 * - top-level `msg_id` (Java SDK text mass/service, legacy sends).
 * `msgId` is the first id.
 *
 * @throws QingtuiApiError kind `request` (no errcode) when the answer carries no id at all: the
 *   message may well have been sent, so this is not retryable.
 */
export function readSendResult(answer: unknown, endpoint: string): QingtuiSendResult {
  const body = isObject(answer) ? answer : {};
  const data = body.data;
  let ids: QingtuiSentMessageId[] = [];
  if (Array.isArray(data)) {
    ids = data.flatMap((entry): QingtuiSentMessageId[] => {
      const msgId = isObject(entry) ? idOf(entry.msg_id) : idOf(entry);
      if (msgId === undefined) return [];
      const openId = isObject(entry) ? idOf(entry.open_id) : undefined;
      return [openId === undefined ? { msgId } : { openId, msgId }];
    });
  } else {
    const single = (isObject(data) ? idOf(data.msg_id) : idOf(data)) ?? idOf(body.msg_id);
    if (single !== undefined) ids = [{ msgId: single }];
  }
  if (ids.length === 0) {
    throw malformedAnswer(
      endpoint,
      'success carries no message id; the message may have been sent',
    );
  }
  return { msgId: ids[0].msgId, msgIds: ids };
}

const SEND_STATUSES: readonly QingtuiMessageSendStatus[] = [
  'SEND_SUCCESS',
  'SEND_FAILED',
  'SENDING',
];

/** Reads `{msg_id, msg_status, rate}` (top-level or in `data`). */
export function readMessageStatus(
  answer: unknown,
  msgId: string,
  endpoint: string,
): QingtuiMessageStatus {
  const fields = fieldsOf(answer);
  const status = fields.msg_status;
  if (!SEND_STATUSES.includes(status as QingtuiMessageSendStatus)) {
    throw malformedAnswer(endpoint, `msg_status is ${JSON.stringify(status)}`);
  }
  const rate = typeof fields.rate === 'string' ? Number(fields.rate) : fields.rate;
  return {
    msgId: idOf(fields.msg_id) ?? msgId,
    status: status as QingtuiMessageSendStatus,
    rate: typeof rate === 'number' && Number.isFinite(rate) ? rate : 0,
  };
}

/** Reads `{type, media_id, created_at}` (top-level or in `data`). */
export function readMediaUpload(
  answer: unknown,
  type: QingtuiMediaType,
  endpoint: string,
): QingtuiMediaUploadResult {
  const fields = fieldsOf(answer);
  const mediaId = idOf(fields.media_id);
  if (mediaId === undefined) throw malformedAnswer(endpoint, 'no media_id');
  const createdAt = Number(fields.created_at);
  return {
    mediaId,
    type: fields.type === 'image' || fields.type === 'file' ? fields.type : type,
    createdAt: Number.isFinite(createdAt) && fields.created_at !== null ? createdAt : Date.now(),
  };
}

/** Reads `{followers, hasMore, totalCount}` (camelCase on this endpoint; snake_case tolerated). */
export function readFollowers(answer: unknown, endpoint: string): QingtuiFollowersPage {
  const fields = fieldsOf(answer);
  const followers = fields.followers ?? [];
  if (!Array.isArray(followers)) throw malformedAnswer(endpoint, 'followers is not a list');
  const ids = followers.map(idOf).filter((id): id is string => id !== undefined);
  const total = Number(fields.totalCount ?? fields.total_count ?? ids.length);
  return {
    followers: ids,
    hasMore: (fields.hasMore ?? fields.has_more) === true,
    totalCount: Number.isFinite(total) ? total : ids.length,
  };
}

/** Reads `open_id` (top-level or in `data`). */
export function readOpenId(answer: unknown, endpoint: string): string {
  const fields = fieldsOf(answer);
  const openId = idOf(fields.open_id) ?? idOf(fields.openid);
  if (openId === undefined) throw malformedAnswer(endpoint, 'no open_id');
  return openId;
}
