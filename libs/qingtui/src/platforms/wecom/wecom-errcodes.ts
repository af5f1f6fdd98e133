import type { QingtuiErrorKind } from '../../errors/qingtui-api.error.js';
import type { AnswerDialect } from '../platform-answer.js';
import { WECOM_DAILY_QUOTA_ERRMSG, WECOM_ERRCODES as E, WECOM_PATHS } from './wecom.constants.js';

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
    return WECOM_DAILY_QUOTA_ERRMSG.test(errmsg) ? 'quota' : 'rate-limit';
  }
  if (CREDENTIAL.has(errcode) && (endpoint === WECOM_PATHS.token || errcode === E.invalidSecret)) {
    return 'credential';
  }
  if (endpoint === WECOM_PATHS.token) return 'request';
  return TOKEN_INVALID.has(errcode) ? 'token-invalid' : 'request';
}

/** WeCom's answers, for the shared answer helpers. */
export const WECOM_DIALECT: AnswerDialect = { label: 'WeCom', classify: classifyWecomErrcode };
