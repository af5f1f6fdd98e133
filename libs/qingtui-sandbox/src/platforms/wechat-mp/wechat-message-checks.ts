/**
 * What WeChat checks in the bodies of its four send APIs, before any rule
 * about the user (consent, 48 h window, dedupe) is applied.
 */
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import { WECHAT_ERRORS as E } from './wechat-mp-errors.js';

/** Largest `clientmsgid` of a mass send, in bytes. */
export const MAX_CLIENT_MSG_ID_BYTES = 64;
/** A mass send by openid list: from 2 to 10,000 openids. */
export const MASS_MIN_OPENIDS = 2;
export const MASS_MAX_OPENIDS = 10_000;

/** Customer-service message types, and the field each one's object needs. */
const CUSTOM_TYPES: Readonly<Record<string, string | undefined>> = {
  text: 'content',
  image: 'media_id',
  voice: 'media_id',
  video: 'media_id',
  music: 'thumb_media_id',
  news: undefined, // articles, checked apart
  mpnews: 'media_id',
  mpnewsarticle: 'article_id',
  msgmenu: 'list',
  wxcard: 'card_id',
  miniprogrampage: 'pagepath',
};

/** Mass-send message types, and the field each one's object needs. */
const MASS_TYPES: Readonly<Record<string, string>> = {
  mpnews: 'media_id',
  text: 'content',
  voice: 'media_id',
  image: 'media_ids',
  mpvideo: 'media_id',
  wxcard: 'card_id',
};

/** A template or subscribe send that passed the checks. */
export interface CheckedTemplateSend {
  readonly touser: string;
  readonly templateId: string;
  /** Template only: the `client_msg_id`, when given. */
  readonly clientMsgId: string | undefined;
}

/** A custom or mass send that passed the checks. */
export interface CheckedTypedSend {
  readonly touser: string[];
  readonly msgtype: string;
  /** Mass only: the `clientmsgid`, when given. */
  readonly clientMsgId: string | undefined;
}

/**
 * `message/template/send` and `message/subscribe/bizsend`: `touser` (40003),
 * `template_id` (40037), `data` an object (47003), `url` a string and
 * `miniprogram` an object with an `appid` (47003); template's `client_msg_id`
 * a non-empty string when given (47003).
 */
export function checkTemplateSend(
  json: Record<string, unknown>,
  api: 'template' | 'subscribe',
): CheckedTemplateSend | PlatformError {
  if (!nonBlank(json.touser)) return platformError(E.invalidOpenId, 'touser is required');
  if (!nonBlank(json.template_id)) {
    return platformError(E.invalidTemplateId, 'template_id is required');
  }
  if (!isObject(json.data)) return platformError(E.argumentInvalid, 'data must be an object');
  for (const field of api === 'template' ? ['url'] : ['page']) {
    if (json[field] !== undefined && typeof json[field] !== 'string') {
      return platformError(E.argumentInvalid, `${field} must be a string`);
    }
  }
  const { miniprogram } = json;
  if (miniprogram !== undefined && !(isObject(miniprogram) && nonBlank(miniprogram.appid))) {
    return platformError(E.argumentInvalid, 'miniprogram must be an object with an appid');
  }
  const clientMsgId = api === 'template' ? json.client_msg_id : undefined;
  if (clientMsgId !== undefined && !nonBlank(clientMsgId)) {
    return platformError(E.argumentInvalid, 'client_msg_id must be a non-empty string');
  }
  return {
    touser: json.touser as string,
    templateId: json.template_id as string,
    clientMsgId: clientMsgId as string | undefined,
  };
}

/**
 * `message/custom/send`: `touser` (40003), `msgtype` (40008), its object's
 * required field (text 44004, media 40007, news 44003, others 47003).
 */
export function checkCustomSend(json: Record<string, unknown>): CheckedTypedSend | PlatformError {
  if (!nonBlank(json.touser)) return platformError(E.invalidOpenId, 'touser is required');
  const msgtype = json.msgtype;
  if (typeof msgtype !== 'string' || !(msgtype in CUSTOM_TYPES)) {
    return platformError(
      E.invalidMessageType,
      `msgtype must be one of ${Object.keys(CUSTOM_TYPES).join(', ')}`,
    );
  }
  const content = isObject(json[msgtype]) ? json[msgtype] : {};
  if (msgtype === 'news') {
    const { articles } = content;
    if (!Array.isArray(articles) || articles.length === 0) {
      return platformError(E.emptyNews, 'news.articles must hold an article');
    }
  } else {
    const error = requireField(msgtype, CUSTOM_TYPES[msgtype] as string, content);
    if (error !== undefined) return error;
  }
  return { touser: [json.touser as string], msgtype, clientMsgId: undefined };
}

/**
 * `message/mass/send`: `touser` an array of 2 to 10,000 openids (40130, each
 * non-empty: 40003), `msgtype` (40008), its object's required field,
 * `send_ignore_reprint` 0 or 1 (47003), `clientmsgid` a string of at most 64
 * bytes (45067).
 */
export function checkMassSend(json: Record<string, unknown>): CheckedTypedSend | PlatformError {
  const { touser, msgtype, clientmsgid } = json;
  if (!Array.isArray(touser)) {
    return platformError(E.invalidOpenIdListSize, 'touser must be an array of openids');
  }
  if (touser.length < MASS_MIN_OPENIDS || touser.length > MASS_MAX_OPENIDS) {
    return platformError(
      E.invalidOpenIdListSize,
      `touser lists ${MASS_MIN_OPENIDS} to ${MASS_MAX_OPENIDS} openids`,
    );
  }
  const bad = touser.findIndex((openid) => !nonBlank(openid));
  if (bad >= 0) return platformError(E.invalidOpenId, `touser[${bad}]`);
  if (typeof msgtype !== 'string' || !(msgtype in MASS_TYPES)) {
    return platformError(
      E.invalidMessageType,
      `msgtype must be one of ${Object.keys(MASS_TYPES).join(', ')}`,
    );
  }
  const content = isObject(json[msgtype]) ? json[msgtype] : {};
  const error = requireField(msgtype, MASS_TYPES[msgtype], content);
  if (error !== undefined) return error;
  const reprint = json.send_ignore_reprint;
  if (reprint !== undefined && reprint !== 0 && reprint !== 1) {
    return platformError(E.argumentInvalid, 'send_ignore_reprint must be 0 or 1');
  }
  if (clientmsgid !== undefined) {
    if (!nonBlank(clientmsgid)) {
      return platformError(E.argumentInvalid, 'clientmsgid must be a non-empty string');
    }
    if (Buffer.byteLength(clientmsgid as string) > MAX_CLIENT_MSG_ID_BYTES) {
      return platformError(
        E.clientMsgIdTooLong,
        `clientmsgid is over ${MAX_CLIENT_MSG_ID_BYTES} bytes`,
      );
    }
  }
  return {
    touser: [...new Set(touser as string[])],
    msgtype,
    clientMsgId: clientmsgid as string | undefined,
  };
}

function requireField(
  msgtype: string,
  field: string,
  content: Record<string, unknown>,
): PlatformError | undefined {
  const value = content[field];
  const present = Array.isArray(value) ? value.length > 0 : nonBlank(value);
  if (present) return undefined;
  const at = `${msgtype}.${field} is required`;
  if (field === 'content') return platformError(E.emptyContent, at);
  if (field.startsWith('media_id')) return platformError(E.invalidMediaId, at);
  return platformError(E.argumentInvalid, at);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}
