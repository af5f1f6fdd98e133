import type { QINGTUI_COLORS } from '../clients/qingtui-api.limits.js';
import type {
  QINGTUI_MESSAGE_SEND_TARGETS,
  QINGTUI_TARGET_KINDS,
} from '../clients/qingtui-api.paths.js';

/*
 * Messages and results of `QingtuiClient`. Field names are the camelCase forms of the
 * platform's snake_case wire fields (`buttonText` is sent as `button_text`, `contentList` as
 * `content_list`...), with the same nesting.
 */

/** Message types the platform can send. */
export type QingtuiMessageType = keyof typeof QINGTUI_MESSAGE_SEND_TARGETS;

/** single (`to_user`), mass (`to_users`), service (all followers), channel (`channel_id`). */
export type QingtuiTargetKind = (typeof QINGTUI_TARGET_KINDS)[number];

/** The target kinds a message type can be sent to. */
export type QingtuiTargetKindOf<T extends QingtuiMessageType> =
  (typeof QINGTUI_MESSAGE_SEND_TARGETS)[T][number];

/** Text color of card lines, values, sub-titles and footers. */
export type QingtuiColor = (typeof QINGTUI_COLORS)[number];

// ---------------------------------------------------------------- targets

/** One user, by openid (`to_user`). */
export interface QingtuiSingleTarget {
  toUser: string;
  toUsers?: never;
  channelId?: never;
  allFollowers?: never;
}

/** 1 to 50 users, by openid (`to_users`). A repeated openid is refused. */
export interface QingtuiMassTarget {
  toUsers: readonly string[];
  toUser?: never;
  channelId?: never;
  allFollowers?: never;
}

/** A group chat the app's bot is in (`channel_id`). */
export interface QingtuiChannelTarget {
  channelId: string;
  toUser?: never;
  toUsers?: never;
  allFollowers?: never;
}

/** Every follower of the app (the platform's "service" send). */
export interface QingtuiServiceTarget {
  allFollowers: true;
  toUser?: never;
  toUsers?: never;
  channelId?: never;
}

/** Who receives a message. */
export type QingtuiTarget =
  QingtuiSingleTarget | QingtuiMassTarget | QingtuiChannelTarget | QingtuiServiceTarget;

/** Target type per target kind. */
export interface QingtuiTargetsByKind {
  single: QingtuiSingleTarget;
  mass: QingtuiMassTarget;
  service: QingtuiServiceTarget;
  channel: QingtuiChannelTarget;
}

/** The targets a message type accepts (no `allFollowers` for textCard, keyValue, process...). */
export type QingtuiTargetFor<T extends QingtuiMessageType> =
  QingtuiTargetsByKind[QingtuiTargetKindOf<T>];

// ---------------------------------------------------------------- messages

/** Plain text. */
export interface QingtuiTextMessage {
  type: 'text';
  /** Not empty. */
  content: string;
}

/** An image uploaded with `uploadMedia('image', ...)`. */
export interface QingtuiImageMessage {
  type: 'image';
  mediaId: string;
}

/** A file uploaded with `uploadMedia('file', ...)`. */
export interface QingtuiFileMessage {
  type: 'file';
  mediaId: string;
}

/** An uploaded medium inside a rich message. */
export interface QingtuiRichMedia {
  name?: string;
  mediaId: string;
}

/** A link inside a rich message. */
export interface QingtuiRichLink {
  name?: string;
  url: string;
}

/** Rich text with images, links and an attachment. */
export interface QingtuiRichMessage {
  type: 'rich';
  title: string;
  body?: string;
  /** Time shown on the message, epoch ms. */
  xtime?: number;
  imgList?: readonly QingtuiRichMedia[];
  urlList?: readonly QingtuiRichLink[];
  attachment?: QingtuiRichMedia;
}

/** One line of a text card. */
export interface QingtuiTextCardLine {
  /** At most 200 characters. */
  text: string;
  attr?: { color?: QingtuiColor };
}

/** Title, lines of text and a button. No service (all followers) variant. */
export interface QingtuiTextCardMessage {
  type: 'textCard';
  /** At most 45 characters. */
  title: string;
  /** Opened by the button. */
  url?: string;
  /** At most 6 characters. @default '详情' (platform side) */
  buttonText?: string;
  contentList: readonly QingtuiTextCardLine[];
}

