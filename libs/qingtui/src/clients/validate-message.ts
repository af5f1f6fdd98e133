import { QingtuiValidationError } from '../errors/qingtui-validation.error.js';
import type {
  QingtuiMediaType,
  QingtuiMessage,
  QingtuiMessageType,
  QingtuiTarget,
  QingtuiTargetKind,
} from '../interfaces/messages.interface.js';
import {
  QINGTUI_COLORS,
  QINGTUI_MEDIA_SIZE_LIMITS,
  QINGTUI_MESSAGE_LIMITS as L,
} from './qingtui-api.limits.js';
import { QINGTUI_MESSAGE_SEND_TARGETS, QINGTUI_MESSAGE_TYPES } from './qingtui-api.paths.js';
import { validationMessages as m } from './qingtui-validation.messages.js';

/*
 * Pure checks run before anything is sent. They throw the first problem found as a
 * `QingtuiValidationError` whose `field` is the path in the platform's wire naming, so that an
 * HTTP front (the central server) can answer 400 naming the field. They are defensive: values
 * may come from untyped JSON.
 */

type Json = Record<string, unknown>;

/** Wire name of each target kind's field, used in field paths and messages. */
const TARGET_WIRE_NAMES: Record<QingtuiTargetKind, string> = {
  single: 'to_user',
  mass: 'to_users',
  channel: 'channel_id',
  service: 'no target (all followers)',
};

const TARGET_KEYS = [
  { key: 'toUser', kind: 'single', field: 'to_user' },
  { key: 'toUsers', kind: 'mass', field: 'to_users' },
  { key: 'channelId', kind: 'channel', field: 'channel_id' },
  { key: 'allFollowers', kind: 'service', field: 'target.allFollowers' },
] as const;

function fail(field: string, problem: string): never {
  throw new QingtuiValidationError(field, problem);
}

export function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Length in characters (code points), as a person counts them. */
function charCount(text: string): number {
  return [...text].length;
}

function isBlank(text: string): boolean {
  return text.trim() === '';
}

/** A string with at least one non-blank character, at most `max` characters. */
function requireText(value: unknown, field: string, max?: number): void {
  if (value === undefined || value === null) fail(field, m.required());
  if (typeof value !== 'string') fail(field, m.notString());
  if (isBlank(value)) fail(field, m.required());
  checkLength(value, field, max);
}

/** Absent, or a string of at most `max` characters (blank only if `allowBlank`). */
function optionalText(value: unknown, field: string, max?: number, allowBlank = true): void {
  if (value === undefined) return;
  if (typeof value !== 'string') fail(field, m.notString());
  if (!allowBlank && isBlank(value)) fail(field, m.required());
  checkLength(value, field, max);
}

/** A string (possibly empty) of at most `max` characters. */
function requireString(value: unknown, field: string, max?: number): void {
  if (value === undefined || value === null) fail(field, m.required());
  optionalText(value, field, max);
}

function checkLength(value: string, field: string, max: number | undefined): void {
  if (max === undefined) return;
  const length = charCount(value);
  if (length > max) fail(field, m.tooLong(length, max));
}

function optionalNumber(value: unknown, field: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(field, m.notNumber());
}

function optionalBoolean(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== 'boolean') fail(field, m.notBoolean());
}

function optionalColor(value: unknown, field: string): void {
  if (value === undefined) return;
  if (!(QINGTUI_COLORS as readonly unknown[]).includes(value)) {
    fail(field, m.badColor(value, QINGTUI_COLORS));
  }
}

function requireObject(value: unknown, field: string): Json {
  if (value === undefined || value === null) fail(field, m.required());
  if (!isJsonObject(value)) fail(field, m.notObject());
  return value;
}

function optionalObject(value: unknown, field: string): Json | undefined {
  return value === undefined ? undefined : requireObject(value, field);
}

function requireArray(
  value: unknown,
  field: string,
  what: string,
  min = 0,
  max?: number,
): unknown[] {
  if (value === undefined || value === null) fail(field, m.required());
  if (!Array.isArray(value)) fail(field, m.notArray());
  if (value.length < min) fail(field, m.tooFew(value.length, min, what));
  if (max !== undefined && value.length > max) fail(field, m.tooMany(value.length, max, what));
  return value;
}

function optionalArray(value: unknown, field: string, what: string): unknown[] {
  return value === undefined ? [] : requireArray(value, field, what);
}

/**
 * Checks a target and returns its kind. One of `toUser`, `toUsers` (1 to 50 distinct, non-empty
 * openids), `channelId` or `allFollowers: true` must be given, and only one.
 * @throws QingtuiValidationError
 */
