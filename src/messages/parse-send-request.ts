import {
  QINGTUI_MESSAGE_TYPES,
  QingtuiValidationError,
  validateMessage,
  type QingtuiColor,
  type QingtuiMessage,
  type QingtuiMessageType,
  type QingtuiTarget,
} from 'nestjs-qingtui';
import { sendRequestMessages as m } from './send-request.messages.js';

/*
 * The central server's HTTP contract (platform wire naming) → a typed message and target.
 * This file checks shape: known type, known fields, JSON types. Presence, lengths, colors and
 * the type/target pairing are checked by `validateMessage`, which runs last.
 */

type Json = Record<string, unknown>;

/** A typed message and its recipients, read from a send request. */
export interface ParsedSendRequest {
  message: QingtuiMessage;
  target: QingtuiTarget;
}

function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fail(field: string, problem: string): never {
  throw new QingtuiValidationError(field, problem);
}

/** Reads the fields of one wire object, refusing fields it does not know. */
class WireObject {
  constructor(
    readonly value: Json,
    private readonly path: string,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) fail(this.at(key), m.unknownField(allowed));
    }
  }

  /** Opens a nested object: undefined if absent or null. */
  static open(value: unknown, path: string, allowed: readonly string[]): WireObject | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isJsonObject(value)) fail(path, m.notObject());
    return new WireObject(value, path, allowed);
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  string(key: string): string | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') fail(this.at(key), m.notString());
    return value;
  }

  number(key: string): number | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(this.at(key), m.notNumber());
    return value;
  }

  /** A boolean, or 0/1 as the platform sends flags. */
  flag(key: string): boolean | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (value === true || value === 1) return true;
    if (value === false || value === 0) return false;
    fail(this.at(key), m.notBoolean());
  }

  /** A color name; case-insensitive ("BLACK" is what some SDKs send). */
  color(key: string): QingtuiColor | undefined {
    return this.string(key)?.toLowerCase() as QingtuiColor | undefined;
  }

  /** A list, each item read by `read` with its own path; undefined if absent. */
  list<T>(key: string, read: (item: unknown, path: string) => T): T[] | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) fail(this.at(key), m.notArray());
    return value.map((item, i) => read(item, `${this.at(key)}[${i}]`));
  }

  object<T>(key: string, allowed: readonly string[], read: (o: WireObject) => T): T | undefined {
    const nested = WireObject.open(this.value[key], this.at(key), allowed);
    return nested && read(nested);
  }
}

/** Opens a list item that must be an object. */
function item<T>(
  value: unknown,
  path: string,
  allowed: readonly string[],
  read: (o: WireObject) => T,
): T {
  if (!isJsonObject(value)) fail(path, m.notObject());
  return read(new WireObject(value, path, allowed));
}

const RICH_MEDIA = ['name', 'media_id'];
const COLOR_TEXT = ['text', 'color'];

function colorText(o: WireObject) {
  return { text: o.string('text')!, color: o.color('color') };
}

/**
 * Wire `message` object → typed message, per type. The `!` assertions are deliberate: a missing
 * required field stays undefined here and is reported, with its wire name, by validateMessage.
 */
