/**
 * Paths of the Qingtui API calls made by `QingtuiClient`, and which message type can go to
 * which kind of target. No method of the client spells a path: they all come from here.
 * (The token paths live with the token lifecycle's Qingtui platform:
 * `platforms/qingtui/qingtui-platform.constants.ts`.)
 */

/** Kinds of recipients, as the last segment of a send path. */
export const QINGTUI_TARGET_KINDS = ['single', 'mass', 'service', 'channel'] as const;

/**
 * The send variants the platform offers per message type. textCard and keyValue have no
 * service (all followers) variant; process messages go to single users or lists only.
 */
export const QINGTUI_MESSAGE_SEND_TARGETS = {
  text: ['single', 'mass', 'service', 'channel'],
  image: ['single', 'mass', 'service', 'channel'],
  file: ['single', 'mass', 'service', 'channel'],
  rich: ['single', 'mass', 'service', 'channel'],
  textCard: ['single', 'mass', 'channel'],
  keyValue: ['single', 'mass', 'channel'],
  card: ['single', 'mass', 'service', 'channel'],
  news: ['single', 'mass', 'service', 'channel'],
  process: ['single', 'mass'],
} as const satisfies Record<string, readonly (typeof QINGTUI_TARGET_KINDS)[number][]>;

/** Every message type, in the order of the table above. */
export const QINGTUI_MESSAGE_TYPES = Object.keys(
  QINGTUI_MESSAGE_SEND_TARGETS,
) as readonly (keyof typeof QINGTUI_MESSAGE_SEND_TARGETS)[];

/**
 * API version of the news send paths. The Java SDK uses `v2`, the C# clients `v1`; we follow
 * the C# clients. Change it here only.
 */
export const QINGTUI_NEWS_API_VERSION = 'v1';

/** API version of every other message path. */
const MESSAGE_API_VERSION = 'v1';

/** Path of a message send: `/v1/message/{type}/send/{single|mass|service|channel}`. */
export function messageSendPath(
  type: keyof typeof QINGTUI_MESSAGE_SEND_TARGETS,
  target: (typeof QINGTUI_TARGET_KINDS)[number],
): string {
  const version = type === 'news' ? QINGTUI_NEWS_API_VERSION : MESSAGE_API_VERSION;
  return `/${version}/message/${type}/send/${target}`;
}

/** Other endpoints wrapped by the client. */
export const QINGTUI_API_PATHS = {
  /** POST `{msg_id, open_id}`: marks a to-do (process message) done. */
  processComplete: '/v1/message/process/complete',
  /** POST `{msg_id}`: delivery status of a message. */
  messageStatus: '/v1/message/status/get',
  /** POST multipart, field `media`, query `type=image|file`. */
  mediaUpload: '/v1/media/upload',
  /** GET `page_size`, `request_page`. */
  followers: '/v1/app/followers',
  /** GET `user_id` → `open_id`. */
  openIdByUserId: '/team/member/openid/get',
} as const;

/** Query and body parameter names of the non-message endpoints. */
export const QINGTUI_API_PARAMS = {
  mediaField: 'media',
  mediaType: 'type',
  pageSize: 'page_size',
  page: 'request_page',
  userId: 'user_id',
} as const;
