/*
 * WeCom (企业微信) application messages, `POST /cgi-bin/message/send` (developer.work.weixin.qq.com
 * document 90236): the typed shapes the `WeComClient` takes and answers. Field names are
 * camelCase here; the client sends the platform's snake_case (`wecom-message-fields.ts`).
 */

/** The `msgtype`s of `message/send`, as the platform spells them. */
export const WECOM_MESSAGE_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
] as const;

export type WeComMessageType = (typeof WECOM_MESSAGE_TYPES)[number];

export interface WeComTextMessage {
  type: 'text';
  /** At most 2048 bytes (UTF-8); may hold line breaks and `<a href>` links. */
  content: string;
}

/** An image, voice or file uploaded to WeCom's temporary media (`/cgi-bin/media/upload`). */
export interface WeComMediaMessage<T extends 'image' | 'voice' | 'file'> {
  type: T;
  mediaId: string;
}

export interface WeComVideoMessage {
  type: 'video';
  mediaId: string;
  /** At most 128 bytes. */
  title?: string;
  /** At most 512 bytes. */
  description?: string;
}

export interface WeComTextCardMessage {
  type: 'textcard';
  /** At most 128 bytes. */
  title: string;
  /** At most 512 bytes; may hold WeCom's `<div class="gray">` markup. */
  description: string;
  /** Where a tap leads, at most 2048 bytes, with its `http(s)://`. */
  url: string;
  /** Button text, at most 4 characters (default 详情). */
  btnTxt?: string;
}

/** One article of a `news` message: a link (`url`) or a mini program page (`appId` + `pagePath`). */
export interface WeComNewsArticle {
  /** At most 128 bytes. */
  title: string;
  /** At most 512 bytes. */
  description?: string;
  /** At most 2048 bytes; required unless `appId` and `pagePath` are given. */
  url?: string;
  /** Image URL (JPG, PNG; 1068×455 large, 150×150 small). */
  picUrl?: string;
  /** A mini program of the company; with `pagePath`, the article opens it instead of `url`. */
  appId?: string;
  pagePath?: string;
}

export interface WeComNewsMessage {
  type: 'news';
  /** 1 to 8 articles. */
  articles: readonly WeComNewsArticle[];
}

/** One article of an `mpnews` message (its content is stored by WeCom). */
export interface WeComMpNewsArticle {
  /** At most 128 bytes. */
  title: string;
  /** Cover image, a permanent or temporary media id. */
  thumbMediaId: string;
  /** At most 64 bytes. */
  author?: string;
  /** The "read the original" link. */
  contentSourceUrl?: string;
  /** HTML body, at most 666 K bytes. */
  content: string;
  /** At most 512 bytes. */
  digest?: string;
}

export interface WeComMpNewsMessage {
  type: 'mpnews';
  /** 1 to 8 articles. */
  articles: readonly WeComMpNewsArticle[];
}

export interface WeComMarkdownMessage {
  type: 'markdown';
  /** WeCom's markdown subset, at most 2048 bytes. */
  content: string;
}

export interface WeComMiniprogramNoticeItem {
  /** At most 10 characters. */
  key: string;
  /** At most 30 characters. */
  value: string;
}

/**
 * A mini program notice: sent by a mini program bound to the company, so it carries no
 * `agentid` (and no `safe`).
 */
export interface WeComMiniprogramNoticeMessage {
  type: 'miniprogram_notice';
  /** The mini program's AppID. */
  appId: string;
  /** Its page to open (may carry a query). */
  page?: string;
  /** 4 to 12 characters. */
  title: string;
  /** 4 to 12 characters. */
  description?: string;
  /** Whether the first item is emphasized. */
  emphasisFirstItem?: boolean;
  /** At most 10 items. */
  contentItem?: readonly WeComMiniprogramNoticeItem[];
}

/** The kinds of template card. */
export const WECOM_TEMPLATE_CARD_TYPES = [
  'text_notice',
  'news_notice',
  'button_interaction',
  'vote_interaction',
  'multiple_interaction',
] as const;

export type WeComTemplateCardType = (typeof WECOM_TEMPLATE_CARD_TYPES)[number];

