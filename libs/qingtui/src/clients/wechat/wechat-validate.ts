import {
  fail,
  isJsonObject,
  type Json,
  maxBytes,
  optionalBoolean,
  optionalObject,
  optionalText,
  requireArray,
  requireObject,
  requireString,
  requireText,
} from '../field-checks.js';
import { validateFields } from '../message-schema.js';
import { validationMessages as m } from '../qingtui-validation.messages.js';
import { WECHAT_MESSAGE_LIMITS as L } from './wechat-api.limits.js';
import {
  WECHAT_CUSTOM_FIELDS,
  WECHAT_MASS_FIELDS,
  WECHAT_MASS_IMAGE_FIELDS,
  type WeChatMassTabledType,
} from './wechat-message-fields.js';
import {
  WECHAT_CUSTOM_MESSAGE_TYPES,
  WECHAT_MASS_MESSAGE_TYPES,
  type WeChatCustomMessageType,
  type WeChatCustomSend,
  type WeChatMassSend,
  type WeChatSubscribeMessage,
  type WeChatTemplateMessage,
} from './wechat-message.interface.js';

/*
 * Checks of the WeChat sends before anything is sent, defensive (values may come from untyped
 * JSON). Each throws the first problem as a `QingtuiValidationError` whose `field` is the path in
 * the platform's wire naming (`touser`, `data.thing1.value`, `text.content`, `clientmsgid`).
 */

const COLOR = /^#[0-9A-Fa-f]{6}$/;

function requireArgument(value: unknown): Json {
  if (!isJsonObject(value)) fail('body', m.notObject());
  return value;
}

function validateMiniprogram(value: unknown): void {
  const link = optionalObject(value, 'miniprogram');
  if (link === undefined) return;
  requireText(link.appId, 'miniprogram.appid');
  optionalText(link.pagePath, 'miniprogram.pagepath');
}

/** The keywords: at least one, each `{ value }` (a string, maybe empty), `color` as `#RRGGBB`. */
function validateData(value: unknown, colors: boolean): void {
  const data = requireObject(value, 'data');
  const keys = Object.keys(data);
  if (keys.length === 0) fail('data', m.tooFew(0, 1, 'keywords'));
  for (const key of keys) {
    const entry = requireObject(data[key], `data.${key}`);
    requireString(entry.value, `data.${key}.value`);
    if (!colors && entry.color !== undefined) fail(`data.${key}.color`, m.unknownField(['value']));
    if (
      entry.color !== undefined &&
      (typeof entry.color !== 'string' || !COLOR.test(entry.color))
    ) {
      fail(`data.${key}.color`, m.badPattern('a color as #RRGGBB'));
    }
  }
}

/** A template message: openid, template id, keywords, optional url, mini program, client_msg_id. */
export function validateWeChatTemplate(send: WeChatTemplateMessage): void {
  const s = requireArgument(send);
  requireText(s.toUser, 'touser');
  requireText(s.templateId, 'template_id');
  optionalText(s.url, 'url');
  validateMiniprogram(s.miniprogram);
  validateData(s.data, true);
  optionalText(s.clientMsgId, 'client_msg_id', undefined, false);
}

/** A subscribe message (bizsend): openid, template id, keywords (values only), page, mini program. */
export function validateWeChatSubscribe(send: WeChatSubscribeMessage): void {
  const s = requireArgument(send);
  requireText(s.toUser, 'touser');
  requireText(s.templateId, 'template_id');
  optionalText(s.page, 'page');
  validateMiniprogram(s.miniprogram);
  validateData(s.data, false);
}

/** A customer-service message: openid, a known msgtype and its fields, optional kf_account. */
export function validateWeChatCustom(send: WeChatCustomSend): WeChatCustomMessageType {
  const s = requireArgument(send);
  requireText(s.toUser, 'touser');
  const message = requireObject(s.message, 'message');
  const type = message.type;
  if (!(WECHAT_CUSTOM_MESSAGE_TYPES as readonly unknown[]).includes(type)) {
    fail('msgtype', m.unknownMsgtype(type, WECHAT_CUSTOM_MESSAGE_TYPES));
  }
  const msgtype = type as WeChatCustomMessageType;
  validateFields(WECHAT_CUSTOM_FIELDS[msgtype], message, msgtype);
  optionalText(s.kfAccount, 'customservice.kf_account', undefined, false);
  return msgtype;
}

/**
 * A mass send by openid list: 2 to 10,000 distinct openids, a known msgtype and its fields,
 * `clientmsgid` of at most 64 bytes.
 */
export function validateWeChatMass(send: WeChatMassSend): void {
  const s = requireArgument(send);
  const ids = requireArray(s.toUser, 'touser', 'openids', L.massMinRecipients, L.massMaxRecipients);
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    requireText(id, `touser[${i}]`);
    const first = seen.get(id as string);
    if (first !== undefined) fail(`touser[${i}]`, m.duplicate(first));
    seen.set(id as string, i);
  });
  const message = requireObject(s.message, 'message');
  const type = message.type;
  if (!(WECHAT_MASS_MESSAGE_TYPES as readonly unknown[]).includes(type)) {
    fail('msgtype', m.unknownMsgtype(type, WECHAT_MASS_MESSAGE_TYPES));
  }
  if (type === 'image') {
    requireArray(message.mediaIds, 'images.media_ids', 'images', 1).forEach((id, i) =>
      requireText(id, `images.media_ids[${i}]`),
    );
    validateFields(WECHAT_MASS_IMAGE_FIELDS, message, 'images');
  } else {
    validateFields(WECHAT_MASS_FIELDS[type as WeChatMassTabledType], message, String(type));
  }
  if (s.clientMsgId !== undefined) {
    requireText(s.clientMsgId, 'clientmsgid');
    maxBytes(s.clientMsgId as string, 'clientmsgid', L.clientMsgIdMaxBytes);
  }
  optionalBoolean(s.sendIgnoreReprint, 'send_ignore_reprint');
}
