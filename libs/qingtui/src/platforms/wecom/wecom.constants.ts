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
  /** `GET ?access_token`: the company's JS-SDK ticket (`wx.config`). */
  jsapiTicket: '/cgi-bin/get_jsapi_ticket',
  /** `GET ?access_token&type=agent_config`: the app's ticket (`wx.agentConfig`). */
  agentTicket: '/cgi-bin/ticket/get',
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

/** A 45009 errmsg that speaks of a day's quota rather than of frequency ("api freq out of limit" wins). */
export const WECOM_DAILY_QUOTA_ERRMSG = /daily|day limit|quota/i;
export const WECOM_FREQUENCY_ERRMSG = /freq/i;

/**
 * gettoken limits per company: 10,000 a minute and 150,000 an hour, beyond which calls are
 * blocked for 60 s or 60 min (the frequency-limits page, developer.work.weixin.qq.com/document/
 * path/90312, as quoted in ../shared/reference/wechat-wecom-tokens.md; older copies say 1,000 a
 * minute). A 45009 does not say which limit was hit: the library holds token calls for the
 * minute block (60 s), so that an hour block costs one call a minute, never one every 2-5 s.
 */
export const WECOM_FREQUENCY_HOLD_MS = 60_000;

/** JS-SDK ticket fetches allowed per hour: per app, and per company across its apps. */
export const WECOM_TICKET_HOURLY_LIMIT_APP = 100;
export const WECOM_TICKET_HOURLY_LIMIT_CORP = 400;

/**
 * Messages one app may send to one member: 30 a minute and 1000 an hour (the message-send page's
 * limits, issue 17); past them WeCom drops the message for that member without saying so.
 */
export const WECOM_MEMBER_MESSAGES_PER_MINUTE = 30;
export const WECOM_MEMBER_MESSAGES_PER_HOUR = 1000;
