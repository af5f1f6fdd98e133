/**
 * The relay's own answers (refusals, and failures to reach the platform), in the shape of the
 * app's platform, `{"errcode": <n>, "errmsg": "..."}`, so that an unmodified SDK reads them as
 * it reads the platform's: a 401 carries the platform's invalid-token errcode, on which SDKs
 * fetch a new token (from this server) rather than loop; a 5xx carries -1 ("system busy").
 */

/** Why the relay answered itself. */
export type RelayRefusalKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'unknown-app'
  | 'bad-path'
  | 'too-large'
  | 'body-timeout'
  | 'rate-limited'
  | 'unavailable'
  | 'transport'
  | 'timeout';

const STATUS: Record<RelayRefusalKind, number> = {
  unauthenticated: 401,
  forbidden: 403,
  'unknown-app': 404,
  'bad-path': 400,
  'too-large': 413,
  'body-timeout': 408,
  'rate-limited': 429,
  unavailable: 503,
  transport: 502,
  timeout: 504,
};

/**
 * The invalid-token errcode SDKs of each platform react to by fetching a new token: WeChat
 * 40001 ("invalid credential, access_token is invalid or not latest"), WeCom 40014 ("invalid
 * access_token": on WeCom 40001 means a wrong secret), Qingtui 40014 ("invalid access_token").
 */
const INVALID_TOKEN: Record<string, { errcode: number; errmsg: string }> = {
  'wechat-mp': {
    errcode: 40001,
    errmsg: 'invalid credential, access_token is invalid or not latest',
  },
  wecom: { errcode: 40014, errmsg: 'invalid access_token' },
  qingtui: { errcode: 40014, errmsg: 'invalid access_token' },
};

/** Errcodes of the other refusals, as the platforms number them (WeChat's table, shared). */
const ERRCODE: Record<Exclude<RelayRefusalKind, 'unauthenticated'>, number> = {
  forbidden: 48001,
  'unknown-app': 40013,
  'bad-path': 40035,
  'too-large': 45002,
  'body-timeout': 44002,
  // WeChat's and WeCom's "api freq out of limit": SDKs back off on it.
  'rate-limited': 45009,
  unavailable: -1,
  transport: -1,
  timeout: -1,
};

/** One answer of the relay itself. */
export class RelayRefusal extends Error {
  readonly status: number;

  constructor(
    readonly kind: RelayRefusalKind,
    /** What is wrong, for the client (never a token, a key or a query string). */
    readonly detail: string,
    /** Extra answer headers (`Retry-After`, `WWW-Authenticate`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = STATUS[kind];
  }

  /** The body, in the shape of `platform`'s answers. */
  bodyFor(platform: string): { errcode: number; errmsg: string } {
    if (this.kind === 'unauthenticated') {
      const shape = INVALID_TOKEN[platform] ?? INVALID_TOKEN.qingtui;
      return { errcode: shape.errcode, errmsg: `${shape.errmsg} (relay: ${this.detail})` };
    }
    return { errcode: ERRCODE[this.kind], errmsg: `relay: ${this.detail}` };
  }
}
