import type { QingtuiApiError, QingtuiErrorKind } from '../../errors/qingtui-api.error.js';
import type { AnswerDialect } from '../platform-answer.js';
import {
  WECOM_DAILY_QUOTA_ERRMSG,
  WECOM_ERRCODES as E,
  WECOM_FREQUENCY_ERRMSG,
  WECOM_FREQUENCY_HOLD_MS,
  WECOM_PATHS,
} from './wecom.constants.js';

/** The configuration (corpId, secret, trusted IPs) must change. */
const CREDENTIAL: ReadonlySet<number> = new Set([
  E.invalidSecret,
  E.invalidCorpId,
  E.missingCorpId,
  E.missingSecret,
  E.ipNotTrusted,
]);

/** On business endpoints: the access_token was not accepted (invalidated early, or expired). */
const TOKEN_INVALID: ReadonlySet<number> = new Set([
  E.invalidAccessToken,
  E.accessTokenExpired,
  E.missingAccessToken,
]);

/** What a WeCom errcode means on an endpoint: 40001 is always the secret, never the token. */
export function classifyWecomErrcode(
  errcode: number,
  endpoint: string,
  errmsg = '',
): QingtuiErrorKind {
  if (errcode === E.systemBusy) return 'transient';
  if (errcode === E.frequencyLimit) {
    const quota = WECOM_DAILY_QUOTA_ERRMSG.test(errmsg) && !WECOM_FREQUENCY_ERRMSG.test(errmsg);
    return quota ? 'quota' : 'rate-limit';
  }
  if (CREDENTIAL.has(errcode) && (endpoint === WECOM_PATHS.token || errcode === E.invalidSecret)) {
    return 'credential';
  }
  if (endpoint === WECOM_PATHS.token) return 'request';
  return TOKEN_INVALID.has(errcode) ? 'token-invalid' : 'request';
}

/** Holds longer than the usual back-off where the platform blocks calls (45009 on gettoken). */
export function wecomMinHoldMs(error: QingtuiApiError): number | undefined {
  return error.errcode === E.frequencyLimit && error.endpoint === WECOM_PATHS.token
    ? WECOM_FREQUENCY_HOLD_MS
    : undefined;
}

/** WeCom's answers, for the shared answer helpers. */
export const WECOM_DIALECT: AnswerDialect = { label: 'WeCom', classify: classifyWecomErrcode };
