/*
 * The WeChat Official Account's message-send API (developers.weixin.qq.com: template messages,
 * subscribe messages, customer-service messages, mass sends): paths, errcodes and the documented
 * limits, checked before sending.
 */

export const WECHAT_MESSAGE_PATHS = {
  template: '/cgi-bin/message/template/send',
  subscribe: '/cgi-bin/message/subscribe/bizsend',
  custom: '/cgi-bin/message/custom/send',
  mass: '/cgi-bin/message/mass/send',
} as const;

export const WECHAT_MESSAGE_LIMITS = {
  /** Mass send by openid list: 2 to 10,000 openids. */
  massMinRecipients: 2,
  massMaxRecipients: 10_000,
  /** Mass send `clientmsgid`: at most 64 bytes. */
  clientMsgIdMaxBytes: 64,
  /** Customer-service `news`: one article only (more is errcode 45008). */
  customNewsArticles: 1,
} as const;

/** The errcodes of message sends the library names (others keep their number). */
export const WECHAT_MESSAGE_ERRCODES = {
  /** Customer service outside the 48 h after the user's last interaction. */
  outOfResponseTime: 45015,
  /** Subscribe message: the user's consent was used already (or never given). */
  subscribeConsentUsed: 43101,
  /** Mass send: this clientmsgid was sent within 24 h; the answer carries the first msg_id. */
  clientMsgIdExists: 45065,
  /** Mass send: the same clientmsgid was retried within a minute. */
  clientMsgIdRetriedTooFast: 45066,
} as const;
