import type { AxiosInstance } from 'axios';
import type { ResolvedApp, SecretReader } from '../config/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiEvents } from '../events/qingtui-events.service.js';
import type { PlatformUsage } from '../token/platform-usage.js';
import type { TokenGrant, TokenRecord } from '../token/token-record.interface.js';
import type { ProbeVerdict, RenewalReason, TokenSource } from '../token/token-source.interface.js';
import {
  QINGTUI_PATHS,
  QINGTUI_REFRESH_TOKEN_TTL_MS,
  QINGTUI_TOKEN_MIN_INTERVAL_MS,
} from './qingtui-platform.constants.js';
import { parsePlatformAnswer, transportError } from './qingtui-response.js';
import { openRefreshToken, sealRefreshToken } from './refresh-token-seal.js';

/** Reserves `/v1/token` call slots (per app, across instances when the backend is shared). */
export interface TokenCallGate {
  /** 0: call now (slot taken); otherwise ms until the next slot. */
  reserve(app: ResolvedApp, intervalMs: number): Promise<number>;
}

export interface QingtuiTokenSourceDeps {
  http: AxiosInstance;
  baseUrl: string;
  timeoutMs: number;
  gate: TokenCallGate;
  usage: PlatformUsage;
  /** The AppSecret reader of each app, by name: this fetcher is its only holder. */
  secrets: ReadonlyMap<string, SecretReader>;
  /** Key of the refresh_token encryption; without it, each app's AppSecret. */
  encryptionKey?: string;
  now?: () => number;
  /** Told when the refresh_token was refused and `/v1/token` is used instead. */
  onRefreshTokenRejected?: (app: ResolvedApp, error: QingtuiApiError) => void;
  /** Told of every platform call (`qingtui.platform.call`). */
  events?: QingtuiEvents;
}

/** Longest we wait for a `/v1/token` slot inside one renewal before reporting a rate limit. */
const MAX_SLOT_WAIT_MS = QINGTUI_TOKEN_MIN_INTERVAL_MS + 500;

/**
 * Qingtui's token endpoints. Renews with the refresh_token while it lives (the platform asks
 * for it, and it is not subject to the 2 s rule), and falls back to `/v1/token` with the
 * AppSecret when there is none or the platform refuses it. `/v1/token` calls are spaced at
 * least 2 s apart per app.
 */
export class QingtuiTokenSource implements TokenSource {
  private readonly now: () => number;

