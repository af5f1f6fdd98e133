import { isAxiosError } from 'axios';
import { parseJson } from '../core/parse-json.js';
import { QingtuiApiError, type QingtuiErrorKind } from '../errors/qingtui-api.error.js';
import type { TokenGrant } from '../core/credential-record.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiPlatformEndpointKind } from '../events/qingtui-events.interface.js';
import type { TokenFetcherDeps } from './platform.interface.js';

/*
 * The answer envelope shared by the platforms of this library (Qingtui, WeChat, WeCom, and
 * DingTalk's classic API too): JSON, HTTP 200, `{ errcode, errmsg, ... }` with errcode 0 or
 * absent on success, and `{ access_token, expires_in }` on token endpoints. Each platform passes
 * its own errcode classification and label; a platform with another envelope writes its own.
 */

/** What the helpers need of a platform: its errcode classes and its name in messages. */
export interface AnswerDialect {
  label: string;
  classify(errcode: number, endpoint: string, errmsg: string): QingtuiErrorKind;
}

/** Reads an answer's `errcode`, if it has one that is not 0. */
function errcodeOf(body: unknown): number | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const raw = (body as { errcode?: unknown }).errcode;
  const code = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof code === 'number' && Number.isFinite(code) && code !== 0 ? code : undefined;
}

/** The error a non-zero errcode stands for on `endpoint`. */
function errcodeError(
  dialect: AnswerDialect,
  body: Record<string, unknown>,
  endpoint: string,
  status?: number,
): QingtuiApiError {
  const errcode = errcodeOf(body)!;
  const errmsg = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 500) : 'no errmsg';
  return QingtuiApiError.platform({
    kind: dialect.classify(errcode, endpoint, errmsg),
    errcode,
    errmsg,
    endpoint,
    status,
    platform: dialect.label,
  });
}

/**
 * Turns a raw HTTP answer into the platform's JSON object, or throws a `QingtuiApiError`:
 * `transient` for HTTP 5xx and for bodies that are not a JSON object, the errcode's class for a
 * non-zero errcode, `request` for another HTTP 4xx. The one reader of answers: token fetchers
 * and the interceptor (business calls) both classify through it.
 */