/** A colored line of a key-value card (sub-title, footer). */
export interface QingtuiColorText {
  text: string;
  color?: QingtuiColor;
}

/** One pair of a key-value card. */
export interface QingtuiKeyValuePair {
  /** At most 8 characters. */
  key: string;
  /** At most 45 characters. */
  value: string;
  valueColor?: QingtuiColor;
}

/** Title and up to 6 key-value pairs. No service (all followers) variant. */
export interface QingtuiKeyValueMessage {
  type: 'keyValue';
  /** At most 45 characters. */
  title: string;
  subTitle?: QingtuiColorText;
  url?: string;
  /** 1 to 6 pairs. */
  content: readonly QingtuiKeyValuePair[];
  footer?: QingtuiColorText;
  /** At most 6 characters. */
  buttonText?: string;
}

/** An interactive card. */
export interface QingtuiCardMessage {
  type: 'card';
  /** The card: an object (serialized for you) or its JSON text. */
  content: string | Record<string, unknown>;
}

/** One article of a news message. */
export interface QingtuiNewsArticle {
  /** At most 45 characters. */
  title: string;
  url?: string;
  /** Summary, at most 120 characters. */
  content?: string;
  /** media_id of an uploaded image. */
  thumbMediaId?: string;
  author?: string;
  /** Epoch ms. */
  time?: number;
  /** Sent as 1/0. */
  showCoverPic?: boolean;
}

/** One or more articles (图文). */
export interface QingtuiNewsMessage {
  type: 'news';
  /** At least one article. */
  articleList: readonly QingtuiNewsArticle[];
}

/** A to-do (待办), completed later with `completeProcess(msgId, openId)`. Single or mass only. */
export interface QingtuiProcessMessage {
  type: 'process';
  title: string;
  body?: string;
  url: string;
}

/** Any message the client can send, discriminated by `type`. */
export type QingtuiMessage =
  | QingtuiTextMessage
  | QingtuiImageMessage
  | QingtuiFileMessage
  | QingtuiRichMessage
  | QingtuiTextCardMessage
  | QingtuiKeyValueMessage
  | QingtuiCardMessage
  | QingtuiNewsMessage
  | QingtuiProcessMessage;

/** A message without its `type`, as taken by the `sendXxx` shortcuts. */
export type QingtuiMessageBody<T extends QingtuiMessageType> = Omit<
  Extract<QingtuiMessage, { type: T }>,
  'type'
>;

// ---------------------------------------------------------------- results

/** One message id; `openId` is set when the platform names the recipient (process mass). */
export interface QingtuiSentMessageId {
  openId?: string;
  msgId: string;
}

/** Ids of a sent message. */
export interface QingtuiSendResult {
  /** The message id (the first one when the platform returns one per recipient). */
  msgId: string;
  /** Every id returned: one entry, or one per recipient for a process mass send. */
  msgIds: QingtuiSentMessageId[];
}

/** Delivery state of a message. */
export type QingtuiMessageSendStatus = 'SEND_SUCCESS' | 'SEND_FAILED' | 'SENDING';

/** Answer of `getMessageStatus()`. */
export interface QingtuiMessageStatus {
  msgId: string;
  status: QingtuiMessageSendStatus;
  /** Progress reported by the platform (a fraction or a percentage, as sent). */
  rate: number;
}

/** Media types of `uploadMedia()`. */
export type QingtuiMediaType = 'image' | 'file';

/** Answer of `uploadMedia()`. */
export interface QingtuiMediaUploadResult {
  mediaId: string;
  type: QingtuiMediaType;
  /** Epoch ms (the local time of the answer if the platform omits it). */
  createdAt: number;
}

/** Page selection of `getFollowers()`. */
export interface QingtuiFollowersQuery {
  /** 1 to 100. @default 100 */
  pageSize?: number;
  /** From 1. @default 1 */
  page?: number;
}

/** One page of the app's followers. */
export interface QingtuiFollowersPage {
  /** openids. */
  followers: string[];
  hasMore: boolean;
  totalCount: number;
}

/** Options of the generic `QingtuiClient.request()`. */
export interface QingtuiRawRequestOptions {
  /** Query parameters (`access_token` is added for you). */
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON body. */
  body?: unknown;
  /**
   * Whether re-sending after an unknown outcome is harmless.
   * @default true for GET, false otherwise
   */
  idempotent?: boolean;
}
