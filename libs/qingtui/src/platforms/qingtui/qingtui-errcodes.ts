import type { QingtuiErrorKind } from '../../errors/qingtui-api.error.js';
import type { AnswerDialect } from '../platform-answer.js';
import {
  QINGTUI_CREDENTIAL_ERRCODES,
  QINGTUI_DAILY_QUOTA_ERRMSG,
  QINGTUI_PATHS,
  QINGTUI_QUOTA_ERRCODES,
  QINGTUI_RATE_LIMIT_ERRCODES,
  QINGTUI_REFRESH_TOKEN_ERRCODES,
  QINGTUI_TOKEN_INVALID_ERRCODES,
  QINGTUI_TRANSIENT_ERRCODES,
} from './qingtui-platform.constants.js';

/** What a Qingtui errcode means on a given endpoint (40001 means two different things). */
export function classifyQingtuiErrcode(
  errcode: number,
  endpoint: string,
  errmsg = '',
): QingtuiErrorKind {
  if (QINGTUI_RATE_LIMIT_ERRCODES.has(errcode)) {
    // See QINGTUI_DAILY_QUOTA_ERRMSG: the endpoint decides, the text only where no 2 s rule is.
    const daily = QINGTUI_DAILY_QUOTA_ERRMSG.test(errmsg);
    return daily && endpoint !== QINGTUI_PATHS.token ? 'quota' : 'rate-limit';
  }
  if (QINGTUI_QUOTA_ERRCODES.has(errcode)) return 'quota';
  if (QINGTUI_TRANSIENT_ERRCODES.has(errcode)) return 'transient';
  if (endpoint === QINGTUI_PATHS.token) {
    return QINGTUI_CREDENTIAL_ERRCODES.has(errcode) ? 'credential' : 'request';
  }
  if (endpoint === QINGTUI_PATHS.refreshToken) {
    return QINGTUI_REFRESH_TOKEN_ERRCODES.has(errcode) ? 'refresh-token' : 'request';
  }
  return QINGTUI_TOKEN_INVALID_ERRCODES.has(errcode) ? 'token-invalid' : 'request';
}

/** Qingtui's answers, for the shared answer helpers. */
export const QINGTUI_DIALECT: AnswerDialect = {
  label: 'Qingtui',
  classify: classifyQingtuiErrcode,
};
