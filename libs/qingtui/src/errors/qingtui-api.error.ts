import { QingtuiError } from './qingtui.error.js';

/**
 * How the library reacts to a failure (each platform maps its errcodes to these, per endpoint).
 * - `credential`: bad AppID/AppSecret/corpsecret, an IP the platform does not allow, or a bad
 *   client key; backed off, never retried in a loop.
 * - `refresh-token`: the refresh_token is dead (Qingtui); renew with `/v1/token` instead.
 * - `token-invalid`: the access_token was rejected; refresh it and retry once.
 * - `rate-limit`: a frequency limit (45009 "freq", 45011...); back off.
 * - `quota`: a daily or billing quota used up (45009 "daily quota"...); not retried today.
 * - `transient`: network error, HTTP 5xx, malformed answer, errcode -1; retried with backoff.
 * - `request`: anything else the platform refused (bad parameter, not a follower...).
 */
export type QingtuiErrorKind =
  | 'credential'
  | 'refresh-token'
  | 'token-invalid'
  | 'rate-limit'
  | 'quota'
  | 'transient'
  | 'request';

/** What every `QingtuiApiError` factory takes. */
interface QingtuiApiErrorBase {
  /** Path of the endpoint, without query string (or a step of the library: `lock`, `quota`...). */
  endpoint: string;
  /** HTTP status, when there was an answer. */
  status?: number;
  /**
   * Who answered, as messages name it: `Qingtui`, `WeChat`, `WeCom` or `central server`.
   * @default 'Qingtui'
   */
  platform?: string;
}

/** `QingtuiApiError.platform()`: the platform answered with a non-zero errcode. */
export interface QingtuiPlatformErrorOptions extends QingtuiApiErrorBase {
  /** The errcode's class on this endpoint, as the platform defines it. */
  kind: QingtuiErrorKind;
  /** The platform's errcode. */
  errcode: number;
  /** The platform's errmsg. */
  errmsg: string;
}

/**
 * `QingtuiApiError.transport()`: no usable answer: a network failure or time-out (no status), an
 * HTTP error status, or a body that is not the platform's JSON.
 */
export interface QingtuiTransportErrorOptions extends QingtuiApiErrorBase {
  /** @default 'transient' */
  kind?: QingtuiErrorKind;
  /** What failed, e.g. `timed out`, `network error ECONNRESET`, `HTTP 502`. */
  errmsg: string;
  /**
   * False when the request surely did not reach the platform (connection refused...), so
   * re-sending it cannot duplicate anything.
   * @default true
   */
  maybeProcessed?: boolean;
}

/**
 * `QingtuiApiError.heldBack()`: the library did not send the call (open circuit, credential
 * back-off, quota used up, a call spacing): nothing reached the platform.
 */
export interface QingtuiHeldBackErrorOptions extends QingtuiApiErrorBase {
  /** Why it is held back: `quota`, `credential`, `rate-limit`, `transient`... */
  kind: QingtuiErrorKind;
  /** Why, in words (or the errmsg of the failure that caused the hold). */
  errmsg: string;
  /** Ms until the next attempt is allowed (an HTTP server maps it to `Retry-After`). */
  retryAfterMs?: number;
  /** The errcode of the failure that caused the hold, if the platform gave one. */
  errcode?: number;
}

/**
 * `QingtuiApiError.local()`: the library itself found the problem, without the platform saying
 * so: a success answer that lacks what the call promises, a wait that ran out.
 */
export interface QingtuiLocalErrorOptions extends QingtuiApiErrorBase {
  kind: QingtuiErrorKind;
  /** What is wrong, in words. */
  errmsg: string;
  /**
   * False when nothing was sent to the platform.
   * @default true
   */
  maybeProcessed?: boolean;
}

/**
 * A platform (Qingtui, WeChat, WeCom, or the central control server in consumer mode) refused
 * a call, or could not be reached. Carries the platform's `errcode` and `errmsg` and the endpoint
 * path, never the query string (which may hold a secret or a refresh_token).
 *
 * Built by its static factories: `platform()` (an errcode), `transport()` (no usable answer),
 * `heldBack()` (not sent by the library), `local()` (found by the library).
 */
export class QingtuiApiError extends QingtuiError {
  /**
   * @internal Positional form, kept for the callers not yet converted.
   * @deprecated Use `QingtuiApiError.platform()`, `.transport()`, `.heldBack()` or `.local()`.
   */
  constructor(
    readonly kind: QingtuiErrorKind,
    /** Platform errcode; absent for transport failures. */
    readonly errcode: number | undefined,
    /** Platform errmsg, or a description of the transport failure. */
    readonly errmsg: string,
    /** Path of the endpoint, without query string. */
    readonly endpoint: string,
    /** HTTP status, when there was an answer. */
    readonly status?: number,
    /**
     * For transport failures: false when the request surely did not reach the platform
     * (connection refused...), so re-sending it cannot duplicate anything.
     */
    readonly maybeProcessed = true,
    /**
     * When the library itself holds calls back (open circuit, credential back-off, quota
     * exhausted): ms until the next attempt is allowed. An HTTP server maps it to `Retry-After`.
     */
    readonly retryAfterMs?: number,
    /**
     * Who answered, as messages name it: `Qingtui`, `WeChat`, `WeCom` or `central server`.
     * @default 'Qingtui'
     */
    readonly platform: string = 'Qingtui',
  ) {
    super(
      errcode === undefined
        ? `${platform} ${endpoint} failed: ${errmsg}`
        : `${platform} ${endpoint} answered errcode ${errcode}: ${errmsg}`,
    );
  }

  /** The platform answered `errcode` on `endpoint`. */
  static platform(o: QingtuiPlatformErrorOptions): QingtuiApiError {
    return new QingtuiApiError(
      o.kind,
      o.errcode,
      o.errmsg,
      o.endpoint,
      o.status,
      true,
      undefined,
      o.platform,
    );
  }

  /** No usable answer from `endpoint` (network, time-out, HTTP status, unreadable body). */
  static transport(o: QingtuiTransportErrorOptions): QingtuiApiError {
    return new QingtuiApiError(
      o.kind ?? 'transient',
      undefined,
      o.errmsg,
      o.endpoint,
      o.status,
      o.maybeProcessed ?? true,
      undefined,
      o.platform,
    );
  }

  /** The library held the call back: nothing was sent. */
  static heldBack(o: QingtuiHeldBackErrorOptions): QingtuiApiError {
    return new QingtuiApiError(
      o.kind,
      o.errcode,
      o.errmsg,
      o.endpoint,
      o.status,
      false,
      o.retryAfterMs,
      o.platform,
    );
  }

  /** The library itself found the problem. */
  static local(o: QingtuiLocalErrorOptions): QingtuiApiError {
    return new QingtuiApiError(
      o.kind,
      undefined,
      o.errmsg,
      o.endpoint,
      o.status,
      o.maybeProcessed ?? true,
      undefined,
      o.platform,
    );
  }

  /** Worth retrying later (transient failures and rate limits). */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate-limit';
  }
}
