import type {
  QingtuiMessage,
  QingtuiMessageType,
  QingtuiTarget,
} from '../interfaces/messages.interface.js';
import { fail, isJsonObject, type Json } from './field-checks.js';
import { MESSAGE_FIELDS } from './message-fields.js';
import { decodeFields, encodeFields } from './message-schema.js';
import { QINGTUI_MESSAGE_TYPES } from './qingtui-api.paths.js';
import { validationMessages as m } from './qingtui-validation.messages.js';

/*
 * Typed messages ↔ the platform's snake_case JSON, both ways from the field tables of
 * `message-fields.ts` (the only place that spells message field names on the wire).
 */

/** The `message` object of a send body, in wire naming. */
export function toWireMessage(message: QingtuiMessage): Json {
  return encodeFields(MESSAGE_FIELDS[message.type], message as unknown as Json);
}

/** A whole send body: `{to_user | to_users | channel_id, message}`, or `{message}` for all followers. */
export function toSendBody(message: QingtuiMessage, target: QingtuiTarget): Json {
  const wire = toWireMessage(message);
  if (target.toUser !== undefined) return { to_user: target.toUser, message: wire };
  if (target.toUsers !== undefined) return { to_users: [...target.toUsers], message: wire };
  if (target.channelId !== undefined) return { channel_id: target.channelId, message: wire };
  return { message: wire };
}

/**
 * Reads a `message` object in the platform's wire naming (as an HTTP front receives it, e.g.
 * `{ "title": "…", "button_text": "…", "content_list": [{ "text": "…" }] }`) into the typed
 * message of `type`. It checks shape only: known fields (others are refused), JSON types
 * (`null` reads as absent; `show_cover_pic` may be 1/0; colors are read in any case). Presence,
 * lengths, colors and the target are `validateMessage`'s: run it on the result before sending.
 *
 * @throws QingtuiValidationError with `field` in wire naming (`message.content_list[0].text`)
 */
export function fromWireMessage<T extends QingtuiMessageType>(
  type: T,
  wire: unknown,
): Extract<QingtuiMessage, { type: T }> {
  if (!(QINGTUI_MESSAGE_TYPES as readonly string[]).includes(type)) {
    fail('type', m.unknownType(type, QINGTUI_MESSAGE_TYPES));
  }
  if (wire === undefined || wire === null) fail('message', m.required());
  if (!isJsonObject(wire)) fail('message', m.notObject());
  const fields = MESSAGE_FIELDS[type];
  return { type, ...decodeFields(fields, wire, 'message') } as Extract<QingtuiMessage, { type: T }>;
}
