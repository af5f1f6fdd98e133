import type { AxiosInstance } from 'axios';
import type { ResolvedApp } from '../../core/resolved-options.js';
import { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import { transportError } from '../../platforms/platform-answer.js';
import type { TokenGrant, TokenRecord } from '../../core/credential-record.js';
import type { RenewalReason, TokenSource } from '../../core/credential-source.js';

/** How errors (and the lifecycle's messages) name the central server. */
export const CENTRAL_SERVER_LABEL = 'central server';

/** HTTP contract of the central control server (this project's `src/`). */
export const CENTRAL_SERVER_PATHS = {
  token: (app: string) => `/apps/${encodeURIComponent(app)}/token`,
  refresh: (app: string) => `/apps/${encodeURIComponent(app)}/token/refresh`,
  ticket: (app: string, kind: string) =>
    `/apps/${encodeURIComponent(app)}/tickets/${encodeURIComponent(kind)}`,
} as const;

export interface CentralServerSourceDeps {
  http: AxiosInstance;
  url: string;
  apiKey: string;
  timeoutMs: number;
  now?: () => number;
}

/**
 * Consumer mode: tokens come from a central control server, which alone holds the secrets and
 * talks to the platforms (its contract is the same for apps of every platform). A rejected token
 * is reported to its refresh endpoint, which renews only if that token is still current.
 */
export class CentralServerTokenSource implements TokenSource {
  private readonly now: () => number;

  constructor(private readonly deps: CentralServerSourceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async renew(
    app: ResolvedApp,
    current: TokenRecord | undefined,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenGrant> {
    const stale = reason === 'stale' ? (staleToken ?? current?.accessToken) : undefined;
    const endpoint =
      stale !== undefined
        ? CENTRAL_SERVER_PATHS.refresh(app.appId)
        : CENTRAL_SERVER_PATHS.token(app.appId);
    const started = this.now();
    const { body, fail } = await this.request(
      endpoint,
      stale !== undefined ? { stale_token: stale } : undefined,
    );
    const accessToken = body.access_token;
    const realExpiry = typeof body.expires_at === 'string' ? Date.parse(body.expires_at) : NaN;
    if (typeof accessToken !== 'string' || accessToken === '' || !Number.isFinite(realExpiry)) {
      throw fail('transient', 'central server answer lacks access_token or expires_at');
    }
    // `expires_in` says how long the server lets a holder use the token (to its next planned
    // renewal, after which the platform may kill it): that is this process's horizon.
    const useFor = Number(body.expires_in);
    const expiresAt = useFor > 0 ? Math.min(realExpiry, started + useFor * 1000) : realExpiry;
    // The server's clock decides expiry; our own lifetime starts now, so that renewals are
    // scheduled within what is left of it.
    const issuedAt = Math.min(started, expiresAt - 1);
    return {
      accessToken,
      expiresAt,
      issuedAt,
      receivedAt: Math.max(issuedAt, this.now()),
      origin: 'central-server',
    };
  }

  /** The app's current ticket of `kind` (`GET /apps/:app/tickets/:kind`), with the time it has left. */
  async ticket(app: ResolvedApp, kind: string): Promise<TokenGrant> {
    const endpoint = CENTRAL_SERVER_PATHS.ticket(app.appId, kind);
    const started = this.now();
    const { body, fail } = await this.request(endpoint);
    const expiresIn = Number(body.expires_in);
    if (typeof body.ticket !== 'string' || body.ticket === '' || !(expiresIn > 0)) {
      throw fail('transient', 'central server answer lacks ticket or expires_in');
    }
    return {
      accessToken: body.ticket,
      issuedAt: started,
      expiresAt: started + expiresIn * 1000,
      receivedAt: Math.max(started, this.now()),
      origin: 'central-server',
    };
  }

  /** One call to the central server: the JSON body of a 200, or a classified error. */
  private async request(endpoint: string, data?: Record<string, string>) {
    let response;
    try {
      response = await this.deps.http.request({
        method: data !== undefined ? 'POST' : 'GET',
        baseURL: this.deps.url,
        url: endpoint,
        data,
        headers: { authorization: `Bearer ${this.deps.apiKey}` },
        timeout: this.deps.timeoutMs,
        validateStatus: () => true,
      });
    } catch (error) {
      throw transportError(error, endpoint, CENTRAL_SERVER_LABEL);
    }
    const status = response.status;
    const fail = (kind: QingtuiApiError['kind'], message: string) =>
      QingtuiApiError.transport({
        kind,
        errmsg: message,
        endpoint,
        status,
        platform: CENTRAL_SERVER_LABEL,
      });
    const body = response.data as Record<string, unknown> | undefined;
    if (status === 401 || status === 403) {
      throw fail(
        'credential',
        `central server answered HTTP ${status}: check the client key and its scope`,
      );
    }
    if (status >= 500 || typeof body !== 'object' || body === null) {
      throw fail('transient', `central server answered HTTP ${status}`);
    }
    if (status !== 200) {
      throw fail(
        'request',
        typeof body.message === 'string' ? body.message.slice(0, 500) : `HTTP ${status}`,
      );
    }
    return { body, fail };
  }
}
