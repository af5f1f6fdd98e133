/*
 * WeCom's application-message API (developer.work.weixin.qq.com documents 90236 "发送应用消息",
 * 94867 "撤回应用消息"): paths and the documented limits, checked before sending.
 */

export const WECOM_MESSAGE_PATHS = {
  /** `POST ?access_token {touser|toparty|totag, msgtype, agentid, <msgtype>: {...}, ...}`. */
  send: '/cgi-bin/message/send',
  /** `POST ?access_token {msgid}`: recalls a message sent within 24 h. */
  recall: '/cgi-bin/message/recall',
} as const;

export const WECOM_MESSAGE_LIMITS = {
  /** `touser`: at most 1000 userids. */
  maxUsers: 1000,
  /** `toparty`, `totag`: at most 100 ids each. */
  maxParties: 100,
  maxTags: 100,
  /** `duplicate_check_interval`: seconds, at most 4 hours (platform default 1800). */
  duplicateCheckMinSeconds: 1,
  duplicateCheckMaxSeconds: 14_400,
  /** text and markdown `content`. */
  contentMaxBytes: 2048,
  /** Titles of video, textcard, news and mpnews. */
  titleMaxBytes: 128,
  /** Descriptions of video, textcard, news; mpnews digest. */
  descriptionMaxBytes: 512,
  urlMaxBytes: 2048,
  /** textcard `btntxt`. */
  buttonTextMaxChars: 4,
  /** news and mpnews: 1 to 8 articles. */
  maxArticles: 8,
  mpnewsAuthorMaxBytes: 64,
  /** mpnews `content`: 666 K bytes. */
  mpnewsContentMaxBytes: 666 * 1024,
  /** miniprogram_notice `title` and `description`: 4 to 12 characters. */
  noticeTitleMinChars: 4,
  noticeTitleMaxChars: 12,
  /** miniprogram_notice `content_item`: at most 10, key ≤ 10 and value ≤ 30 characters. */
  noticeMaxItems: 10,
  noticeKeyMaxChars: 10,
  noticeValueMaxChars: 30,
  /** template_card `task_id`. */
  taskIdMaxBytes: 128,
  /** template_card `button_list` (button_interaction): 1 to 6 buttons. */
  maxCardButtons: 6,
  /** template_card `select_list` (multiple_interaction): 1 to 3 selects. */
  maxCardSelects: 3,
} as const;

/** The msgtypes that take `safe` (2 for mpnews only). */
export const WECOM_SAFE_MSGTYPES: readonly string[] = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'mpnews',
];

/** The msgtypes sent without `agentid` (by a mini program bound to the company). */
export const WECOM_NO_AGENT_MSGTYPES: readonly string[] = ['miniprogram_notice'];

/** WeCom's errcode when every recipient was refused (none is valid). */
export const WECOM_ALL_RECIPIENTS_INVALID = 81013;