export function validateTarget(target: QingtuiTarget): QingtuiTargetKind {
  const t = target as unknown;
  if (!isJsonObject(t)) fail('target', m.noTarget());
  const present = TARGET_KEYS.filter(({ key }) => t[key] !== undefined);
  if (present.length === 0) fail('target', m.noTarget());
  if (present.length > 1) fail(present[1].field, m.twoTargets(present[0].field));
  const { key, kind, field } = present[0];
  const value = t[key];
  switch (kind) {
    case 'single':
    case 'channel':
      requireText(value, field);
      break;
    case 'mass': {
      const ids = requireArray(value, field, 'openids', L.massMinRecipients, L.massMaxRecipients);
      const seen = new Map<string, number>();
      ids.forEach((id, i) => {
        requireText(id, `${field}[${i}]`);
        const first = seen.get(id as string);
        if (first !== undefined) fail(`${field}[${i}]`, m.duplicate(first));
        seen.set(id as string, i);
      });
      break;
    }
    case 'service':
      if (value !== true) fail(field, m.notTrue());
      break;
  }
  return kind;
}

/**
 * Checks that a message type has a send variant for a target kind.
 * @throws QingtuiValidationError naming the target's wire field (`target` for all followers)
 */
export function assertTargetAllowed(type: QingtuiMessageType, kind: QingtuiTargetKind): void {
  const allowed = QINGTUI_MESSAGE_SEND_TARGETS[type] as readonly QingtuiTargetKind[];
  if (allowed.includes(kind)) return;
  const field = kind === 'service' ? 'target' : TARGET_WIRE_NAMES[kind];
  fail(
    field,
    m.targetNotAllowed(
      type,
      kind,
      allowed.map((k) => TARGET_WIRE_NAMES[k]),
    ),
  );
}

/**
 * Checks a message and its target against the platform's documented rules before sending:
 * the target (see `validateTarget`), that the type has a variant for that target, required
 * fields, lengths (titles ≤45, button_text ≤6, text-card lines ≤200, key ≤8, value ≤45, ≤6
 * pairs, news summary ≤120) and colors (black, highlight, gray). Pure: no I/O.
 *
 * @returns the target's kind (the last segment of the send path)
 * @throws QingtuiValidationError on the first problem, with `field` such as `message.title`,
 *   `to_users[3]` or `message.content_list[0].text`
 */
export function validateMessage(message: QingtuiMessage, target: QingtuiTarget): QingtuiTargetKind {
  const msg = message as unknown;
  if (!isJsonObject(msg)) fail('message', m.notObject());
  const type = msg.type;
  if (typeof type !== 'string' || !(QINGTUI_MESSAGE_TYPES as readonly string[]).includes(type)) {
    fail('type', m.unknownType(type, QINGTUI_MESSAGE_TYPES));
  }
  const kind = validateTarget(target);
  assertTargetAllowed(type as QingtuiMessageType, kind);
  MESSAGE_CHECKS[type as QingtuiMessageType](msg);
  return kind;
}

const MESSAGE_CHECKS: Record<QingtuiMessageType, (message: Json) => void> = {
  text: (msg) => requireText(msg.content, 'message.content'),
  image: (msg) => requireText(msg.mediaId, 'message.media_id'),
  file: (msg) => requireText(msg.mediaId, 'message.media_id'),
  rich: checkRich,
  textCard: checkTextCard,
  keyValue: checkKeyValue,
  card: checkCard,
  news: checkNews,
  process: (msg) => {
    requireText(msg.title, 'message.title');
    optionalText(msg.body, 'message.body');
    requireText(msg.url, 'message.url');
  },
};

function checkRich(msg: Json): void {
  requireText(msg.title, 'message.title');
  optionalText(msg.body, 'message.body');
  optionalNumber(msg.xtime, 'message.xtime');
  optionalArray(msg.imgList, 'message.img_list', 'images').forEach((item, i) => {
    const img = requireObject(item, `message.img_list[${i}]`);
    optionalText(img.name, `message.img_list[${i}].name`);
    requireText(img.mediaId, `message.img_list[${i}].media_id`);
  });
  optionalArray(msg.urlList, 'message.url_list', 'links').forEach((item, i) => {
    const link = requireObject(item, `message.url_list[${i}]`);
    optionalText(link.name, `message.url_list[${i}].name`);
    requireText(link.url, `message.url_list[${i}].url`);
  });
  const attachment = optionalObject(msg.attachment, 'message.attachment');
  if (attachment) {
    optionalText(attachment.name, 'message.attachment.name');
    requireText(attachment.mediaId, 'message.attachment.media_id');
  }
}