/**
 * A template card in the platform's own wire naming (its nested shape is large and evolves):
 * `card_type` and the members each kind requires are checked before sending, the rest is sent
 * as given.
 */
export interface WeComTemplateCard {
  card_type: WeComTemplateCardType;
  /** Required by the interaction kinds: at most 128 bytes of letters, digits, `_`, `-`, `@`. */
  task_id?: string;
  main_title?: { title?: string; desc?: string };
  sub_title_text?: string;
  /** Required by `text_notice` and `news_notice`: `{ type: 1, url }` or `{ type: 2, appid, pagepath }`. */
  card_action?: Record<string, unknown>;
  /** `button_interaction`: 1 to 6 buttons. */
  button_list?: readonly Record<string, unknown>[];
  /** `vote_interaction`: the choice. */
  checkbox?: Record<string, unknown>;
  /** `multiple_interaction`: 1 to 3 selects. */
  select_list?: readonly Record<string, unknown>[];
  /** `vote_interaction`, `multiple_interaction`: the submit button. */
  submit_button?: Record<string, unknown>;
  [member: string]: unknown;
}

export interface WeComTemplateCardMessage {
  type: 'template_card';
  card: WeComTemplateCard;
}

/** A message of `message/send`, by its `msgtype`. */
export type WeComMessage =
  | WeComTextMessage
  | WeComMediaMessage<'image'>
  | WeComMediaMessage<'voice'>
  | WeComVideoMessage
  | WeComMediaMessage<'file'>
  | WeComTextCardMessage
  | WeComNewsMessage
  | WeComMpNewsMessage
  | WeComMarkdownMessage
  | WeComMiniprogramNoticeMessage
  | WeComTemplateCardMessage;

/** The members of a message of type `T`, without `type` (the argument of `sendTextCard()`...). */
export type WeComMessageBody<T extends WeComMessageType> = Omit<
  Extract<WeComMessage, { type: T }>,
  'type'
>;

/**
 * Who receives the message: at least one of the three. With `toUser: '@all'` every member in
 * the app's visible range receives it and `toParty` / `toTag` are ignored by the platform.
 */
export interface WeComTarget {
  /** Member userids (1 to 1000), or `'@all'`. */
  toUser?: readonly string[] | '@all';
  /** Department ids (at most 100). */
  toParty?: readonly (string | number)[];
  /** Tag ids (at most 100). */
  toTag?: readonly (string | number)[];
}

/** Send options of `message/send`. */
export interface WeComSendOptions {
  /**
   * 1: confidential (no sharing, watermarked); 2 (mpnews only): shared within the company only.
   * For text, image, voice, video, file, textcard and mpnews.
   * @default 0
   */
  safe?: 0 | 1 | 2;
  /** Translate ids in the content (`$userName=…$`, `$departmentName=…$`). @default false */
  enableIdTrans?: boolean;
  /**
   * Ask WeCom not to deliver the same request JSON twice within `intervalSeconds` (1 to 14400,
   * the platform's default 1800): `enable_duplicate_check: 1`, `duplicate_check_interval`.
   */
  duplicateCheck?: { intervalSeconds?: number };
}

/** One send, as `fromWeComWire()` reads it from the platform's JSON. */
export interface WeComSendRequest {
  message: WeComMessage;
  target: WeComTarget;
  options: WeComSendOptions;
}

/**
 * The answer of a send. WeCom answers errcode 0 when some recipients were refused: they are
 * listed here (never dropped); all of them refused is errcode 81013, a `QingtuiApiError`.
 */
export interface WeComSendResult {
  /** Id of the message, for `recall()` within 24 h. */
  msgId: string;
  /** Userids that do not exist or are outside the app's visible range. */
  invalidUsers: string[];
  /** Department ids that do not exist or are outside the visible range. */
  invalidParties: string[];
  /** Tag ids that do not exist or are outside the visible range. */
  invalidTags: string[];
  /** Userids without a license for the app (the account's interoperability licence). */
  unlicensedUsers: string[];
  /** Template cards with buttons: the code to update the card (valid 72 h), when given. */
  responseCode?: string;
}
