/**
 * URL and request helpers for the WeChat specs. The URLs are built the way
 * the npm peers build them: `${prefix}token?...` with `prefix` =
 * `<base>/cgi-bin/` (co-wechat-api's public `prefix` property).
 */
import { SANDBOX_DEMO_WECHAT_APP } from '../platforms/wechat-mp/wechat-mp.options.js';
import { getJson, type JsonAnswer, type JsonBody, postJson } from './http-helpers.js';

const DEMO = SANDBOX_DEMO_WECHAT_APP;

/** `GET /cgi-bin/token` URL, exactly as co-wechat-api and wechat-api build it (no encoding). */
export function wechatTokenUrl(base: string, appId = DEMO.appId, secret = DEMO.appSecret): string {
  return `${base}/cgi-bin/token?grant_type=client_credential&appid=${appId}&secret=${secret}`;
}

/** Fetches a classic token; fails the test when it is refused. */
export async function wechatToken(
  base: string,
  appId?: string,
  secret?: string,
): Promise<JsonBody> {
  const { body } = await getJson(wechatTokenUrl(base, appId, secret));
  if (typeof body.access_token !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
  return body;
}

/** `POST /cgi-bin/stable_token`. */
export function stableToken(
  base: string,
  forceRefresh?: boolean,
  appId = DEMO.appId,
  secret = DEMO.appSecret,
): Promise<JsonAnswer> {
  return postJson(`${base}/cgi-bin/stable_token`, {
    grant_type: 'client_credential',
    appid: appId,
    secret,
    ...(forceRefresh === undefined ? {} : { force_refresh: forceRefresh }),
  });
}

/** `POST /cgi-bin/clear_quota/v2`. */
export function clearQuota(
  base: string,
  appId = DEMO.appId,
  secret = DEMO.appSecret,
): Promise<JsonAnswer> {
  return postJson(`${base}/cgi-bin/clear_quota/v2`, { appid: appId, appsecret: secret });
}

/** The errcode `getcallbackip` answers with this token (0 when accepted). */
export async function callbackIpErrcode(base: string, accessToken: string): Promise<number> {
  const { body } = await getJson(`${base}/cgi-bin/getcallbackip?access_token=${accessToken}`);
  if (Array.isArray(body.ip_list) && body.errcode === undefined) return 0;
  return body.errcode as number;
}
