/**
 * WeCom's errcodes as the sandbox answers them (developer.work.weixin.qq.com
 * global error codes, document 90313/90455; messages shortened).
 */
import type { PlatformError } from '../../shared/platform-error.js';

/** The envelope of every successful WeCom answer. */
export const WECOM_OK = { errcode: 0, errmsg: 'ok' } as const;

export const WECOM_ERRORS = {
  systemBusy: { errcode: -1, errmsg: 'system busy' },
  /** On gettoken: the corpsecret is wrong. Not retryable, unlike WeChat's 40001. */
  invalidSecret: { errcode: 40001, errmsg: 'invalid credential, the secret is invalid' },
  invalidCorpId: { errcode: 40013, errmsg: 'invalid corpid' },
  invalidAccessToken: { errcode: 40014, errmsg: 'invalid access_token' },
  missingAccessToken: { errcode: 41001, errmsg: 'access_token missing' },
  missingCorpId: { errcode: 41002, errmsg: 'corpid missing' },
  missingSecret: { errcode: 41004, errmsg: 'corpsecret missing' },
  accessTokenExpired: { errcode: 42001, errmsg: 'access_token expired' },
  requireGet: { errcode: 43001, errmsg: 'require GET method' },
  frequencyLimit: { errcode: 45009, errmsg: 'api freq out of limit' },
  invalidParameter: { errcode: 40058, errmsg: 'invalid parameter' },
  ipNotTrusted: { errcode: 60020, errmsg: 'not allow to access from your ip' },
  // message/send and message/recall
  requirePost: { errcode: 43002, errmsg: 'require POST method' },
  emptyPostBody: { errcode: 44002, errmsg: 'empty post data' },
  dataFormatError: { errcode: 47001, errmsg: 'data format error' },
  bodyTooLarge: { errcode: 45002, errmsg: 'content size out of limit' },
  invalidMediaId: { errcode: 40007, errmsg: 'invalid media_id' },
  invalidMsgType: { errcode: 40008, errmsg: 'invalid message type' },
  invalidUserIdListSize: { errcode: 40032, errmsg: 'invalid userid list size' },
  invalidParameterValue: { errcode: 40035, errmsg: 'invalid parameter' },
  invalidAgentId: { errcode: 40056, errmsg: 'invalid agentid' },
  newsNotSafe: { errcode: 40074, errmsg: 'news message does not support safe' },
  missingMediaId: { errcode: 41006, errmsg: 'media_id missing' },
  missingUrl: { errcode: 41010, errmsg: 'url missing' },
  missingAgentId: { errcode: 41011, errmsg: 'agentid missing' },
  missingTitle: { errcode: 41016, errmsg: 'title missing' },
  missingDescription: { errcode: 41033, errmsg: 'description missing' },
  emptyContent: { errcode: 44004, errmsg: 'empty content' },
  tooManyArticles: { errcode: 45008, errmsg: 'article size out of limit' },
  allRecipientsInvalid: { errcode: 81013, errmsg: 'user & party & tag all invalid' },
  invalidPartyListSize: { errcode: 82002, errmsg: 'invalid partyid list size' },
  invalidTagListSize: { errcode: 82003, errmsg: 'invalid tagid list size' },
  noAgentPrivilege: { errcode: 301002, errmsg: 'not allow to operate another agent' },
} as const satisfies Record<string, PlatformError>;

/** What a `/cgi-bin/gettoken` call can be refused with through the control API. */
export const WECOM_TOKEN_REFUSALS: ReadonlyMap<number, PlatformError> = new Map(
  [
    WECOM_ERRORS.systemBusy,
    WECOM_ERRORS.invalidSecret,
    WECOM_ERRORS.invalidCorpId,
    WECOM_ERRORS.frequencyLimit,
    WECOM_ERRORS.ipNotTrusted,
  ].map((error) => [error.errcode, error]),
);
