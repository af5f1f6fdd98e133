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

/**
 * A platform (Qingtui, WeChat, WeCom, or the central control server in consumer mode) refused
 * a call, or could not be reached. Carries the platform's `errcode` and `errmsg` and the endpoint
 * path, never the query string (which may hold a secret or a refresh_token).
 */
export class QingtuiApiError extends QingtuiError {
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

  /** Worth retrying later (transient failures and rate limits). */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate-limit';
  }
}