  constructor(private readonly deps: QingtuiTokenSourceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async renew(
    app: ResolvedApp,
    current: TokenRecord | undefined,
    _reason: RenewalReason,
  ): Promise<TokenGrant> {
    const secret = await this.secretOf(app);
    const sealKey = this.deps.encryptionKey ?? secret;
    const refreshToken =
      current?.refreshToken && (current.refreshTokenExpiresAt ?? 0) > this.now()
        ? openRefreshToken(current.refreshToken, sealKey, app.appId)
        : undefined;
    if (refreshToken !== undefined) {
      try {
        return await this.refresh(app, current!, refreshToken);
      } catch (error) {
        if (!(error instanceof QingtuiApiError) || error.kind !== 'refresh-token') throw error;
        this.deps.onRefreshTokenRejected?.(app, error);
      }
    }
    return this.fetchWithCredentials(app, secret, sealKey);
  }

  /**
   * Asks the platform whether it still accepts `token`, with the cheapest read there is: the
   * first follower of the app. A token-invalid errcode is a rejection; an answer or any other
   * errcode (no permission, say) means the token itself was accepted.
   */
  async probe(app: ResolvedApp, token: string): Promise<ProbeVerdict> {
    try {
      await this.call(app, QINGTUI_PATHS.probe, {
        access_token: token,
        page_size: '1',
        request_page: '1',
      });
      return 'accepted';
    } catch (error) {
      if (error instanceof QingtuiApiError && error.kind === 'token-invalid') return 'rejected';
      if (error instanceof QingtuiApiError && error.errcode !== undefined) return 'accepted';
      return 'unknown';
    }
  }

  private async secretOf(app: ResolvedApp): Promise<string> {
    const read = this.deps.secrets.get(app.name);
    if (read === undefined) {
      throw new QingtuiApiError('credential', undefined, 'no AppSecret configured', QINGTUI_PATHS.token);
    }
    return read();
  }

  private async refresh(
    app: ResolvedApp,
    current: TokenRecord,
    refreshToken: string,
  ): Promise<TokenGrant> {
    const started = this.now();
    const body = await this.call(app, QINGTUI_PATHS.refreshToken, { refresh_token: refreshToken });
    return {
      ...this.parseGrant(body, QINGTUI_PATHS.refreshToken, started),
      refreshToken: current.refreshToken,
      refreshTokenExpiresAt: current.refreshTokenExpiresAt,
      origin: 'refresh-token',
    };
  }

  private async fetchWithCredentials(
    app: ResolvedApp,
    secret: string,
    sealKey: string,
  ): Promise<TokenGrant> {
    await this.takeTokenSlot(app);
    const started = this.now();
    const body = await this.call(app, QINGTUI_PATHS.token, {
      grant_type: 'client_credential',
      appid: app.appId,
      secret,
    });
    const grant = this.parseGrant(body, QINGTUI_PATHS.token, started);
    const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
    return {
      ...grant,
      // Sealed before it leaves this class: stores and logs only ever see the sealed form.
      refreshToken: refreshToken ? sealRefreshToken(refreshToken, sealKey, app.appId) : undefined,
      refreshTokenExpiresAt: refreshToken ? started + QINGTUI_REFRESH_TOKEN_TTL_MS : undefined,
      origin: 'credentials',
    };
  }

  private async takeTokenSlot(app: ResolvedApp): Promise<void> {
    const deadline = this.now() + MAX_SLOT_WAIT_MS;
    for (;;) {
      const wait = await this.deps.gate.reserve(app, QINGTUI_TOKEN_MIN_INTERVAL_MS);
      if (wait === 0) return;
      if (this.now() + wait > deadline) {
        throw new QingtuiApiError(
          'rate-limit',
          undefined,
          `held back: next /v1/token call for this app allowed in ${wait} ms`,
          QINGTUI_PATHS.token,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** One platform call, counted against the quota and told to the events as it ends. */
  private async call(
    app: ResolvedApp,
    endpoint: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    const kind =
      endpoint === QINGTUI_PATHS.token
        ? 'token'
        : endpoint === QINGTUI_PATHS.refreshToken
          ? 'refresh'
          : 'probe';
    this.deps.usage.record(app.name, kind === 'probe' ? 'api' : kind);
    const started = Date.now();
    const told = (error?: unknown) =>
      this.deps.events?.emit(QINGTUI_EVENTS.platformCall, {
        app: app.name,
        endpoint: kind,
        outcome: error === undefined ? 'ok' : error instanceof QingtuiApiError ? error.kind : 'transient',
        ...(error instanceof QingtuiApiError && error.errcode !== undefined ? { errcode: error.errcode } : {}),
        durationMs: Date.now() - started,
      });
    try {
      const body = await this.send(endpoint, params);
      told();
      return body;
    } catch (error) {
      told(error);
      throw error;
    }
  }

  private async send(endpoint: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    let response;
    try {
      response = await this.deps.http.request({
        method: 'GET',
        baseURL: this.deps.baseUrl,
        url: endpoint,
        params,
        timeout: this.deps.timeoutMs,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
      });
    } catch (error) {
      throw transportError(error, endpoint);
    }
    return parsePlatformAnswer(endpoint, response.status, response.data);
  }

  private parseGrant(
    body: Record<string, unknown>,
    endpoint: string,
    started: number,
  ): Pick<TokenGrant, 'accessToken' | 'expiresAt' | 'issuedAt'> {
    const accessToken = body.access_token;
    const expiresIn = Number(body.expires_in);
    if (typeof accessToken !== 'string' || accessToken === '' || !(expiresIn > 0)) {
      throw new QingtuiApiError(
        'transient',
        undefined,
        'answer lacks access_token or a positive expires_in',
        endpoint,
      );
    }
    // Lifetime counts from when the request was sent: the platform's clock started no later.
    return { accessToken, issuedAt: started, expiresAt: started + expiresIn * 1000 };
  }
}
