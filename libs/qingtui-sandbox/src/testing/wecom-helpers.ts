/** URL and request helpers for the WeCom specs. */
import { SANDBOX_DEMO_WECOM_APP } from '../platforms/wecom/wecom.options.js';
import { getJson, type JsonAnswer } from './http-helpers.js';

const DEMO = SANDBOX_DEMO_WECOM_APP;

/** `GET /cgi-bin/gettoken`. */
export function wecomToken(
  base: string,
  corpId = DEMO.corpId,
  secret = DEMO.secret,
): Promise<JsonAnswer> {
  return getJson(
    `${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(corpId)}&corpsecret=${encodeURIComponent(secret)}`,
  );
}

/** The errcode `get_api_domain_ip` answers with this token. */
export async function apiDomainIpErrcode(base: string, accessToken: string): Promise<number> {
  const { body } = await getJson(
    `${base}/cgi-bin/get_api_domain_ip?access_token=${encodeURIComponent(accessToken)}`,
  );
  return body.errcode as number;
}
