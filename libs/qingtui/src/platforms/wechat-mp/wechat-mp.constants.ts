/**
 * The WeChat Official Account platform (公众号, api.weixin.qq.com): host, token paths, errcodes
 * and documented limits (developers.weixin.qq.com: Get_access_token, getStableAccessToken,
 * API_Call_Limits, clear_quota, global error codes). With the rest of this folder it is all the
 * library knows of WeChat.
 */

/** Production host of the WeChat Official Account API. */
export const WECHAT_MP_DEFAULT_BASE_URL = 'https://api.weixin.qq.com';

export const WECHAT_MP_PATHS = {
  /** `GET ?grant_type=client_credential&appid&secret`: each call issues a new token. */
  token: '/cgi-bin/token',
  /** `POST {grant_type, appid, secret, force_refresh}`: the stable token, a namespace of its own. */
  stableToken: '/cgi-bin/stable_token',
  /** `POST {appid, appsecret}`: resets the day's call quota (10 a month). */
  clearQuota: '/cgi-bin/clear_quota/v2',
  /** The cheapest read with a token: used to confirm a reported rejection before renewing. */
  probe: '/cgi-bin/getcallbackip',
  /** `GET ?access_token&type=jsapi|wx_card`: a JS-SDK ticket. */
  ticket: '/cgi-bin/ticket/getticket',
} as const;

export const WECHAT_MP_ERRCODES = {
  systemBusy: -1,
  /** On business calls: invalid, or not the latest token. On token calls: a wrong AppSecret (old wording). */
  invalidCredential: 40001,
  invalidGrantType: 40002,
  invalidAppId: 40013,
  invalidAccessToken: 40014,
  invalidAppSecret: 40125,
  ipNotWhitelisted: 40164,
  appSecretFrozen: 40243,
  missingAccessToken: 41001,
  missingAppId: 41002,
  missingSecret: 41004,
  accessTokenExpired: 42001,
  /** Daily quota ("reach max api daily quota limit") or a frequency limit: told apart by errmsg. */
  dailyLimit: 45009,
  minuteLimit: 45011,
  clearQuotaLimit: 48006,
  ipNotWhitelistedGuide: 61004,
  /*
   * Risky-IP answers of the token endpoints. Source: the official access_token page's error
   * table (as quoted in ../shared/reference/wechat-wecom-tokens.md, row 89503): a call from a
   * risky IP needs the admin's approval (89503, and the admin gets a message); one rejection
   * blocks the IP for an hour, repeated ones for longer. The meanings of 89501/89506/89507 are
   * the widely copied texts of the same table, not verified here: 89501 the IP awaits the admin's
   * confirmation; 89507 rejected once within an hour (blocked 1 h); 89506 rejected twice within
   * 24 h (blocked 24 h).
   */
  riskyIpAwaiting: 89501,
  riskyIp: 89503,
  riskyIpRejectedTwice: 89506,
  riskyIpRejected: 89507,
} as const;

/** The documented rules, the defaults of `platformRules['wechat-mp']`. */
export const WECHAT_MP_RULES = {
  /** `/cgi-bin/token`: the previous token keeps working 5 minutes after a new one is issued. */
  tokenOverlapMs: 300_000,
  /** stable_token rotates itself once less than 5 minutes are left (its `expires_in` is never below). */
  stableRefreshWindowMs: 300_000,
  /** stable_token `force_refresh`: 20 a day... */
  forceRefreshDailyLimit: 20,
  /** ...at least 30 s apart (a closer call refreshes nothing). */
  forceRefreshMinIntervalMs: 30_000,
  /** `/cgi-bin/token` calls a day (test accounts: 200). */
  tokenDailyQuota: 2_000,
  /** `/cgi-bin/stable_token` calls a day. */
  stableDailyQuota: 500_000,
} as const;

/**
 * A 45009 errmsg that speaks of the day's quota ("reach max api daily quota limit", the
 * API_Call_Limits page) as opposed to a frequency limit (the older wording "api freq out of
 * limit", which wins when both appear).
 */
export const WECHAT_MP_DAILY_QUOTA_ERRMSG = /daily|day limit|quota/i;
export const WECHAT_MP_FREQUENCY_ERRMSG = /freq/i;

/**
 * After a rejection by the admin (89507) the platform blocks the IP for an hour, after two in a
 * day (89506) for 24 h; a retry sooner cannot succeed. While the admin has not answered (89503,
 * 89501) the usual credential back-off applies (30 s, doubling, up to an hour): an approval is
 * picked up within that back-off, and no hour is lost waiting on a confirmation already given.
 */
export const WECHAT_MP_RISKY_IP_REJECTED_HOLD_MS = 3_600_000;
export const WECHAT_MP_RISKY_IP_REJECTED_TWICE_HOLD_MS = 24 * 3_600_000;
/** After 40243, freezing or unfreezing an AppSecret takes about 10 minutes. */
export const WECHAT_MP_FROZEN_SECRET_HOLD_MS = 600_000;

/** Store key namespaces: classic tokens, and stable_token's own. */
export const WECHAT_MP_NAMESPACES = { classic: 'wechat-mp', stable: 'wechat-mp-stable' } as const;
