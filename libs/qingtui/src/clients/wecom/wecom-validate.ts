import {
  fail,
  isJsonObject,
  type Json,
  maxBytes,
  optionalBoolean,
  requireArray,
  requireObject,
  requireText,
} from '../field-checks.js';
import { validateFields } from '../message-schema.js';
import { validationMessages as m } from '../qingtui-validation.messages.js';
import { WECOM_MESSAGE_LIMITS as L, WECOM_SAFE_MSGTYPES } from './wecom-api.limits.js';
import { WECOM_MESSAGE_FIELDS } from './wecom-message-fields.js';
import {
  WECOM_MESSAGE_TYPES,
  WECOM_TEMPLATE_CARD_TYPES,
  type WeComMessage,
  type WeComMessageType,
  type WeComSendOptions,
  type WeComTarget,
} from './wecom-message.interface.js';

/*
 * Checks of a WeCom send before anything is sent, defensive (values may come from untyped
 * JSON). Each throws the first problem as a `QingtuiValidationError` whose `field` is the path
 * in the platform's wire naming (`touser[3]`, `textcard.title`, `news.articles[0].url`).
 */

const TASK_ID = /^[A-Za-z0-9_\-@]+$/;
const DIGITS = /^\d{1,20}$/;

/** Member ids: non-blank, no `|` (the separator on the wire). */
function validateUserIds(value: unknown): void {
  if (value === '@all') return;
  const ids = requireArray(value, 'touser', 'userids', 1, L.maxUsers);
  ids.forEach((id, i) => {
    requireText(id, `touser[${i}]`);
    if ((id as string).includes('|')) fail(`touser[${i}]`, m.idWithBar());
  });
}

/** Department or tag ids: whole numbers, or strings of digits. */
function validateNumericIds(value: unknown, field: string, what: string, max: number): void {
  requireArray(value, field, what, 1, max).forEach((id, i) => {
    const ok =
      (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) ||
      (typeof id === 'string' && DIGITS.test(id));
    if (!ok) fail(`${field}[${i}]`, m.notDigits());
  });
}

/**
 * A target: at least one of `toUser` (1 to 1000 userids, or `'@all'`), `toParty` (≤ 100
 * department ids), `toTag` (≤ 100 tag ids).
 * @throws QingtuiValidationError (`field`: `touser`, `toparty[2]`...)
 */
export function validateWeComTarget(target: WeComTarget): void {
  const t = target as unknown;
  if (!isJsonObject(t)) fail('touser', m.noWecomTarget());
  if (t.toUser === undefined && t.toParty === undefined && t.toTag === undefined) {
    fail('touser', m.noWecomTarget());
  }
  if (t.toUser !== undefined) validateUserIds(t.toUser);
  if (t.toParty !== undefined) validateNumericIds(t.toParty, 'toparty', 'ids', L.maxParties);
  if (t.toTag !== undefined) validateNumericIds(t.toTag, 'totag', 'ids', L.maxTags);
}

/**
 * Send options: `safe` 0 or 1 (2 for mpnews) where the msgtype takes it, `enableIdTrans` a
 * boolean, `duplicateCheck.intervalSeconds` an integer from 1 to 14400.
 * @throws QingtuiValidationError (`field`: `safe`, `duplicate_check_interval`...)
 */
export function validateWeComOptions(options: WeComSendOptions, type: WeComMessageType): void {
  const o = options as unknown;
  if (!isJsonObject(o)) fail('options', m.notObject());
  if (o.safe !== undefined) {
    const allowed = type === 'mpnews' ? [0, 1, 2] : [0, 1];
    if (!allowed.includes(o.safe as number)) fail('safe', m.notOneOf(o.safe, allowed));
    if (o.safe !== 0 && !WECOM_SAFE_MSGTYPES.includes(type)) fail('safe', m.notSupportedFor(type));
  }
  optionalBoolean(o.enableIdTrans, 'enable_id_trans');
  if (o.duplicateCheck !== undefined) {
    const check = requireObject(o.duplicateCheck, 'enable_duplicate_check');
    const seconds = check.intervalSeconds;
    if (
      seconds !== undefined &&
      (typeof seconds !== 'number' ||
        !Number.isInteger(seconds) ||
        seconds < L.duplicateCheckMinSeconds ||
        seconds > L.duplicateCheckMaxSeconds)
    ) {
      fail(
        'duplicate_check_interval',
        m.notInteger(L.duplicateCheckMinSeconds, L.duplicateCheckMaxSeconds),
      );
    }
  }
}

