/**
 * What WeChat answers on each endpoint, given an authenticated or parsed
 * request. The emulator around them routes, reads bodies and counts.
 */
import type { GrantKind } from '../../shared/counters.js';
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import type { LedgerTokenStatus } from '../../shared/token-ledger.js';
import { WECHAT_ERRORS as E } from './wechat-mp-errors.js';
import type { WechatMpState } from './wechat-mp-state.js';

/** An answer body, and the kind of token it issued, if it did. */
export interface WechatOutcome {
  readonly body: object;
  readonly issued?: GrantKind;
}

/** The IPs `getcallbackip` reports: documentation ranges (RFC 5737), never real servers. */
export const WECHAT_CALLBACK_IPS: readonly string[] = Object.freeze([
  '192.0.2.10',
  '198.51.100.20',
  '203.0.113.30',
]);

/** `GET /cgi-bin/token?grant_type=client_credential&appid=&secret=` */
export function classicToken(state: WechatMpState, query: URLSearchParams): WechatOutcome {
  const app = state.authenticate(query.get('appid'), query.get('secret'));
  if (isError(app)) return { body: app };
  if (query.get('grant_type') !== 'client_credential') return { body: E.invalidGrantType };
  const refusal = state.refusals.of(app.appId);
  if (refusal !== undefined) return { body: refusal };
  const quota = state.rules.dailyTokenQuota;
  if (!state.tokenDaily.tryTake(app.appId, quota)) {
    return {
      body: platformError(E.dailyLimit, `/cgi-bin/token allows ${quota} calls a day`),
    };
  }
  return { body: state.classic.issue(app.appId), issued: 'credentials' };
}

/** `POST /cgi-bin/stable_token` `{grant_type, appid, secret, force_refresh?}` */
export function stableToken(state: WechatMpState, json: Record<string, unknown>): WechatOutcome {
  const app = state.authenticate(json.appid, json.secret);
  if (isError(app)) return { body: app };
  if (json.grant_type !== 'client_credential') return { body: E.invalidGrantType };
  const force = json.force_refresh ?? false;
  if (typeof force !== 'boolean') {
    return { body: platformError(E.dataFormatError, 'force_refresh must be a boolean') };
  }
  const refusal = state.refusals.of(app.appId);
  if (refusal !== undefined) return { body: refusal };
  const { rules } = state;
  if (!state.stableMinute.tryTake(app.appId, rules.stableMinuteLimit)) {
    return {
      body: platformError(
        E.minuteLimit,
        `stable_token allows ${rules.stableMinuteLimit} calls a minute`,
      ),
    };
  }
  if (!state.stableDaily.tryTake(app.appId, rules.stableDailyLimit)) {
    return {
      body: platformError(
        E.dailyLimit,
        `stable_token allows ${rules.stableDailyLimit} calls a day`,
      ),
    };
  }
  return state.stable.answer(app.appId, force);
}

/**
 * `POST /cgi-bin/clear_quota/v2` `{appid, appsecret}`: gives the app the day's
 * token calls back (`/cgi-bin/token` and `/cgi-bin/stable_token`), even when
 * they are used up; `clearQuotaMonthlyLimit` times a month, then 48006.
 */
export function clearQuota(state: WechatMpState, json: Record<string, unknown>): WechatOutcome {
  const app = state.authenticate(json.appid, json.appsecret);
  if (isError(app)) return { body: app };
  const limit = state.rules.clearQuotaMonthlyLimit;
  if (!state.quotaClears.tryTake(app.appId, limit)) {
    return { body: platformError(E.clearQuotaLimit, `${limit} resets a month`) };
  }
  state.tokenDaily.clear(app.appId);
  state.stableDaily.clear(app.appId);
  return { body: { errcode: 0, errmsg: 'ok' } };
}

/** `GET /cgi-bin/getcallbackip?access_token=`: the cheap business call. */
export function callbackIp(status: LedgerTokenStatus): WechatOutcome {
  switch (status.state) {
    case 'missing':
      return { body: E.missingAccessToken };
    case 'unknown':
      return { body: E.invalidAccessToken };
    case 'expired':
      return { body: E.accessTokenExpired };
    case 'invalid':
      return { body: E.invalidCredential };
    case 'valid':
      return { body: { ip_list: [...WECHAT_CALLBACK_IPS] } };
  }
}

function isError(value: object): value is PlatformError {
  return 'errcode' in value;
}
