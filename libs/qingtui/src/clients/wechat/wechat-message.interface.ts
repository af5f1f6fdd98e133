/*
 * WeChat Official Account (公众号) message sends: template messages, subscribe messages
 * (bizsend), customer-service messages and mass sends by openid list. The typed shapes the
 * `WeChatClient` takes and answers; it sends the platform's snake_case
 * (`wechat-message-fields.ts`, `wechat-wire.ts`).
 */

/** A mini program page a message opens (`{appid, pagepath}` on the wire). */
export interface WeChatMiniprogramLink {
  /** The mini program's AppID (bound to the account). */
  appId: string;
  /** Its page, with a query if needed. */
  pagePath?: string;
}

/** One keyword of a template: `{ "value": "…", "color": "#173177" }` on the wire. */
export interface WeChatTemplateValue {
  value: string;
  /** `#RRGGBB` (template messages; no longer shown by every client). */
  color?: string;
}

/** `POST /cgi-bin/message/template/send`. */
export interface WeChatTemplateMessage {
  /** The follower's openid. */
  toUser: string;
  templateId: string;
  /** Page opened on tap (ignored when `miniprogram` opens). */
  url?: string;
  miniprogram?: WeChatMiniprogramLink;
  /** The template's keywords (`keyword1`, `thing2`...). At least one. */
  data: Readonly<Record<string, WeChatTemplateValue>>;
  /**
   * WeChat sends one message per openid + `clientMsgId` within 10 minutes: pass one to make a
   * retry of this send safe (`client_msg_id`).
   */
  clientMsgId?: string;
}

/**
 * `POST /cgi-bin/message/subscribe/bizsend`: one send per consent of the user (a second one
 * is errcode 43101).
 */
export interface WeChatSubscribeMessage {
  toUser: string;
  templateId: string;
  /** Web page opened on tap. */
  page?: string;
  miniprogram?: WeChatMiniprogramLink;
  /** The template's keywords; their values only (`{ value }`). At least one. */
  data: Readonly<Record<string, { value: string }>>;
}

/** The msgtypes of `POST /cgi-bin/message/custom/send`. */
export const WECHAT_CUSTOM_MESSAGE_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'music',
  'news',
  'mpnews',
  'msgmenu',
  'wxcard',
  'miniprogrampage',
] as const;

export type WeChatCustomMessageType = (typeof WECHAT_CUSTOM_MESSAGE_TYPES)[number];

/** A link article of a customer-service `news` message (exactly one is allowed). */
export interface WeChatCustomNewsArticle {
  title: string;
  description?: string;
  url: string;
  picUrl?: string;
}

/** One choice of a `msgmenu` message. */
export interface WeChatMenuItem {
  id: string;
  content: string;
}

/** A customer-service message, by msgtype. */
export type WeChatCustomMessage =
  | { type: 'text'; content: string }
  | { type: 'image'; mediaId: string }
  | { type: 'voice'; mediaId: string }
  | {
      type: 'video';
      mediaId: string;
      thumbMediaId?: string;
      title?: string;
      description?: string;
    }
  | {
      type: 'music';
      title?: string;
      description?: string;
      musicUrl: string;
      hqMusicUrl: string;
      thumbMediaId: string;
    }
  | { type: 'news'; articles: readonly WeChatCustomNewsArticle[] }
  | { type: 'mpnews'; mediaId: string }
  | { type: 'msgmenu'; headContent?: string; list: readonly WeChatMenuItem[]; tailContent?: string }
  | { type: 'wxcard'; cardId: string }
  | {
      type: 'miniprogrampage';
      title: string;
      appId: string;
      pagePath: string;
      thumbMediaId: string;
    };

/**
 * `POST /cgi-bin/message/custom/send`: only within 48 h of the user's last interaction
 * (otherwise errcode 45015).
 */
export interface WeChatCustomSend {
  toUser: string;
  message: WeChatCustomMessage;
  /** Send as this customer-service account (`customservice.kf_account`). */
  kfAccount?: string;
}

/** The msgtypes of `POST /cgi-bin/message/mass/send` (by openid list). */
export const WECHAT_MASS_MESSAGE_TYPES = [
  'mpnews',
  'text',
  'voice',
  'image',
  'mpvideo',
  'wxcard',
] as const;

export type WeChatMassMessageType = (typeof WECHAT_MASS_MESSAGE_TYPES)[number];

/** A mass-send message, by msgtype. */
export type WeChatMassMessage =
  | { type: 'mpnews'; mediaId: string }
  | { type: 'text'; content: string }
  | { type: 'voice'; mediaId: string }
  | {
      type: 'image';
      /** The images' media ids (`images.media_ids`). */
      mediaIds: readonly string[];
      recommend?: string;
      needOpenComment?: boolean;
      onlyFansCanComment?: boolean;
    }
  | { type: 'mpvideo'; mediaId: string; title?: string; description?: string }
  | { type: 'wxcard'; cardId: string };

/** `POST /cgi-bin/message/mass/send`. */
export interface WeChatMassSend {
  /** 2 to 10,000 distinct openids. */
  toUser: readonly string[];
  message: WeChatMassMessage;
  /**
   * WeChat refuses a second mass send with the same `clientmsgid` within 24 h (45065, read here
   * as success with the first `msg_id`). At most 64 bytes.
   */
  clientMsgId?: string;
  /** mpnews: send even when the article is judged a reprint (`send_ignore_reprint: 1`). */
  sendIgnoreReprint?: boolean;
}

/** The answer of a template send. */
export interface WeChatTemplateResult {
  msgId: string;
}

/** The answer of a subscribe send (WeChat may give no msgid). */
export interface WeChatSubscribeResult {
  msgId?: string;
}

/** The answer of a mass send. */
export interface WeChatMassResult {
  msgId: string;
  /** The id of the article's data (mpnews), when given. */
  msgDataId?: string;
  /**
   * True when WeChat answered 45065: this `clientMsgId` was already sent within 24 h; `msgId`
   * is the first send's. Nothing new was delivered.
   */
  alreadySent: boolean;
}

/** One send as `fromWeChatWire()` reads it: the API (`kind`) and its typed request. */
export type WeChatSendRequest =
  | { kind: 'template'; send: WeChatTemplateMessage }
  | { kind: 'subscribe'; send: WeChatSubscribeMessage }
  | { kind: 'custom'; send: WeChatCustomSend }
  | { kind: 'mass'; send: WeChatMassSend };

export type WeChatSendKind = WeChatSendRequest['kind'];

/** The four send APIs, as `fromWeChatWire()` and the server's `"kind"` name them. */
export const WECHAT_SEND_KINDS: readonly WeChatSendKind[] = [
  'template',
  'subscribe',
  'custom',
  'mass',
];

/** The answer of `WeChatClient.send()`, by the API it called. */
export type WeChatSendAnswer =
  | ({ kind: 'template' } & WeChatTemplateResult)
  | ({ kind: 'subscribe' } & WeChatSubscribeResult)
  | { kind: 'custom' }
  | ({ kind: 'mass' } & WeChatMassResult);
