import { isAxiosError } from 'axios';
import { QingtuiApiError, type QingtuiErrorKind } from '../errors/qingtui-api.error.js';
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

/** What an errcode means on a given endpoint (40001 means two different things). */
export function classifyErrcode(errcode: number, endpoint: string, errmsg = ''): QingtuiErrorKind {
  if (QINGTUI_RATE_LIMIT_ERRCODES.has(errcode)) {
    return QINGTUI_DAILY_QUOTA_ERRMSG.test(errmsg) ? 'quota' : 'rate-limit';
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

/** Reads a platform answer's `errcode`, if it has one that is not 0. */
export function errcodeOf(body: unknown): number | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const raw = (body as { errcode?: unknown }).errcode;
  const code = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof code === 'number' && Number.isFinite(code) && code !== 0 ? code : undefined;
}

/** The error a non-zero errcode stands for. */
export function platformError(
  body: Record<string, unknown>,
  endpoint: string,
  status?: number,
): QingtuiApiError {
  const errcode = errcodeOf(body)!;
  const errmsg = typeof body.errmsg === 'string' ? body.errmsg : 'no errmsg';
  return new QingtuiApiError(
    classifyErrcode(errcode, endpoint, errmsg),
    errcode,
    errmsg,
    endpoint,
    status,
  );
}

/**
 * Turns a raw HTTP answer into the platform's JSON object, or throws a `QingtuiApiError`:
 * `transient` for HTTP 5xx and for bodies that are not a JSON object, the errcode's class
 * for a non-zero errcode.
 */
export function parsePlatformAnswer(
  endpoint: string,
  status: number,
  body: unknown,
): Record<string, unknown> {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  if (isObject && errcodeOf(parsed) !== undefined) {
    throw platformError(parsed as Record<string, unknown>, endpoint, status);
  }
  if (status >= 500) {
    throw new QingtuiApiError('transient', undefined, `HTTP ${status}`, endpoint, status);
  }
  if (!isObject) {
    throw new QingtuiApiError('transient', undefined, 'answer is not a JSON object', endpoint, status);
  }
  if (status >= 400) {
    throw new QingtuiApiError('request', undefined, `HTTP ${status}`, endpoint, status);
  }
  return parsed as Record<string, unknown>;
}

/** Transport errors after which the request surely never reached the server. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_INVALID_URL',
]);

/**
 * Wraps a transport failure (no answer) without keeping the original error: axios errors hold
 * the request URL, whose query may carry an AppSecret or a refresh_token.
 */
export function transportError(error: unknown, endpoint: string): QingtuiApiError {
  if (error instanceof QingtuiApiError) return error;
  const code = isAxiosError(error) ? error.code : (error as { code?: string } | null)?.code;
  const reason =
    code === 'ECONNABORTED' || code === 'ETIMEDOUT'
      ? 'timed out'
      : code
        ? `network error ${code}`
        : 'network error';
  return new QingtuiApiError(
    'transient',
    undefined,
    reason,
    endpoint,
    undefined,
    !(code && NOT_SENT_CODES.has(code)),
  );
}