/** A news article opens a link or a mini program page: `url`, or `appid` with `pagepath`. */
function validateNewsLinks(articles: Json[]): void {
  articles.forEach((article, i) => {
    const at = `news.articles[${i}]`;
    const program = article.appId !== undefined || article.pagePath !== undefined;
    if (program) {
      if (article.appId === undefined) fail(`${at}.appid`, m.requiredFor('a mini program page'));
      if (article.pagePath === undefined) {
        fail(`${at}.pagepath`, m.requiredFor('a mini program page'));
      }
    } else if (article.url === undefined) {
      fail(`${at}.url`, m.oneOfRequired(['url', 'appid with pagepath']));
    }
  });
}

function minChars(value: unknown, field: string, min: number): void {
  if (typeof value !== 'string') return;
  const length = [...value].length;
  if (length < min) fail(field, m.tooShort(length, min));
}

/**
 * A template card: a known `card_type`, and what each kind requires (`task_id` for the
 * interaction kinds, `card_action` for the notices, `main_title.title` or `sub_title_text` for
 * text_notice, the buttons, choice or selects of the interactive kinds).
 */
export function validateTemplateCard(card: unknown): void {
  const c = requireObject(card, 'template_card');
  const type = c.card_type;
  if (!(WECOM_TEMPLATE_CARD_TYPES as readonly unknown[]).includes(type)) {
    fail('template_card.card_type', m.notOneOf(type, WECOM_TEMPLATE_CARD_TYPES));
  }
  const interactive = type !== 'text_notice' && type !== 'news_notice';
  if (interactive || c.task_id !== undefined) {
    requireText(c.task_id, 'template_card.task_id');
    const taskId = c.task_id as string;
    if (!TASK_ID.test(taskId)) fail('template_card.task_id', m.badPattern('letters, digits, _-@'));
    maxBytes(taskId, 'template_card.task_id', L.taskIdMaxBytes);
  }
  const title =
    c.main_title === undefined
      ? undefined
      : requireObject(c.main_title, 'template_card.main_title');
  if (type === 'text_notice') {
    if (title?.title === undefined && c.sub_title_text === undefined) {
      fail(
        'template_card.main_title.title',
        m.oneOfRequired(['main_title.title', 'sub_title_text']),
      );
    }
  } else if (title === undefined) {
    fail('template_card.main_title', m.requiredFor(`${String(type)} cards`));
  }
  if (title?.title !== undefined) requireText(title.title, 'template_card.main_title.title');
  if (!interactive) requireObject(c.card_action, 'template_card.card_action');
  if (type === 'button_interaction') {
    requireArray(c.button_list, 'template_card.button_list', 'buttons', 1, L.maxCardButtons);
  }
  if (type === 'vote_interaction') requireObject(c.checkbox, 'template_card.checkbox');
  if (type === 'multiple_interaction') {
    requireArray(c.select_list, 'template_card.select_list', 'selects', 1, L.maxCardSelects);
  }
  if (type === 'vote_interaction' || type === 'multiple_interaction') {
    requireObject(c.submit_button, 'template_card.submit_button');
  }
}

/** The message's own fields and the rules across them. */
function validateWeComMessage(msg: Json, type: WeComMessageType): void {
  if (type === 'template_card') return validateTemplateCard(msg.card);
  validateFields(WECOM_MESSAGE_FIELDS[type], msg, type);
  if (type === 'news') validateNewsLinks(msg.articles as Json[]);
  if (type === 'miniprogram_notice') {
    minChars(msg.title, 'miniprogram_notice.title', L.noticeTitleMinChars);
    minChars(msg.description, 'miniprogram_notice.description', L.noticeTitleMinChars);
  }
}

/**
 * Checks a whole send before anything is sent: the msgtype, the message's fields (required
 * members, byte and character limits, 1 to 8 articles...), the target and the options.
 *
 * @returns the msgtype
 * @throws QingtuiValidationError on the first problem, `field` in wire naming
 */
export function validateWeComSend(
  message: WeComMessage,
  target: WeComTarget,
  options: WeComSendOptions = {},
): WeComMessageType {
  const msg = message as unknown;
  if (!isJsonObject(msg)) fail('message', m.notObject());
  const type = msg.type;
  if (!(WECOM_MESSAGE_TYPES as readonly unknown[]).includes(type)) {
    fail('msgtype', m.unknownMsgtype(type, WECOM_MESSAGE_TYPES));
  }
  const msgtype = type as WeComMessageType;
  validateWeComMessage(msg, msgtype);
  validateWeComTarget(target);
  validateWeComOptions(options, msgtype);
  return msgtype;
}
