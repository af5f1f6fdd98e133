import type { AxiosInstance, Method } from 'axios';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import type { QingtuiAxiosConfig, QingtuiRequestOptions } from '../http/qingtui-request.js';

/*
 * The one way the WeChat and WeCom clients call their platform: through the module's axios
 * instance, whose interceptor adds the app's token, heals a rejected token with one re-send, and
 * fails a send that may have reached the platform without a readable answer with
 * `QingtuiOutcomeUnknownError` (never re-sent).
 */

/** One call of a typed client. */
export interface AppCall {
  method: Method;
  url: string;
  data?: unknown;
  /** Whether re-sending can do no harm; message sends are not. */
  idempotent: boolean;
  /** Errcodes read as answers (WeChat's 45065). */
  answerErrcodes?: readonly number[];
}

/** Sends `call` for `app` and returns the answer's JSON (errcode already checked). */
export async function callApp(
  http: AxiosInstance,
  app: string,
  call: AppCall,
  unavailable?: string,
): Promise<Record<string, unknown>> {
  if (unavailable !== undefined) throw new QingtuiError(unavailable);
  const qingtui: QingtuiRequestOptions = { app, idempotent: call.idempotent };
  if (call.answerErrcodes !== undefined) qingtui.answerErrcodes = call.answerErrcodes;
  const config: QingtuiAxiosConfig = {
    method: call.method,
    url: call.url,
    data: call.data,
    qingtui,
  };
  const response = await http.request<unknown>(config);
  const body = response.data;
  return body !== null && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : {};
}

/**
 * The platform answered success without what the call promises: kind `request`, no errcode,
 * never retryable (the message may have been sent).
 */
export function malformedAnswerOf(
  platform: string,
  endpoint: string,
  problem: string,
): QingtuiApiError {
  return QingtuiApiError.local({
    kind: 'request',
    errmsg: `unexpected answer: ${problem}`,
    endpoint,
    platform,
  });
}

/** A non-empty id, from a string or a (safe) number. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
