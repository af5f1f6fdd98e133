import type {
  QingtuiMediaType,
  QingtuiMessage,
  QingtuiMessageType,
  QingtuiTarget,
  QingtuiTargetKind,
} from '../interfaces/messages.interface.js';
import { fail, isJsonObject, requireArray, requireText } from './field-checks.js';
import { MESSAGE_FIELDS } from './message-fields.js';
import { validateFields } from './message-schema.js';
import { QINGTUI_MEDIA_SIZE_LIMITS, QINGTUI_MESSAGE_LIMITS as L } from './qingtui-api.limits.js';
import { QINGTUI_MESSAGE_SEND_TARGETS, QINGTUI_MESSAGE_TYPES } from './qingtui-api.paths.js';
import { validationMessages as m } from './qingtui-validation.messages.js';

/*
 * Pure checks run before anything is sent. They throw the first problem found as a
 * `QingtuiValidationError` whose `field` is the path in the platform's wire naming, so that an
 * HTTP front (the central server) can answer 400 naming the field. They are defensive: values
 * may come from untyped JSON. A message's own fields are checked from its table in
 * `message-fields.ts`.
 */

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
  validateFields(MESSAGE_FIELDS[type as QingtuiMessageType], msg, 'message');
  return kind;
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