function checkTextCard(msg: Json): void {
  requireText(msg.title, 'message.title', L.titleMaxChars);
  optionalText(msg.url, 'message.url');
  optionalText(msg.buttonText, 'message.button_text', L.buttonTextMaxChars, false);
  requireArray(msg.contentList, 'message.content_list', 'lines').forEach((item, i) => {
    const line = requireObject(item, `message.content_list[${i}]`);
    requireString(line.text, `message.content_list[${i}].text`, L.textCardLineMaxChars);
    const attr = optionalObject(line.attr, `message.content_list[${i}].attr`);
    if (attr) optionalColor(attr.color, `message.content_list[${i}].attr.color`);
  });
}

function checkColorText(value: unknown, field: string): void {
  const text = optionalObject(value, field);
  if (!text) return;
  requireString(text.text, `${field}.text`);
  optionalColor(text.color, `${field}.color`);
}

function checkKeyValue(msg: Json): void {
  requireText(msg.title, 'message.title', L.titleMaxChars);
  checkColorText(msg.subTitle, 'message.sub_title');
  optionalText(msg.url, 'message.url');
  requireArray(msg.content, 'message.content', 'pairs', 1, L.keyValueMaxPairs).forEach(
    (item, i) => {
      const pair = requireObject(item, `message.content[${i}]`);
      requireText(pair.key, `message.content[${i}].key`, L.keyMaxChars);
      requireString(pair.value, `message.content[${i}].value`, L.valueMaxChars);
      optionalColor(pair.valueColor, `message.content[${i}].value_color`);
    },
  );
  checkColorText(msg.footer, 'message.footer');
  optionalText(msg.buttonText, 'message.button_text', L.buttonTextMaxChars, false);
}

function checkCard(msg: Json): void {
  const content = msg.content;
  if (content === undefined || content === null) fail('message.content', m.required());
  if (typeof content === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      fail('message.content', m.cardNotJson());
    }
    if (!isJsonObject(parsed)) fail('message.content', m.cardNotJson());
    return;
  }
  if (!isJsonObject(content)) fail('message.content', m.cardNotJson());
  try {
    JSON.stringify(content);
  } catch {
    // A cycle or a BigInt: the card cannot be sent as JSON.
    fail('message.content', m.cardNotJson());
  }
}

function checkNews(msg: Json): void {
  requireArray(msg.articleList, 'message.article_list', 'articles', 1).forEach((item, i) => {
    const field = `message.article_list[${i}]`;
    const article = requireObject(item, field);
    requireText(article.title, `${field}.title`, L.titleMaxChars);
    optionalText(article.url, `${field}.url`);
    optionalText(article.content, `${field}.content`, L.newsSummaryMaxChars);
    optionalText(article.thumbMediaId, `${field}.thumb_media_id`);
    optionalText(article.author, `${field}.author`);
    optionalNumber(article.time, `${field}.time`);
    optionalBoolean(article.showCoverPic, `${field}.show_cover_pic`);
  });
}

/** Whether `text` holds a control character (CR, LF...) that would break a header line. */
function hasControlChar(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Checks an upload before sending: type `image` or `file`, non-empty data within the size limit
 * (image ≤300 KB, file ≤30 MB), a filename, and header-safe filename and content type.
 * @throws QingtuiValidationError (`field`: `type`, `media`, `filename` or `content_type`)
 */
export function validateUpload(
  type: QingtuiMediaType,
  data: Uint8Array,
  filename: string,
  contentType?: string,
): void {
  if (type !== 'image' && type !== 'file') fail('type', m.mediaType(type));
  if (!(data instanceof Uint8Array)) fail('media', m.notMedia());
  if (data.byteLength === 0) fail('media', m.emptyMedia());
  const max = QINGTUI_MEDIA_SIZE_LIMITS[type];
  if (data.byteLength > max) fail('media', m.mediaTooLarge(data.byteLength, max, type));
  requireText(filename, 'filename');
  if (hasControlChar(filename)) fail('filename', m.headerUnsafe());
  if (contentType !== undefined) {
    requireText(contentType, 'content_type');
    if (hasControlChar(contentType)) fail('content_type', m.headerUnsafe());
  }
}

/** A non-blank string argument (an id). @throws QingtuiValidationError */
export function validateId(value: unknown, field: string): void {
  requireText(value, field);
}

/** An integer in [min, max]. @throws QingtuiValidationError */
export function validateInteger(value: unknown, field: string, min: number, max?: number): void {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    fail(field, m.notInteger(min, max));
  }
}

/**
 * Checks that a path passed to `request()` stays on the platform: it must start with one `/`,
 * so that the access_token can never be sent to another host.
 * @throws QingtuiValidationError
 */
export function validateApiPath(path: unknown): void {
  if (
    typeof path !== 'string' ||
    !path.startsWith('/') ||
    path.startsWith('//') ||
    path.includes('\\')
  ) {
    fail('path', m.notRelativePath());
  }
}
