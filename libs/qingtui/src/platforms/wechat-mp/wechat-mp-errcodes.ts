import type { QingtuiApiError, QingtuiErrorKind } from '../../errors/qingtui-api.error.js';
import type { AnswerDialect } from '../platform-answer.js';
import {
  WECHAT_MP_DAILY_QUOTA_ERRMSG,
  WECHAT_MP_ERRCODES as E,
  WECHAT_MP_FREQUENCY_ERRMSG,
  WECHAT_MP_FROZEN_SECRET_HOLD_MS,
  WECHAT_MP_PATHS,
  WECHAT_MP_RISKY_IP_REJECTED_HOLD_MS,
  WECHAT_MP_RISKY_IP_REJECTED_TWICE_HOLD_MS,
} from './wechat-mp.constants.js';

/** On the token endpoints: the configuration (AppID, AppSecret, server IP) must change. */
const CREDENTIAL: ReadonlySet<number> = new Set([
  E.invalidCredential,
  E.invalidGrantType,
  E.invalidAppId,
  E.invalidAppSecret,
  E.ipNotWhitelisted,
  E.appSecretFrozen,
  E.missingAppId,
  E.missingSecret,
  E.ipNotWhitelistedGuide,
  E.riskyIpAwaiting,
  E.riskyIp,
  E.riskyIpRejectedTwice,
  E.riskyIpRejected,
]);

/** On business endpoints: the access_token was not accepted (40001 includes "not latest"). */
const TOKEN_INVALID: ReadonlySet<number> = new Set([
  E.invalidCredential,
  E.invalidAccessToken,
  E.accessTokenExpired,
  E.missingAccessToken,
]);

const TOKEN_ENDPOINTS: ReadonlySet<string> = new Set([
  WECHAT_MP_PATHS.token,
  WECHAT_MP_PATHS.stableToken,
  WECHAT_MP_PATHS.clearQuota,
]);

/** What a WeChat errcode means on an endpoint: 40001 is a credential error on token calls only. */
export function classifyWechatMpErrcode(
  errcode: number,
  endpoint: string,
  errmsg = '',
): QingtuiErrorKind {
  if (errcode === E.systemBusy) return 'transient';
  if (errcode === E.dailyLimit) {
    const quota =
      WECHAT_MP_DAILY_QUOTA_ERRMSG.test(errmsg) && !WECHAT_MP_FREQUENCY_ERRMSG.test(errmsg);
    return quota ? 'quota' : 'rate-limit';
  }
  if (errcode === E.minuteLimit) return 'rate-limit';
  if (errcode === E.clearQuotaLimit) return 'quota';
  if (TOKEN_ENDPOINTS.has(endpoint)) return CREDENTIAL.has(errcode) ? 'credential' : 'request';
  return TOKEN_INVALID.has(errcode) ? 'token-invalid' : 'request';
}

/** Holds longer than the usual credential back-off, where the platform says so. */
export function wechatMpMinHoldMs(error: QingtuiApiError): number | undefined {
  switch (error.errcode) {
    case E.riskyIpRejected:
      return WECHAT_MP_RISKY_IP_REJECTED_HOLD_MS;
    case E.riskyIpRejectedTwice:
      return WECHAT_MP_RISKY_IP_REJECTED_TWICE_HOLD_MS;
    case E.appSecretFrozen:
      return WECHAT_MP_FROZEN_SECRET_HOLD_MS;
    default:
      return undefined;
  }
}

/** WeChat's answers, for the shared answer helpers. */
export const WECHAT_MP_DIALECT: AnswerDialect = {
  label: 'WeChat',
  classify: classifyWechatMpErrcode,
};
