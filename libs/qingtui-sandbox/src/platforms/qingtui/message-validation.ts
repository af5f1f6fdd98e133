/**
 * The platform's checks on message sends: who may receive them, and what each
 * message type must contain. Limits are those documented by the C# and
 * Java SDKs; lengths count characters (code points), not bytes.
 */
import type { DeliveryTarget, MessageType } from './delivery-log.js';
import { isJsonObject } from '../../shared/http-io.js';
import type { MediaStore } from './media-store.js';
import { PLATFORM_ERRORS as E, type PlatformError, platformError } from './qingtui-errors.js';
import type { ResolvedApp } from './qingtui.options.js';

/** Documented limits of message sends. */
const LIMITS = {
  massRecipients: 50,
  titleChars: 45,
  buttonTextChars: 6,
  textCardLineChars: 200,
  keyValuePairs: 6,
  keyChars: 8,
  valueChars: 45,
  newsSummaryChars: 120,
} as const;

/** openids are opaque; the platform's own are short, URL-safe strings. */
const OPENID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The recipients of a send, checked against the app's followers.
 * @returns the recipients (openids, or `channel:<id>`) or the platform error
 */
export function checkRecipients(
  target: DeliveryTarget,
  body: Record<string, unknown>,
  app: ResolvedApp,
): string[] | PlatformError {
  switch (target) {
    case 'single':
      return checkFollower(body.to_user, app) ?? [body.to_user as string];
    case 'mass': {
      const list = body.to_users;
      if (!Array.isArray(list)) {
        return platformError(E.invalidOpenIdList, 'to_users must be an array of openids');
      }
      if (list.length < 1 || list.length > LIMITS.massRecipients) {
        return platformError(
          E.invalidOpenIdListSize,
          `to_users must hold 1 to ${LIMITS.massRecipients} openids`,
        );
      }
      for (const openid of list) {
        const error = checkFollower(openid, app);
        if (error !== undefined) return error;
      }
      return [...(list as string[])];
    }
    case 'service':
      return [...app.followers];
    case 'channel': {
      const channel = body.channel_id;
      const valid =
        (typeof channel === 'string' && channel.trim() !== '') || Number.isSafeInteger(channel);
      return valid
        ? [`channel:${String(channel)}`]
        : platformError(E.invalidGroupId, 'channel_id missing');
    }
  }
}

function checkFollower(openid: unknown, app: ResolvedApp): PlatformError | undefined {
  if (typeof openid !== 'string' || !OPENID_PATTERN.test(openid)) return E.invalidOpenId;
  return app.followerSet.has(openid) ? undefined : E.receiverNotFollower;
}

/** Context a message check may need. */
export interface MessageCheckContext {
  readonly app: ResolvedApp;
  readonly media: MediaStore;
}

type MessageCheck = (
  message: Record<string, unknown>,
  context: MessageCheckContext,
) => PlatformError | undefined;

/**
 * Checks the `message` object of a send.
 * @returns the platform error, or undefined when the message is acceptable
 */
export function checkMessage(
  type: MessageType,
  message: unknown,
  context: MessageCheckContext,
): PlatformError | undefined {
  if (!isJsonObject(message)) return platformError(E.invalidParameter, 'message must be an object');
  return MESSAGE_CHECKS[type](message, context);
}

const MESSAGE_CHECKS: Readonly<Record<MessageType, MessageCheck>> = {
  text: (m) => (nonEmpty(m.content) ? undefined : E.emptyText),
  image: (m, { app, media }) => checkMedia(m.media_id, 'image', app, media),
  file: (m, { app, media }) => checkMedia(m.media_id, 'file', app, media),
  rich: (m) =>
    nonEmpty(m.title) && nonEmpty(m.body)
      ? undefined
      : platformError(E.invalidRichMessage, 'title and body are required'),
  card: (m) => {
    if (typeof m.content !== 'string' || !isJsonText(m.content)) {
      return platformError(E.invalidParameter, 'content must be the card as a JSON string');
    }
    return undefined;
  },
  textCard: (m) =>
    checkTitle(m.title) ??
    checkButtonText(m.button_text) ??
    checkList(m.content_list, 'content_list', Infinity, (item) =>
      checkText(item.text, 'content_list[].text', LIMITS.textCardLineChars),
    ),
  keyValue: (m) =>
    checkTitle(m.title) ??
    checkButtonText(m.button_text) ??
    checkList(
      m.content,
      'content',
      LIMITS.keyValuePairs,
      (pair) =>
        checkText(pair.key, 'content[].key', LIMITS.keyChars) ??
        checkText(pair.value, 'content[].value', LIMITS.valueChars),
    ),
  news: (m) => {
    if (!Array.isArray(m.article_list) || m.article_list.length === 0) return E.emptyNews;
    return checkList(
      m.article_list,
      'article_list',
      Infinity,
      (a) => checkTitle(a.title) ?? checkSummary(a.content),
    );
  },
  process: (m) =>
    nonEmpty(m.title) && nonEmpty(m.url)
      ? undefined
      : platformError(E.invalidParameter, 'title and url are required'),
};

function checkMedia(
  mediaId: unknown,
  type: 'image' | 'file',
  app: ResolvedApp,
  media: MediaStore,
): PlatformError | undefined {
  return media.find(app.appId, mediaId, type)
    ? undefined
    : platformError(E.invalidMediaId, `no uploaded ${type} with this media_id`);
}

function checkTitle(title: unknown): PlatformError | undefined {
  if (!nonEmpty(title)) return platformError(E.invalidParameter, 'title is required');
  return chars(title) > LIMITS.titleChars
    ? platformError(E.titleTooLong, `title longer than ${LIMITS.titleChars} characters`)
    : undefined;
}

/** A news article's optional summary. */
function checkSummary(content: unknown): PlatformError | undefined {
  if (content === undefined) return undefined;
  if (typeof content !== 'string' || chars(content) > LIMITS.newsSummaryChars) {
    return platformError(
      E.descriptionTooLong,
      `article content must be a string of at most ${LIMITS.newsSummaryChars} characters`,
    );
  }
  return undefined;
}

function checkButtonText(text: unknown): PlatformError | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string' || chars(text) > LIMITS.buttonTextChars) {
    return platformError(
      E.invalidParameter,
      `button_text must be a string of at most ${LIMITS.buttonTextChars} characters`,
    );
  }
  return undefined;
}

/** A required string field with a length limit. */
function checkText(text: unknown, field: string, limit: number): PlatformError | undefined {
  if (typeof text !== 'string') {
    return platformError(E.invalidParameter, `${field} must be a string`);
  }
  return chars(text) > limit
    ? platformError(E.contentTooLong, `${field} longer than ${limit} characters`)
    : undefined;
}

/** An optional array of objects, each checked in turn. */
function checkList(
  list: unknown,
  field: string,
  maxItems: number,
  checkItem: (item: Record<string, unknown>) => PlatformError | undefined,
): PlatformError | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list)) return platformError(E.invalidParameter, `${field} must be an array`);
  if (list.length > maxItems) {
    return platformError(E.invalidParameter, `${field} holds at most ${maxItems} items`);
  }
  for (const item of list) {
    if (!isJsonObject(item)) {
      return platformError(E.invalidParameter, `${field} items must be objects`);
    }
    const error = checkItem(item);
    if (error !== undefined) return error;
  }
  return undefined;
}

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Length in characters (code points), as the platform counts Chinese text. */
function chars(text: string): number {
  return [...text].length;
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