export function parseAnswer(
  dialect: AnswerDialect,
  endpoint: string,
  status: number,
  body: unknown,
): Record<string, unknown> {
  // A body given as text (JSON), or already parsed (a binary download stays as it is).
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  const isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  if (isObject && errcodeOf(parsed) !== undefined) {
    throw errcodeError(dialect, parsed as Record<string, unknown>, endpoint, status);
  }
  const fail = (kind: QingtuiErrorKind, problem: string) =>
    QingtuiApiError.transport({ kind, errmsg: problem, endpoint, status, platform: dialect.label });
  if (status >= 500) throw fail('transient', `HTTP ${status}`);
  if (!isObject) throw fail('transient', 'answer is not a JSON object');
  if (status >= 400) throw fail('request', `HTTP ${status}`);
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
 * the request URL, whose query may carry a secret or a refresh_token.
 */
export function transportError(error: unknown, endpoint: string, label?: string): QingtuiApiError {
  if (error instanceof QingtuiApiError) return error;
  const code = isAxiosError(error) ? error.code : (error as { code?: string } | null)?.code;
  const reason =
    code === 'ECONNABORTED' || code === 'ETIMEDOUT'
      ? 'timed out'
      : code
        ? `network error ${code}`
        : 'network error';
  return QingtuiApiError.transport({
    errmsg: reason,
    endpoint,
    maybeProcessed: !(code && NOT_SENT_CODES.has(code)),
    platform: label,
  });
}

/** One platform call of a token fetcher: no token interceptor, the module's timeout, text body. */
export interface PlatformCall {
  method: 'GET' | 'POST';
  baseUrl: string;
  endpoint: string;
  params?: Record<string, string>;
  data?: unknown;
}

/** Which app a call is for and what it is, for the `qingtui.platform.call` event. */
export interface PlatformCallOf {
  app: string;
  /** `api` calls of a token fetcher are its probes, unless `ticket` says otherwise. */
  kind: 'token' | 'refresh' | 'api';
  /** A ticket fetch (counted as an `api` call of the day). */
  ticket?: boolean;
}

/**
 * Sends a token fetcher's call and parses the answer (see `parseAnswer`). The URL and any
 * transport error are never kept: they may hold the secret.
 */
export async function callPlatform(
  deps: Pick<TokenFetcherDeps, 'http' | 'timeoutMs' | 'events' | 'usage'>,
  dialect: AnswerDialect,
  call: PlatformCall,
  of?: PlatformCallOf,
): Promise<Record<string, unknown>> {
  // Counted against the app's day before it is sent: a call that gets no answer may still count.
  if (of) deps.usage.record(of.app, of.kind);
  const started = Date.now();
  const kind: QingtuiPlatformEndpointKind = of?.ticket
    ? 'ticket'
    : of?.kind === 'api'
      ? 'probe'
      : (of?.kind ?? 'api');
  const tell = (error?: unknown) =>
    of &&
    deps.events?.emit(QINGTUI_EVENTS.platformCall, {
      app: of.app,
      endpoint: kind,
      outcome:
        error === undefined ? 'ok' : error instanceof QingtuiApiError ? error.kind : 'transient',
      ...(error instanceof QingtuiApiError && error.errcode !== undefined
        ? { errcode: error.errcode }
        : {}),
      durationMs: Date.now() - started,
    });
  try {
    const body = await sendAndParse(deps, dialect, call);
    tell();
    return body;
  } catch (error) {
    if (of && notCharged(error)) deps.usage.refund(of.app, of.kind);
    tell(error);
    throw error;
  }
}

/**
 * Whether a failed call surely cost the app nothing: it never reached the platform, or the
 * platform's front answered HTTP 5xx (the handler did not run: the sandbox's model, and what a
 * gateway error means; an assumption, as no platform document says what it charges). A timeout or
 * a reset after sending may have been handled, and stays counted.
 */
function notCharged(error: unknown): boolean {
  if (!(error instanceof QingtuiApiError)) return false;
  // An HTTP 5xx (whatever its body: a front's `{errcode: -1, "system busy"}` included) was not
  // handled; an errcode with HTTP 200 was, and the platform may have charged it.
  if (error.status !== undefined) return error.status >= 500;
  return error.errcode === undefined && !error.maybeProcessed;
}

/** A GET of a token fetcher to its app's platform, counted and told like every call. */
export function getFromPlatform(
  deps: Pick<TokenFetcherDeps, 'http' | 'timeoutMs' | 'events' | 'usage'>,
  dialect: AnswerDialect,
  app: { name: string; baseUrl: string },
  kind: PlatformCallOf['kind'],
  endpoint: string,
  params: Record<string, string>,
): Promise<Record<string, unknown>> {
  return callPlatform(
    deps,
    dialect,
    { method: 'GET', baseUrl: app.baseUrl, endpoint, params },
    { app: app.name, kind },
  );
}

/** A ticket fetch: a GET counted as an `api` call of the day, its answer read as a grant. */
export async function fetchTicketFrom(
  deps: Pick<TokenFetcherDeps, 'http' | 'timeoutMs' | 'events' | 'usage' | 'now'>,
  dialect: AnswerDialect,
  app: { name: string; baseUrl: string },
  endpoint: string,
  params: Record<string, string>,
): Promise<TokenGrant> {
  const started = deps.now();
  const body = await callPlatform(
    deps,
    dialect,
    { method: 'GET', baseUrl: app.baseUrl, endpoint, params },
    { app: app.name, kind: 'api', ticket: true },
  );
  return readTicketGrant(dialect, body, endpoint, started, deps.now());
}

async function sendAndParse(
  deps: Pick<TokenFetcherDeps, 'http' | 'timeoutMs'>,
  dialect: AnswerDialect,
  call: PlatformCall,
): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await deps.http.request({
      method: call.method,
      baseURL: call.baseUrl,
      url: call.endpoint,
      params: call.params,
      data: call.data,
      timeout: deps.timeoutMs,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
  } catch (error) {
    throw transportError(error, call.endpoint, dialect.label);
  }
  return parseAnswer(dialect, call.endpoint, response.status, response.data);
}

/**
 * Reads `{ access_token, expires_in }`. The lifetime counts from `started`, when the request was
 * sent (the platform's clock started no earlier); `receivedAt` bounds when it really started.
 */
export function readTokenGrant(
  dialect: AnswerDialect,
  body: Record<string, unknown>,
  endpoint: string,
  started: number,
  receivedAt: number,
): Pick<TokenGrant, 'accessToken' | 'expiresAt' | 'issuedAt' | 'receivedAt'> {
  const accessToken = body.access_token;
  const expiresIn = Number(body.expires_in);
  if (typeof accessToken !== 'string' || accessToken === '' || !(expiresIn > 0)) {
    throw QingtuiApiError.local({
      kind: 'transient',
      errmsg: 'answer lacks access_token or a positive expires_in',
      endpoint,
      platform: dialect.label,
    });
  }
  return {
    accessToken,
    issuedAt: started,
    expiresAt: started + expiresIn * 1000,
    receivedAt: Math.max(started, receivedAt),
  };
}

/** A ticket answer (`ticket`, `expires_in` in seconds) as a grant. */
export function readTicketGrant(
  dialect: AnswerDialect,
  body: Record<string, unknown>,
  endpoint: string,
  started: number,
  receivedAt: number,
): TokenGrant {
  const ticket = body.ticket;
  const expiresIn = Number(body.expires_in);
  if (typeof ticket !== 'string' || ticket === '' || !(expiresIn > 0)) {
    throw QingtuiApiError.local({
      kind: 'transient',
      errmsg: 'answer lacks ticket or a positive expires_in',
      endpoint,
      platform: dialect.label,
    });
  }
  return {
    accessToken: ticket,
    issuedAt: started,
    expiresAt: started + expiresIn * 1000,
    receivedAt: Math.max(started, receivedAt),
    origin: 'credentials',
  };
}

/**
 * The probe's verdict from a business read's outcome: token-invalid is a rejection, any other
 * platform answer an acceptance of the token itself, no answer unknown.
 */
export async function probeVerdict(
  read: () => Promise<unknown>,
): Promise<'accepted' | 'rejected' | 'unknown'> {
  try {
    await read();
    return 'accepted';
  } catch (error) {
    if (error instanceof QingtuiApiError && error.kind === 'token-invalid') return 'rejected';
    if (error instanceof QingtuiApiError && error.errcode !== undefined) return 'accepted';
    return 'unknown';
  }
}
