import { fail, isJsonObject, type Json, requireObject } from '../field-checks.js';
import {
  decodeFields,
  encodeFields,
  type FieldsOf,
  optionalTextField as optionalText,
} from '../message-schema.js';
import { validationMessages as m } from '../qingtui-validation.messages.js';
import {
  WECHAT_CUSTOM_FIELDS,
  WECHAT_MASS_FIELDS,
  WECHAT_MASS_IMAGE_FIELDS,
} from './wechat-message-fields.js';
import {
  WECHAT_CUSTOM_MESSAGE_TYPES,
  WECHAT_MASS_MESSAGE_TYPES,
  WECHAT_SEND_KINDS,
  type WeChatCustomMessage,
  type WeChatCustomSend,
  type WeChatMassMessage,
  type WeChatMassSend,
  type WeChatMiniprogramLink,
  type WeChatSendKind,
  type WeChatSendRequest,
  type WeChatSubscribeMessage,
  type WeChatTemplateMessage,
} from './wechat-message.interface.js';

/*
 * Typed WeChat sends ↔ the platform's JSON of each API, both ways. Message members come from
 * the tables of `wechat-message-fields.ts`.
 */

const MINIPROGRAM: FieldsOf<WeChatMiniprogramLink> = {
  appId: optionalText('appid'),
  pagePath: optionalText('pagepath'),
};

function miniprogramWire(link: WeChatMiniprogramLink | undefined): Json | undefined {
  return link === undefined ? undefined : encodeFields(MINIPROGRAM, link as unknown as Json);
}

/** Members set, in order, absent ones left out. */
function compact(body: Json): Json {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
}

export function toTemplateBody(send: WeChatTemplateMessage): Json {
  return compact({
    touser: send.toUser,
    template_id: send.templateId,
    url: send.url,
    miniprogram: miniprogramWire(send.miniprogram),
    data: send.data,
    client_msg_id: send.clientMsgId,
  });
}

export function toSubscribeBody(send: WeChatSubscribeMessage): Json {
  return compact({
    touser: send.toUser,
    template_id: send.templateId,
    page: send.page,
    miniprogram: miniprogramWire(send.miniprogram),
    data: send.data,
  });
}

export function toCustomBody(send: WeChatCustomSend): Json {
  const { type } = send.message;
  return compact({
    touser: send.toUser,
    msgtype: type,
    [type]: encodeFields(WECHAT_CUSTOM_FIELDS[type], send.message),
    customservice: send.kfAccount === undefined ? undefined : { kf_account: send.kfAccount },
  });
}

/** The wire key of a mass-send message's object: `images` for `image`, else its msgtype. */
const massKey = (type: string): string => (type === 'image' ? 'images' : type);

function massContent(message: WeChatMassMessage): Json {
  if (message.type === 'image') {
    return {
      media_ids: [...message.mediaIds],
      ...encodeFields(WECHAT_MASS_IMAGE_FIELDS, message),
    };
  }
  return encodeFields(WECHAT_MASS_FIELDS[message.type], message);
}

export function toMassBody(send: WeChatMassSend): Json {
  const { type } = send.message;
  return compact({
    touser: [...send.toUser],
    msgtype: type,
    [massKey(type)]: massContent(send.message),
    send_ignore_reprint:
      send.sendIgnoreReprint === undefined ? undefined : send.sendIgnoreReprint ? 1 : 0,
    clientmsgid: send.clientMsgId,
  });
}

// ---------------------------------------------------------------- from the wire

function onlyKnown(body: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) fail(key, m.unknownField(allowed));
  }
}

function miniprogramOf(raw: unknown): WeChatMiniprogramLink | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isJsonObject(raw)) fail('miniprogram', m.notObject());
  return decodeFields(MINIPROGRAM, raw, 'miniprogram') as unknown as WeChatMiniprogramLink;
}

function msgtypeOf(body: Json, allowed: readonly string[]): string {
  const type = body.msgtype;
  if (!allowed.includes(type as string)) fail('msgtype', m.unknownMsgtype(type, allowed));
  return type as string;
}

