import type { AxiosRequestConfig } from 'axios';

/** Per-request options read by the access-token interceptor. */
export interface QingtuiRequestOptions {
  /** Name of the app whose access_token is added to the request. */
  app: string;
  /**
   * Whether re-sending the request can do no harm (reads, status queries). Defaults to true for
   * GET and false otherwise. A non-idempotent request (a message send) is re-sent after a
   * transport failure only when it surely never reached the platform.
   */
  idempotent?: boolean;
  /**
   * Errcodes the caller reads as an answer rather than an error: a body with one of them is
   * handed back as it is (WeChat's 45065 on a mass send: already sent, with the first msg_id).
   */
  answerErrcodes?: readonly number[];
}

/** Internal bookkeeping of one request through the interceptor. */
export interface QingtuiRequestState {
  /** Token the request was sent with. */
  token?: string;
  /** Set once the request has been re-sent: it is never re-sent twice. */
  retried?: boolean;
  /** When the request (or its re-send) left, for `qingtui.platform.call`. */
  sentAt?: number;
}

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Set to have the Qingtui interceptor add the app's access_token and heal token errors. */
    qingtui?: QingtuiRequestOptions;
    /** @internal */
    qingtuiState?: QingtuiRequestState;
  }
}

export type QingtuiAxiosConfig = AxiosRequestConfig & { qingtui: QingtuiRequestOptions };
