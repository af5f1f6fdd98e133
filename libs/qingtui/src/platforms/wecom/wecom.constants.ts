/**
 * WeCom (企业微信, qyapi.weixin.qq.com): host, token paths and errcodes
 * (developer.work.weixin.qq.com documents 91039 gettoken, 90313/90455 global error codes,
 * 90664 trusted IPs). With the rest of this folder it is all the library knows of WeCom.
 */

/** Production host of the WeCom API. */
export const WECOM_DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';

export const WECOM_PATHS = {
  /** `GET ?corpid&corpsecret`: one token per app (secret); the same answer while it is valid. */
  token: '/cgi-bin/gettoken',
  /** The cheapest read with a token: used to confirm a reported rejection before renewing. */
  probe: '/cgi-bin/get_api_domain_ip',
} as const;

export const WECOM_ERRCODES = {
  systemBusy: -1,
  /** An invalid secret: a credential error, never retried (unlike WeChat's 40001). */
  invalidSecret: 40001,
  invalidCorpId: 40013,
  invalidAccessToken: 40014,
  missingAccessToken: 41001,
  missingCorpId: 41002,
  missingSecret: 41004,
  accessTokenExpired: 42001,
  /** A frequency limit ("api freq out of limit"). */
  frequencyLimit: 45009,
  /** The server's IP is not among the company's trusted IPs. */
  ipNotTrusted: 60020,
} as const;

/** A 45009 errmsg that speaks of a day's quota rather than of frequency. */
export const WECOM_DAILY_QUOTA_ERRMSG = /daily|day limit|quota/i;
