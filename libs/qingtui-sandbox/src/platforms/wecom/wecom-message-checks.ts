/**
 * What WeCom checks in a `message/send` body before it looks at recipients:
 * agentid, msgtype and its content object, the flags, the list sizes.
 */
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import type { RecipientFields } from './wecom-directory.js';
import { WECOM_ERRORS as E } from './wecom-errors.js';

/** The message types `message/send` takes. */
export const WECOM_MSGTYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
] as const;

export type WecomMsgType = (typeof WECOM_MSGTYPES)[number];

/** `duplicate_check_interval`: default and largest value, in seconds (4 h). */
export const DUPLICATE_CHECK_DEFAULT_SECONDS = 1800;
export const DUPLICATE_CHECK_MAX_SECONDS = 14_400;

/** Largest `touser` list (userids), and `toparty` / `totag` lists. */
export const MAX_TO_USERS = 1000;
export const MAX_TO_GROUPS = 100;

/** Largest text and markdown `content`, in bytes. */
const MAX_CONTENT_BYTES = 2048;
/** Largest number of articles of a news or mpnews message. */
const MAX_ARTICLES = 8;

const TEMPLATE_CARD_TYPES = [
  'text_notice',
  'news_notice',
  'button_interaction',
  'vote_interaction',
  'multiple_interaction',
];

/** A send body that passed the checks. */
export interface CheckedWecomSend {
  readonly msgtype: WecomMsgType;
  readonly recipients: RecipientFields;
  /** The duplicate-check interval in ms, when `enable_duplicate_check` is 1. */
  readonly duplicateCheckMs: number | undefined;
}

/**
 * Checks a `message/send` body in the platform's order: agentid (41011
 * missing, 40056 not an app of the company, 301002 another app than the
 * token's), msgtype (40008), the flags (40058), the list sizes (40032, 82002,
 * 82003), then the content object of the msgtype.
 * @param agentIds the agentids of the company's apps
 */
export function checkWecomSend(
  json: Record<string, unknown>,
  tokenAgentId: string,
  agentIds: readonly string[],
): CheckedWecomSend | PlatformError {
  const agentError = checkAgentId(json.agentid, tokenAgentId, agentIds);
  if (agentError !== undefined) return agentError;
  const msgtype = WECOM_MSGTYPES.find((type) => type === json.msgtype);
  if (msgtype === undefined) {
    return platformError(E.invalidMsgType, `msgtype must be one of ${WECOM_MSGTYPES.join(', ')}`);
  }
  for (const flag of ['enable_id_trans', 'enable_duplicate_check'] as const) {
    if (json[flag] !== undefined && json[flag] !== 0 && json[flag] !== 1) {
      return platformError(E.invalidParameter, `${flag} must be 0 or 1`);
    }
  }
  const safe = json.safe;
  if (safe !== undefined && safe !== 0 && safe !== 1 && !(safe === 2 && msgtype === 'mpnews')) {
    return platformError(E.invalidParameter, 'safe must be 0 or 1 (2 for mpnews only)');
  }
  if (msgtype === 'news' && safe !== undefined && safe !== 0) return E.newsNotSafe;
  const interval = json.duplicate_check_interval ?? DUPLICATE_CHECK_DEFAULT_SECONDS;
  if (
    typeof interval !== 'number' ||
    !Number.isInteger(interval) ||
    interval < 1 ||
    interval > DUPLICATE_CHECK_MAX_SECONDS
  ) {
    return platformError(
      E.invalidParameter,
      `duplicate_check_interval must be an integer from 1 to ${DUPLICATE_CHECK_MAX_SECONDS}`,
    );
  }
  const recipients = recipientFields(json);
  if ('errcode' in recipients) return recipients;
  const contentError = checkContent(msgtype, json[msgtype]);
  if (contentError !== undefined) return contentError;
  return {
    msgtype,
    recipients,
    duplicateCheckMs: json.enable_duplicate_check === 1 ? interval * 1000 : undefined,
  };
}

function checkAgentId(
  agentid: unknown,
  tokenAgentId: string,
  agentIds: readonly string[],
): PlatformError | undefined {
  if (agentid === undefined || agentid === null || agentid === '') return E.missingAgentId;
  const text = typeof agentid === 'number' || typeof agentid === 'string' ? String(agentid) : '';
  if (!/^\d+$/.test(text) || !agentIds.includes(text)) return E.invalidAgentId;
  if (text !== tokenAgentId) {
    return platformError(E.noAgentPrivilege, `the access_token is agent ${tokenAgentId}'s`);
  }
  return undefined;
}

