/**
 * What WeChat answers on each endpoint, given an authenticated or parsed
 * request. The emulator around them routes, reads bodies and counts.
 */
import type { GrantKind } from '../../shared/counters.js';
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import type { TicketKind } from '../../shared/ticket-book.js';
import type { LedgerTokenStatus } from '../../shared/token-ledger.js';
import { WECHAT_ERRORS as E } from './wechat-mp-errors.js';
import type { WechatMpState } from './wechat-mp-state.js';

/** An answer body, and the kind of token it issued, if it did. */
export interface WechatOutcome {
  readonly body: object;
  readonly issued?: GrantKind;
  /** The kind of JS-SDK ticket it issued, if it issued a new one. */
  readonly ticketIssued?: TicketKind;
}

/** The ticket types `/cgi-bin/ticket/getticket` serves. */
export const WECHAT_TICKET_TYPES: readonly TicketKind[] = ['jsapi', 'wx_card'];

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
  return {
    body: status.state === 'valid' ? { ip_list: [...WECHAT_CALLBACK_IPS] } : tokenRefusal(status),
  };
}

/**
 * `GET /cgi-bin/ticket/getticket?access_token=&type=jsapi|wx_card`: the
 * app's current ticket of that type while it lives (`expires_in` reset to the
 * whole lifetime), else a new one. Token errors as on `getcallbackip`; a
 * missing or unknown type 40097.
 */
export function getTicket(
  state: WechatMpState,
  status: LedgerTokenStatus,
  kind: TicketKind | undefined,
): WechatOutcome {
  if (status.state !== 'valid') return { body: tokenRefusal(status) };
  if (kind === undefined) {
    return {
      body: platformError(E.invalidArgs, `type must be ${WECHAT_TICKET_TYPES.join(' or ')}`),
    };
  }
  const { ticket, expiresIn, issued } = state.tickets.fetch(status.appKey, kind);
  return {
    body: { errcode: 0, errmsg: 'ok', ticket, expires_in: expiresIn },
    ...(issued ? { ticketIssued: kind } : {}),
  };
}

/**
 * How a business call refuses an access_token that is not valid: 41001
 * missing, 40014 malformed, 42001 expired, 40001 superseded (after the
 * overlap), force-killed or revoked.
 */
export function tokenRefusal(
  status: Exclude<LedgerTokenStatus, { state: 'valid' }>,
): PlatformError {
  switch (status.state) {
    case 'missing':
      return E.missingAccessToken;
    case 'unknown':
      return E.invalidAccessToken;
    case 'expired':
      return E.accessTokenExpired;
    case 'invalid':
      return E.invalidCredential;
  }
}

function isError(value: object): value is PlatformError {
  return 'errcode' in value;
}
