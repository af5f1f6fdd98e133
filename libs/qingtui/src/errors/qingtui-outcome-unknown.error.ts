import { QingtuiApiError } from './qingtui-api.error.js';

/** What `QingtuiOutcomeUnknownError.after()` takes. */
export interface QingtuiOutcomeUnknownOptions {
  /** Name of the app whose token signed the call. */
  app: string;
  /** Path of the endpoint, without query string. */
  endpoint: string;
  /** What failed after the request left: `timed out`, `network error ECONNRESET`, `HTTP 502`... */
  errmsg: string;
  /** HTTP status, when an unreadable answer came (5xx, a body that is not JSON). */
  status?: number;
  /** Who was called, as messages name it: `Qingtui`, `WeChat`, `WeCom`. */
  platform?: string;
}

/**
 * A call that is not safe to repeat (a message send) may have reached the platform, but no
 * readable answer came back: a time-out or a connection reset after the request was sent, an
 * HTTP 5xx, a body that is not the platform's JSON. The message may or may not have been
 * delivered; the library did not re-send it and never will. Retry only with the platform's own
 * protection (WeCom `duplicateCheck`, WeChat `clientMsgId`) or after checking what the user got.
 *
 * A `QingtuiApiError` of kind `transient` with `maybeProcessed: true` (as before this class
 * existed), but never `retryable`, with the stable `code` `'OUTCOME_UNKNOWN'` and the `app`.
 * A failure before anything was sent (connection refused, DNS) is a plain `QingtuiApiError`.
 */
export class QingtuiOutcomeUnknownError extends QingtuiApiError {
  /** Stable code, for an HTTP front's answer or a log query. */
  readonly code = 'OUTCOME_UNKNOWN' as const;

  private constructor(
    /** Name of the app whose token signed the call. */
    readonly app: string,
    o: QingtuiOutcomeUnknownOptions,
  ) {
    super('transient', undefined, o.errmsg, o.endpoint, o.status, true, undefined, o.platform);
    this.message =
      `${o.platform ?? 'Qingtui'} ${o.endpoint} for app "${app}": outcome unknown (${o.errmsg} ` +
      'after the request was sent); it may have been delivered, so it was not re-sent';
  }

  /** The call for `app` on `endpoint` left, and what came back (if anything) cannot be read. */
  static after(o: QingtuiOutcomeUnknownOptions): QingtuiOutcomeUnknownError {
    return new QingtuiOutcomeUnknownError(o.app, o);
  }

  /** Never: repeating the call may deliver it twice. */
  override get retryable(): boolean {
    return false;
  }
}
