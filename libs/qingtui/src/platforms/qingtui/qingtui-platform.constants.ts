/**
 * The Qingtui platform's token wire format: host, token paths, parameters and errcodes. With the
 * rest of this folder (errcode classes, token fetcher, refresh_token seal, platform definition)
 * it is all the token lifecycle knows of Qingtui. The typed client's API paths and message
 * limits live with the client (`clients/`).
 */

/**
 * Production host of the Qingtui open platform: the one of the official "开始开发" page (seed
 * 000: `https://open.qingtui.cn/v1/token`, `https://open.qingtui.cn/auth/autoRefreshToken`).
 * Several SDKs default to `https://open.qingtui.com` (../shared/reference/qingtui-open-api.md
 * §1); the official page wins. Set `baseUrl` for another host.
 */
export const QINGTUI_DEFAULT_BASE_URL = 'https://open.qingtui.cn';

export const QINGTUI_PATHS = {
  token: '/v1/token',
  refreshToken: '/auth/autoRefreshToken',
  /** The cheapest read with a token: used to confirm a reported rejection before renewing. */
  probe: '/v1/app/followers',
  /** `GET ?access_token`: the JS-SDK ticket (`ticket`, `expires_in`). */
  ticket: '/js/ticket/get',
} as const;

/**
 * 45009 is "API call limit exceeded (rate or quota)" (the official global error codes page, D in
 * ../shared/reference/qingtui-open-api.md); no Qingtui document gives the errmsg of either case
 * (the "reach max api daily quota limit" text is WeChat's). So the text alone never decides:
 * on `/v1/token`, where the documented 2 s rule applies (seed 000: "每2秒内只能调用1次"), a 45009
 * is a rate limit whatever it says (the library's own count of the day stops token calls at the
 * quota); on the other endpoints, which have no such rule, a 45009 whose errmsg speaks of the
 * day or the quota is the daily quota, any other a rate limit.
 */
export const QINGTUI_DAILY_QUOTA_ERRMSG = /daily|quota|day limit/i;

/** Minimum spacing between two `/v1/token` calls for one app (platform rule). */
export const QINGTUI_TOKEN_MIN_INTERVAL_MS = 2_000;

/** refresh_token lifetime documented by the platform. */
export const QINGTUI_REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;

export const QINGTUI_ERRCODES = {
  ok: 0,
  systemBusy: -1,
  /** Wrong AppSecret on `/v1/token`, invalid access_token anywhere else. */
  invalidCredentialOrToken: 40001,
  invalidGrantType: 40002,
  invalidAppId: 40013,
  invalidAccessToken: 40014,
  invalidRefreshToken: 40030,
  invalidParameter: 40035,
  invalidRequestFormat: 40038,
  unauthenticatedApp: 40401,
  invalidToken: 40402,
  missingAccessToken: 41001,
  missingAppId: 41002,
  missingRefreshToken: 41003,
  missingSecret: 41004,
  accessTokenExpired: 42001,
  refreshTokenExpired: 42002,
  rateLimited: 45009,
  jsonParseError: 47001,
  insufficientBalance: 70003,
  overPerCallMaximum: 70004,
} as const;

const E = QINGTUI_ERRCODES;

/** Bad AppID/AppSecret on `/v1/token`: never retried, the configuration must change. */
export const QINGTUI_CREDENTIAL_ERRCODES: ReadonlySet<number> = new Set([
  E.unauthenticatedApp,
  E.invalidAppId,
  E.invalidCredentialOrToken,
  E.missingAppId,
  E.missingSecret,
  E.invalidGrantType,
]);

/** The refresh_token cannot be used any more: fall back to `/v1/token`. */
export const QINGTUI_REFRESH_TOKEN_ERRCODES: ReadonlySet<number> = new Set([
  E.invalidToken,
  E.invalidRefreshToken,
  E.refreshTokenExpired,
  E.missingRefreshToken,
]);

/**
 * On any endpoint other than `/v1/token`: the access_token was not accepted.
 * The caller reports the token as stale and retries once with the new one.
 */
export const QINGTUI_TOKEN_INVALID_ERRCODES: ReadonlySet<number> = new Set([
  E.invalidCredentialOrToken,
  E.invalidAccessToken,
  E.accessTokenExpired,
  E.invalidToken,
  E.missingAccessToken,
]);

/** Call limit (rate or daily quota): back off, do not hammer. */
export const QINGTUI_RATE_LIMIT_ERRCODES: ReadonlySet<number> = new Set([E.rateLimited]);

/** Billing quota exhausted: retrying cannot help today. */
export const QINGTUI_QUOTA_ERRCODES: ReadonlySet<number> = new Set([
  E.insufficientBalance,
  E.overPerCallMaximum,
]);

/** The platform says it is busy: safe to retry with backoff. */
export const QINGTUI_TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([E.systemBusy]);

/** Daily call quotas of the editions of seed 000 (undefined: unlimited). */
export const QINGTUI_EDITION_QUOTAS = {
  'free-unverified': 300,
  'free-verified': 2000,
  enterprise: undefined,
} as const;
