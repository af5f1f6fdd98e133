/**
 * The answers of the platform-shaped token and ticket paths, in each platform's own JSON: SDKs
 * pointed at this server read them as they read the platform's. Success shapes are the
 * platforms' (WeChat's token answer has no errcode; WeCom's has `errcode: 0`; Qingtui's none);
 * refusals carry the platform's errcode for that refusal, so that an SDK stops (a wrong secret)
 * or fetches again (an invalid token) exactly as it would against the platform.
 */

export type PlatformAnswer = Record<string, unknown>;

/** A refusal of one of these paths, as its platform words it. */
export function refusal(errcode: number, errmsg: string): PlatformAnswer {
  return { errcode, errmsg };
}

/** Errcodes of the refusals, by platform (WeChat's, WeCom's and Qingtui's own numbers). */
export const REFUSALS = {
  'wechat-mp': {
    wrongSecret: refusal(40125, 'invalid appsecret: give the client key of the central server'),
    wrongAppId: refusal(40013, 'invalid appid'),
    grantType: refusal(40002, 'invalid grant_type'),
    missingAppId: refusal(41002, 'appid missing'),
    missingSecret: refusal(41004, 'appsecret missing'),
    ticketType: refusal(40097, 'invalid args: type must be jsapi or wx_card'),
  },
  wecom: {
    wrongSecret: refusal(40001, 'invalid credential: give the client key of the central server'),
    wrongAppId: refusal(40013, 'invalid corpid'),
    missingAppId: refusal(41002, 'corpid missing'),
    missingSecret: refusal(41004, 'corpsecret missing'),
    ticketType: refusal(40058, 'invalid parameter: type must be agent_config'),
  },
  qingtui: {
    wrongSecret: refusal(40001, 'invalid secret: give the client key of the central server'),
    wrongAppId: refusal(40013, 'invalid appid'),
    grantType: refusal(40002, 'invalid grant_type'),
    missingAppId: refusal(41002, 'appid missing'),
    missingSecret: refusal(41004, 'secret missing'),
    invalidRefreshToken: refusal(40030, 'invalid refresh_token'),
    missingRefreshToken: refusal(41003, 'refresh_token missing'),
  },
} as const;

/** The platform's answer to a server error it could not hide (no token now): -1, system busy. */
export function busy(errmsg: string): PlatformAnswer {
  return refusal(-1, `system busy: ${errmsg}`);
}
