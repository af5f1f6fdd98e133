import { fail, isJsonObject, type Json, requireObject } from '../field-checks.js';
import { decodeFields, encodeFields } from '../message-schema.js';
import { validationMessages as m } from '../qingtui-validation.messages.js';
import { WECOM_NO_AGENT_MSGTYPES } from './wecom-api.limits.js';
import { WECOM_MESSAGE_FIELDS } from './wecom-message-fields.js';
import {
  WECOM_MESSAGE_TYPES,
  type WeComMessage,
  type WeComMessageType,
  type WeComSendOptions,
  type WeComSendRequest,
  type WeComTarget,
  type WeComTemplateCard,
} from './wecom-message.interface.js';

/*
 * Typed WeCom sends ↔ the JSON of `POST /cgi-bin/message/send`, both ways. Message members come
 * from the tables of `wecom-message-fields.ts`; the template card travels as given.
 */

/** Whether a msgtype's body carries the app's `agentid` (a mini program notice does not). */
export function takesAgentId(type: WeComMessageType): boolean {
  return !WECOM_NO_AGENT_MSGTYPES.includes(type);
}

/**
 * The body of `message/send` for a validated send: targets joined with `|`, `agentid` (a
 * number) unless the msgtype has none, the `<msgtype>` object, then the options that were set.
 */
export function toWeComSendBody(
  message: WeComMessage,
  target: WeComTarget,
  options: WeComSendOptions,
  agentId: string,
): Json {
  const body: Json = {};
  if (target.toUser !== undefined) {
    body.touser = target.toUser === '@all' ? '@all' : target.toUser.join('|');
  }
  if (target.toParty !== undefined) body.toparty = target.toParty.join('|');
  if (target.toTag !== undefined) body.totag = target.toTag.join('|');
  body.msgtype = message.type;
  if (takesAgentId(message.type)) body.agentid = Number(agentId);
  body[message.type] =
    message.type === 'template_card'
      ? message.card
      : encodeFields(WECOM_MESSAGE_FIELDS[message.type], message as unknown as Json);
  if (options.safe !== undefined) body.safe = options.safe;
  if (options.enableIdTrans !== undefined) body.enable_id_trans = options.enableIdTrans ? 1 : 0;
  if (options.duplicateCheck !== undefined) {
    body.enable_duplicate_check = 1;
    const seconds = options.duplicateCheck.intervalSeconds;
    if (seconds !== undefined) body.duplicate_check_interval = seconds;
  }
  return body;
}

const ENVELOPE = [
  'touser',
  'toparty',
  'totag',
  'msgtype',
  'safe',
  'enable_id_trans',
  'enable_duplicate_check',
  'duplicate_check_interval',
];

function splitIds(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(field, m.notString());
  return value.split('|');
}

function flagOf(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 0 || value === 1 || typeof value === 'boolean') return Boolean(value);
  return fail(field, m.notOneOf(value, [0, 1]));
}

/**
 * Reads the platform's own `message/send` JSON (without `agentid`, which the app's
 * configuration gives) into a typed send, as an HTTP front receives it. It checks shape only:
 * known members (others are refused, `agentid` included), JSON types, `|`-joined targets.
 * Presence, limits and the target rules are `validateWeComSend`'s, which `WeComClient.send()`
 * runs.
 *
 * @throws QingtuiValidationError with `field` in wire naming (`textcard.title`, `agentid`)
 */
export function fromWeComWire(wire: unknown): WeComSendRequest {
  const body = requireObject(wire, 'body');
  const type = body.msgtype;
  if (!(WECOM_MESSAGE_TYPES as readonly unknown[]).includes(type)) {
    fail('msgtype', m.unknownMsgtype(type, WECOM_MESSAGE_TYPES));
  }
  const msgtype = type as WeComMessageType;
  const allowed = [...ENVELOPE, msgtype];
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) fail(key, m.unknownField(allowed));
  }
  const content = body[msgtype];
  if (content === undefined || content === null) fail(msgtype, m.required());
  if (!isJsonObject(content)) fail(msgtype, m.notObject());
  const message = (
    msgtype === 'template_card'
      ? { type: msgtype, card: content as WeComTemplateCard }
      : {
          type: msgtype,
          ...decodeFields(WECOM_MESSAGE_FIELDS[msgtype], content, msgtype),
        }
  ) as WeComMessage;
  const toUser = body.touser === '@all' ? '@all' : splitIds(body.touser, 'touser');
  const toParty = splitIds(body.toparty, 'toparty');
  const toTag = splitIds(body.totag, 'totag');
  const target: WeComTarget = {
    ...(toUser === undefined ? {} : { toUser }),
    ...(toParty === undefined ? {} : { toParty }),
    ...(toTag === undefined ? {} : { toTag }),
  };
  const options: WeComSendOptions = {};
  if (body.safe !== undefined && body.safe !== null) {
    options.safe = body.safe as WeComSendOptions['safe'];
  }
  const idTrans = flagOf(body.enable_id_trans, 'enable_id_trans');
  if (idTrans !== undefined) options.enableIdTrans = idTrans;
  const check = flagOf(body.enable_duplicate_check, 'enable_duplicate_check');
  const interval = body.duplicate_check_interval;
  if (check) {
    options.duplicateCheck =
      interval === undefined || interval === null ? {} : { intervalSeconds: interval as number };
  } else if (interval !== undefined && interval !== null) {
    fail('duplicate_check_interval', m.onlyWith('enable_duplicate_check: 1'));
  }
  return { message, target, options };
}