function recipientFields(json: Record<string, unknown>): RecipientFields | PlatformError {
  const lists: string[][] = [];
  for (const field of ['touser', 'toparty', 'totag'] as const) {
    const value = json[field];
    if (value !== undefined && typeof value !== 'string') {
      return platformError(E.invalidParameterValue, `${field} must be a string of ids split by |`);
    }
    lists.push((value ?? '').split('|').filter((id) => id !== ''));
  }
  const [toUser, toParty, toTag] = lists;
  if (toUser.length > MAX_TO_USERS) {
    return platformError(E.invalidUserIdListSize, `touser lists at most ${MAX_TO_USERS} userids`);
  }
  if (toParty.length > MAX_TO_GROUPS) {
    return platformError(E.invalidPartyListSize, `toparty lists at most ${MAX_TO_GROUPS} ids`);
  }
  if (toTag.length > MAX_TO_GROUPS) {
    return platformError(E.invalidTagListSize, `totag lists at most ${MAX_TO_GROUPS} ids`);
  }
  return { toUser, toParty, toTag };
}

/** The required fields of each msgtype's content object (a missing object is an empty one). */
function checkContent(msgtype: WecomMsgType, raw: unknown): PlatformError | undefined {
  const content = isObject(raw) ? raw : {};
  switch (msgtype) {
    case 'text':
    case 'markdown':
      if (!nonBlank(content.content)) return platformError(E.emptyContent, `${msgtype}.content`);
      if (Buffer.byteLength(content.content as string) > MAX_CONTENT_BYTES) {
        return platformError(
          E.bodyTooLarge,
          `${msgtype}.content is over ${MAX_CONTENT_BYTES} bytes`,
        );
      }
      return undefined;
    case 'image':
    case 'voice':
    case 'video':
    case 'file':
      return nonBlank(content.media_id)
        ? undefined
        : platformError(E.missingMediaId, `${msgtype}.media_id`);
    case 'textcard':
      if (!nonBlank(content.title)) return platformError(E.missingTitle, 'textcard.title');
      if (!nonBlank(content.description)) {
        return platformError(E.missingDescription, 'textcard.description');
      }
      return nonBlank(content.url) ? undefined : platformError(E.missingUrl, 'textcard.url');
    case 'news':
    case 'mpnews':
      return checkArticles(msgtype, content.articles);
    case 'miniprogram_notice':
      for (const field of ['appid', 'title'] as const) {
        if (!nonBlank(content[field])) {
          return platformError(E.invalidParameterValue, `miniprogram_notice.${field} is required`);
        }
      }
      return undefined;
    case 'template_card':
      return TEMPLATE_CARD_TYPES.includes(content.card_type as string)
        ? undefined
        : platformError(
            E.invalidParameterValue,
            `template_card.card_type must be one of ${TEMPLATE_CARD_TYPES.join(', ')}`,
          );
  }
}

function checkArticles(msgtype: 'news' | 'mpnews', articles: unknown): PlatformError | undefined {
  if (!Array.isArray(articles) || articles.length === 0) {
    return platformError(E.missingTitle, `${msgtype}.articles must hold 1 to ${MAX_ARTICLES}`);
  }
  if (articles.length > MAX_ARTICLES) {
    return platformError(E.tooManyArticles, `${msgtype}.articles holds at most ${MAX_ARTICLES}`);
  }
  for (const [index, raw] of articles.entries()) {
    const article = isObject(raw) ? raw : {};
    const at = `${msgtype}.articles[${index}]`;
    if (!nonBlank(article.title)) return platformError(E.missingTitle, `${at}.title`);
    if (msgtype === 'news') {
      if (!nonBlank(article.url) && !nonBlank(article.appid)) {
        return platformError(E.missingUrl, `${at}.url (or appid and pagepath)`);
      }
      continue;
    }
    if (!nonBlank(article.thumb_media_id)) {
      return platformError(E.missingMediaId, `${at}.thumb_media_id`);
    }
    if (!nonBlank(article.content)) return platformError(E.emptyContent, `${at}.content`);
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}
