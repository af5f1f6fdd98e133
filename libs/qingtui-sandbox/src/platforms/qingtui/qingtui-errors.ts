/**
 * Qingtui's errcode table. The sandbox plays the platform, so it owns the
 * codes and messages it answers with; they follow the official docs and the
 * Java SDK's `StatusCode` list.
 */
import type { PlatformError } from '../../shared/platform-error.js';

export { type PlatformError, platformError } from '../../shared/platform-error.js';

/** The envelope of every successful API answer (token grants excepted). */
export const PLATFORM_OK = { errcode: 0, errmsg: 'ok' } as const;

export const PLATFORM_ERRORS = {
  systemBusy: { errcode: -1, errmsg: 'system busy' },
  invalidGrantType: { errcode: 40002, errmsg: 'invalid credential type' },
  invalidOpenId: { errcode: 40003, errmsg: 'invalid openid' },
  invalidMediaType: { errcode: 40004, errmsg: 'invalid media type' },
  invalidFileSize: { errcode: 40006, errmsg: 'invalid file size' },
  invalidMediaId: { errcode: 40007, errmsg: 'invalid media_id' },
  invalidAccessToken: { errcode: 40014, errmsg: 'invalid access_token' },
  invalidOpenIdList: { errcode: 40031, errmsg: 'invalid openid list' },
  invalidOpenIdListSize: { errcode: 40032, errmsg: 'invalid openid list size' },
  invalidParameter: { errcode: 40035, errmsg: 'invalid parameter' },
  invalidRequestFormat: { errcode: 40038, errmsg: 'invalid request format' },
  invalidGroupId: { errcode: 40050, errmsg: 'invalid group id' },
  messageNotFound: { errcode: 40052, errmsg: 'message id does not exist' },
  unauthenticatedApp: { errcode: 40401, errmsg: 'appid or secret is unauthenticated' },
  invalidToken: { errcode: 40402, errmsg: 'invalid token' },
  missingAccessToken: { errcode: 41001, errmsg: 'access_token missing' },
  missingAppId: { errcode: 41002, errmsg: 'appid missing' },
  missingRefreshToken: { errcode: 41003, errmsg: 'refresh_token missing' },
  missingSecret: { errcode: 41004, errmsg: 'appsecret missing' },
  missingMedia: { errcode: 41005, errmsg: 'media data missing' },
  invalidRichMessage: { errcode: 41010, errmsg: 'rich message does not meet requirements' },
  accessTokenExpired: { errcode: 42001, errmsg: 'access_token expired' },
  requireGet: { errcode: 43001, errmsg: 'require GET method' },
  requirePost: { errcode: 43002, errmsg: 'require POST method' },
  receiverNotFollower: { errcode: 43004, errmsg: 'receiver must follow the app' },
  emptyMedia: { errcode: 44001, errmsg: 'empty media data' },
  emptyPostBody: { errcode: 44002, errmsg: 'empty post data' },
  emptyNews: { errcode: 44003, errmsg: 'empty news data' },
  emptyText: { errcode: 44004, errmsg: 'empty text content' },
  contentTooLong: { errcode: 45002, errmsg: 'content size out of limit' },
  titleTooLong: { errcode: 45003, errmsg: 'title size out of limit' },
  descriptionTooLong: { errcode: 45004, errmsg: 'description size out of limit' },
  rateLimited: { errcode: 45009, errmsg: 'api freq out of limit' },
  userNotFound: { errcode: 46004, errmsg: 'user does not exist' },
  jsonParseError: { errcode: 47001, errmsg: 'data format error' },
} as const satisfies Record<string, PlatformError>;