function contentOf(body: Json, key: string): Json {
  return requireObject(body[key], key);
}

/** Absent members stay absent; the validators check presence and types of what is given. */
function defined<T extends object>(value: Record<string, unknown>): T {
  return compact(value) as T;
}

function customFrom(body: Json): WeChatCustomSend {
  const type = msgtypeOf(body, WECHAT_CUSTOM_MESSAGE_TYPES) as WeChatCustomMessage['type'];
  onlyKnown(body, ['touser', 'msgtype', type, 'customservice']);
  const message = {
    type,
    ...decodeFields(WECHAT_CUSTOM_FIELDS[type], contentOf(body, type), type),
  } as WeChatCustomMessage;
  const service = body.customservice;
  const kfAccount = isJsonObject(service) ? service.kf_account : undefined;
  if (service !== undefined && !isJsonObject(service)) fail('customservice', m.notObject());
  return defined<WeChatCustomSend>({ toUser: body.touser, message, kfAccount });
}

function massFrom(body: Json): WeChatMassSend {
  const type = msgtypeOf(body, WECHAT_MASS_MESSAGE_TYPES) as WeChatMassMessage['type'];
  const key = massKey(type);
  onlyKnown(body, ['touser', 'msgtype', key, 'send_ignore_reprint', 'clientmsgid']);
  const content = contentOf(body, key);
  let message: WeChatMassMessage;
  if (type === 'image') {
    const { media_ids: mediaIds, ...rest } = content;
    message = {
      type,
      mediaIds: mediaIds as string[],
      ...decodeFields(WECHAT_MASS_IMAGE_FIELDS, rest, key),
    };
  } else {
    const fields = WECHAT_MASS_FIELDS[type];
    message = { type, ...decodeFields(fields, content, key) } as WeChatMassMessage;
  }
  const reprint = body.send_ignore_reprint;
  if (reprint !== undefined && reprint !== 0 && reprint !== 1) {
    fail('send_ignore_reprint', m.notOneOf(reprint, [0, 1]));
  }
  return defined<WeChatMassSend>({
    toUser: body.touser,
    message,
    clientMsgId: body.clientmsgid,
    sendIgnoreReprint: reprint === undefined ? undefined : reprint === 1,
  });
}

/**
 * Reads the platform's own JSON of one send API (`kind`: `template`, `subscribe`, `custom` or
 * `mass`), as an HTTP front receives it, into the typed send the `WeChatClient` method of that
 * kind takes. It checks shape only (known members, JSON types); the client validates the rest.
 *
 * @throws QingtuiValidationError with `field` in wire naming (`kind`, `msgtype`, `text.content`)
 */
export function fromWeChatWire(kind: WeChatSendKind, wire: unknown): WeChatSendRequest {
  const body = requireObject(wire, 'body');
  switch (kind) {
    case 'template':
      onlyKnown(body, ['touser', 'template_id', 'url', 'miniprogram', 'data', 'client_msg_id']);
      return {
        kind,
        send: defined<WeChatTemplateMessage>({
          toUser: body.touser,
          templateId: body.template_id,
          url: body.url,
          miniprogram: miniprogramOf(body.miniprogram),
          data: body.data,
          clientMsgId: body.client_msg_id,
        }),
      };
    case 'subscribe':
      onlyKnown(body, ['touser', 'template_id', 'page', 'miniprogram', 'data']);
      return {
        kind,
        send: defined<WeChatSubscribeMessage>({
          toUser: body.touser,
          templateId: body.template_id,
          page: body.page,
          miniprogram: miniprogramOf(body.miniprogram),
          data: body.data,
        }),
      };
    case 'custom':
      return { kind, send: customFrom(body) };
    case 'mass':
      return { kind, send: massFrom(body) };
    default:
      return fail('kind', m.notOneOf(kind, WECHAT_SEND_KINDS));
  }
}
