import type { ResolvedApp, SecretReader } from '../../core/resolved-options.js';
import { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import type { PlatformCallKind } from '../../core/platform-calls.js';
import type { TokenGrant, TokenRecord } from '../../core/credential-record.js';
import type { ProbeVerdict } from '../../core/credential-source.js';
import {
  fetchTicketFrom,
  getFromPlatform,
  probeVerdict,
  readTokenGrant,
} from '../platform-answer.js';
import type { TokenFetcher, TokenFetcherDeps } from '../platform.interface.js';
import { QINGTUI_DIALECT } from './qingtui-errcodes.js';
import {
  QINGTUI_PATHS,
  QINGTUI_REFRESH_TOKEN_TTL_MS,
  QINGTUI_TOKEN_MIN_INTERVAL_MS,
} from './qingtui-platform.constants.js';
import { openRefreshToken, sealRefreshToken } from './refresh-token-seal.js';

/** Longest we wait for a `/v1/token` slot inside one renewal before reporting a rate limit. */
const MAX_SLOT_WAIT_MS = QINGTUI_TOKEN_MIN_INTERVAL_MS + 500;

/**
 * Qingtui's token endpoints for one app. Renews with the refresh_token while it lives (the
 * platform asks for it, and it is not subject to the 2 s rule), and falls back to `/v1/token`
 * with the AppSecret when there is none or the platform refuses it. `/v1/token` calls are
 * spaced at least 2 s apart per app, across instances.
 */
export class QingtuiTokenFetcher implements TokenFetcher {
  constructor(
    private readonly deps: TokenFetcherDeps,
    private readonly app: ResolvedApp,
    private readonly secret: SecretReader,
  ) {}

  async fetch(current: TokenRecord | undefined): Promise<TokenGrant> {
    const secret = await this.secret();
    const sealKey = this.deps.encryptionKey ?? secret;
    const refreshToken =
      current?.refreshToken && (current.refreshTokenExpiresAt ?? 0) > this.deps.now()
        ? openRefreshToken(current.refreshToken, sealKey, this.app.appId)
        : undefined;
    if (refreshToken !== undefined) {
      try {
        return await this.refresh(current!, refreshToken);
      } catch (error) {
        if (!(error instanceof QingtuiApiError) || error.kind !== 'refresh-token') throw error;
        this.deps.onRefreshTokenRejected?.(error);
      }
    }
    return this.fetchWithCredentials(secret, sealKey);
  }

  /** The first follower of the app: the cheapest read there is. */
  /** The JS-SDK ticket (`jsapi`, the only kind): counted in the day's calls. */
  fetchTicket(_kind: string, accessToken: string): Promise<TokenGrant> {
    return fetchTicketFrom(this.deps, QINGTUI_DIALECT, this.app, QINGTUI_PATHS.ticket, {
      access_token: accessToken,
    });
  }

  probe(token: string): Promise<ProbeVerdict> {
    return probeVerdict(() =>
      this.call('api', QINGTUI_PATHS.probe, {
        access_token: token,
        page_size: '1',
        request_page: '1',
      }),
    );
  }

  private async refresh(current: TokenRecord, refreshToken: string): Promise<TokenGrant> {
    const started = this.deps.now();
    const body = await this.call('refresh', QINGTUI_PATHS.refreshToken, {
      refresh_token: refreshToken,
    });
    return {
      ...readTokenGrant(
        QINGTUI_DIALECT,
        body,
        QINGTUI_PATHS.refreshToken,
        started,
        this.deps.now(),
      ),
      refreshToken: current.refreshToken,
      refreshTokenExpiresAt: current.refreshTokenExpiresAt,
      origin: 'refresh-token',
    };
  }

  private async fetchWithCredentials(secret: string, sealKey: string): Promise<TokenGrant> {
    await this.takeTokenSlot();
    const started = this.deps.now();
    const body = await this.call('token', QINGTUI_PATHS.token, {
      grant_type: 'client_credential',
      appid: this.app.appId,
      secret,
    });
    const grant = readTokenGrant(
      QINGTUI_DIALECT,
      body,
      QINGTUI_PATHS.token,
      started,
      this.deps.now(),
    );
    const refreshToken = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
    return {
      ...grant,
      // Sealed before it leaves this class: stores and logs only ever see the sealed form.
      refreshToken: refreshToken
        ? sealRefreshToken(refreshToken, sealKey, this.app.appId)
        : undefined,
      refreshTokenExpiresAt: refreshToken ? started + QINGTUI_REFRESH_TOKEN_TTL_MS : undefined,
      origin: 'credentials',
    };
  }

  private async takeTokenSlot(): Promise<void> {
    const deadline = this.deps.now() + MAX_SLOT_WAIT_MS;
    for (;;) {
      const wait = await this.deps.reserveTokenCall(QINGTUI_TOKEN_MIN_INTERVAL_MS);
      if (wait === 0) return;
      if (this.deps.now() + wait > deadline) {
        throw QingtuiApiError.heldBack({
          kind: 'rate-limit',
          errmsg: `held back: next /v1/token call for this app allowed in ${wait} ms`,
          endpoint: QINGTUI_PATHS.token,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private call(
    kind: PlatformCallKind,
    endpoint: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    return getFromPlatform(this.deps, QINGTUI_DIALECT, this.app, kind, endpoint, params);
  }
}
