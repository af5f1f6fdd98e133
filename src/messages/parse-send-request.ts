import {
  fromWireMessage,
  QINGTUI_MESSAGE_TYPES,
  QingtuiValidationError,
  validateMessage,
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

  /** A list, each item read by `read` with its own path; undefined if absent. */
  list<T>(key: string, read: (item: unknown, path: string) => T): T[] | undefined {
    const value = this.value[key];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) fail(this.at(key), m.notArray());
    return value.map((item, i) => read(item, `${this.at(key)}[${i}]`));
  }
}

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
  const message = fromWireMessage(type as QingtuiMessageType, raw);
  validateMessage(message, target);
  return { message, target };
}
