/**
 * WeChat's errcodes as the sandbox answers them (official error-code pages of
 * developers.weixin.qq.com; messages shortened, no `rid`).
 */
import type { PlatformError } from '../../shared/platform-error.js';

export const WECHAT_ERRORS = {
  systemBusy: { errcode: -1, errmsg: 'system error' },
  invalidCredential: {
    errcode: 40001,
    errmsg: 'invalid credential, access_token is invalid or not latest',
  },
  invalidGrantType: { errcode: 40002, errmsg: 'invalid grant_type' },
  invalidAppId: { errcode: 40013, errmsg: 'invalid appid' },
  invalidAccessToken: { errcode: 40014, errmsg: 'invalid access_token' },
  invalidAppSecret: { errcode: 40125, errmsg: 'invalid appsecret' },
  ipNotWhitelisted: { errcode: 40164, errmsg: 'invalid ip, not in whitelist' },
  appSecretFrozen: { errcode: 40243, errmsg: 'AppSecret is frozen' },
  missingAccessToken: { errcode: 41001, errmsg: 'access_token missing' },
  missingAppId: { errcode: 41002, errmsg: 'appid missing' },
  missingSecret: { errcode: 41004, errmsg: 'appsecret missing' },
  accessTokenExpired: { errcode: 42001, errmsg: 'access_token expired' },
  requireGet: { errcode: 43001, errmsg: 'require GET method' },
  requirePost: { errcode: 43002, errmsg: 'require POST method' },
  emptyPostBody: { errcode: 44002, errmsg: 'empty post data' },
  bodyTooLarge: { errcode: 45002, errmsg: 'content size out of limit' },
  dailyLimit: { errcode: 45009, errmsg: 'reach max api daily quota limit' },
  minuteLimit: {
    errcode: 45011,
    errmsg: 'api minute-quota reach limit, must slower, retry next minute',
  },
  dataFormatError: { errcode: 47001, errmsg: 'data format error' },
  invalidArgs: { errcode: 40097, errmsg: 'invalid args' },
  clearQuotaLimit: {
    errcode: 48006,
    errmsg: 'forbid to clear quota because of reaching the limit',
  },
  riskyIp: { errcode: 89503, errmsg: 'risky ip, the call needs the administrator to confirm' },
  // message sends
  invalidOpenId: { errcode: 40003, errmsg: 'invalid openid' },
  invalidMediaId: { errcode: 40007, errmsg: 'invalid media_id' },
  invalidMessageType: { errcode: 40008, errmsg: 'invalid message type' },
  invalidTemplateId: { errcode: 40037, errmsg: 'invalid template_id' },
  invalidOpenIdListSize: {
    errcode: 40130,
    errmsg: 'invalid openid list size, at least two openid',
  },
  userRefused: { errcode: 43101, errmsg: 'user refuse to accept the msg' },
  emptyNews: { errcode: 44003, errmsg: 'empty news data' },
  emptyContent: { errcode: 44004, errmsg: 'empty content' },
  outOfTimeLimit: {
    errcode: 45015,
    errmsg: 'response out of time limit or subscription is canceled',
  },
  clientMsgIdExists: { errcode: 45065, errmsg: 'clientmsgid exist' },
  clientMsgIdTooFast: {
    errcode: 45066,
    errmsg: 'same clientmsgid retry too fast, retry after 1 minute',
  },
  clientMsgIdTooLong: { errcode: 45067, errmsg: 'clientmsgid size out of limit' },
  argumentInvalid: { errcode: 47003, errmsg: 'argument invalid!' },
} as const satisfies Record<string, PlatformError>;

/** What a token fetch (`/cgi-bin/token`, `/cgi-bin/stable_token`) can be refused with through the control API. */
export const WECHAT_TOKEN_REFUSALS: ReadonlyMap<number, PlatformError> = new Map(
  [
    WECHAT_ERRORS.systemBusy,
    WECHAT_ERRORS.invalidAppId,
    WECHAT_ERRORS.invalidAppSecret,
    WECHAT_ERRORS.ipNotWhitelisted,
    WECHAT_ERRORS.appSecretFrozen,
    WECHAT_ERRORS.dailyLimit,
    WECHAT_ERRORS.minuteLimit,
    WECHAT_ERRORS.riskyIp,
  ].map((error) => [error.errcode, error]),
);