const READERS: { [T in QingtuiMessageType]: (o: Json) => Extract<QingtuiMessage, { type: T }> } = {
  text: (raw) => {
    const o = new WireObject(raw, 'message', ['content']);
    return { type: 'text', content: o.string('content')! };
  },
  image: (raw) => {
    const o = new WireObject(raw, 'message', ['media_id']);
    return { type: 'image', mediaId: o.string('media_id')! };
  },
  file: (raw) => {
    const o = new WireObject(raw, 'message', ['media_id']);
    return { type: 'file', mediaId: o.string('media_id')! };
  },
  rich: (raw) => {
    const o = new WireObject(raw, 'message', [
      'title',
      'xtime',
      'body',
      'img_list',
      'url_list',
      'attachment',
    ]);
    const media = (w: WireObject) => ({ name: w.string('name'), mediaId: w.string('media_id')! });
    return {
      type: 'rich',
      title: o.string('title')!,
      xtime: o.number('xtime'),
      body: o.string('body'),
      imgList: o.list('img_list', (v, path) => item(v, path, RICH_MEDIA, media)),
      urlList: o.list('url_list', (v, path) =>
        item(v, path, ['name', 'url'], (l) => ({ name: l.string('name'), url: l.string('url')! })),
      ),
      attachment: o.object('attachment', RICH_MEDIA, media),
    };
  },
  textCard: (raw) => {
    const o = new WireObject(raw, 'message', ['title', 'url', 'button_text', 'content_list']);
    return {
      type: 'textCard',
      title: o.string('title')!,
      url: o.string('url'),
      buttonText: o.string('button_text'),
      contentList: o.list('content_list', (v, path) =>
        item(v, path, ['text', 'attr'], (line) => ({
          text: line.string('text')!,
          attr: line.object('attr', ['color'], (a) => ({ color: a.color('color') })),
        })),
      )!,
    };
  },
  keyValue: (raw) => {
    const o = new WireObject(raw, 'message', [
      'title',
      'sub_title',
      'url',
      'content',
      'footer',
      'button_text',
    ]);
    return {
      type: 'keyValue',
      title: o.string('title')!,
      subTitle: o.object('sub_title', COLOR_TEXT, colorText),
      url: o.string('url'),
      content: o.list('content', (v, path) =>
        item(v, path, ['key', 'value', 'value_color'], (p) => ({
          key: p.string('key')!,
          value: p.string('value')!,
          valueColor: p.color('value_color'),
        })),
      )!,
      footer: o.object('footer', COLOR_TEXT, colorText),
      buttonText: o.string('button_text'),
    };
  },
  card: (raw) => {
    const o = new WireObject(raw, 'message', ['content']);
    const content = o.value.content;
    // The card itself is free-form: its text or object is checked by validateMessage.
    return { type: 'card', content: content as string | Json };
  },
  news: (raw) => {
    const o = new WireObject(raw, 'message', ['article_list']);
    const fields = [
      'title',
      'url',
      'content',
      'thumb_media_id',
      'author',
      'time',
      'show_cover_pic',
    ];
    return {
      type: 'news',
      articleList: o.list('article_list', (v, path) =>
        item(v, path, fields, (a) => ({
          title: a.string('title')!,
          url: a.string('url'),
          content: a.string('content'),
          thumbMediaId: a.string('thumb_media_id'),
          author: a.string('author'),
          time: a.number('time'),
          showCoverPic: a.flag('show_cover_pic'),
        })),
      )!,
    };
  },
  process: (raw) => {
    const o = new WireObject(raw, 'message', ['title', 'body', 'url']);
    return {
      type: 'process',
      title: o.string('title')!,
      body: o.string('body'),
      url: o.string('url')!,
    };
  },
};

/** Drops undefined members, recursively, so that typed messages hold only given fields. */
function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map(prune) as T;
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, prune(v)]),
  ) as T;
}

function readTarget(body: WireObject): QingtuiTarget {
  // A null target must not read as "no target", which means every follower.
  for (const key of ['to_user', 'to_users', 'channel_id']) {
    if (body.value[key] === null) fail(key, m.required());
  }
  const toUser = body.string('to_user');
  const channelId = body.string('channel_id');
  const toUsers = body.list('to_users', (id, path) => {
    if (typeof id !== 'string') fail(path, m.notString());
    return id;
  });
  // validateMessage reports two targets given at once, and empty ones, with the wire names.
  if (toUser === undefined && toUsers === undefined && channelId === undefined) {
    return { allFollowers: true };
  }
  return prune({ toUser, toUsers, channelId }) as QingtuiTarget;
}

/**
 * Maps a loosely typed send request, in the platform's wire naming, to a typed message and
 * target, then validates them (`validateMessage`):
 *
 * ```json
 * { "type": "textCard", "to_users": ["oid1", "oid2"],
 *   "message": { "title": "…", "button_text": "…", "content_list": [{ "text": "…" }] } }
 * ```
 *
 * No `to_user`, `to_users` or `channel_id` means every follower (service). Colors are accepted
 * in any case and normalised to lowercase. Unknown fields are refused.
 *
 * @throws QingtuiValidationError for an unknown type, a target the type has no variant for,
 *   a field of the wrong JSON type, an unknown field, or any rule of `validateMessage`
 */
export function parseQingtuiSendRequest(body: unknown): ParsedSendRequest {
  if (!isJsonObject(body)) fail('body', m.notObject());
  const request = new WireObject(body, '', [
    'type',
    'to_user',
    'to_users',
    'channel_id',
    'message',
  ]);
  const type = request.value.type;
  if (typeof type !== 'string' || !(QINGTUI_MESSAGE_TYPES as readonly string[]).includes(type)) {
    fail('type', m.unknownType(type, QINGTUI_MESSAGE_TYPES));
  }
  const target = readTarget(request);
  const raw = request.value.message;
  if (raw === undefined || raw === null) fail('message', m.required());
  if (!isJsonObject(raw)) fail('message', m.notObject());
  const message = prune<QingtuiMessage>(READERS[type as QingtuiMessageType](raw));
  validateMessage(message, target);
  return { message, target };
}
