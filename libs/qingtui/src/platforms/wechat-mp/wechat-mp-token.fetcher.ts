import type { ResolvedApp, SecretReader } from '../../core/resolved-options.js';
import type { PlatformCallKind } from '../../core/platform-calls.js';
import type { TokenGrant } from '../../core/credential-record.js';
import type { ProbeVerdict, RenewalReason } from '../../core/credential-source.js';
import {
  callPlatform,
  fetchTicketFrom,
  type PlatformCall,
  probeVerdict,
  readTokenGrant,
} from '../platform-answer.js';
import type { TokenFetcher, TokenFetcherDeps } from '../platform.interface.js';
import { WECHAT_MP_DIALECT } from './wechat-mp-errcodes.js';
import { WECHAT_MP_NAMESPACES, WECHAT_MP_PATHS } from './wechat-mp.constants.js';

/**
 * WeChat's token endpoints for one account: `/cgi-bin/token` (classic: every call issues a new
 * token and kills the previous one after the overlap) or `/cgi-bin/stable_token` (normal mode;
 * `force_refresh` only for the explicit forced refresh), `clear_quota/v2` on demand, and
 * `getcallbackip` as the probe.
 */
export class WechatMpTokenFetcher implements TokenFetcher {
  private readonly stable: boolean;

  constructor(
    private readonly deps: TokenFetcherDeps,
    private readonly app: ResolvedApp,
    private readonly secret: SecretReader,
  ) {
    this.stable = app.keyNamespace === WECHAT_MP_NAMESPACES.stable;
  }

  async fetch(_current: unknown, reason: RenewalReason): Promise<TokenGrant> {
    const secret = await this.secret();
    const force = reason === 'force';
    const endpoint = this.stable ? WECHAT_MP_PATHS.stableToken : WECHAT_MP_PATHS.token;
    const started = this.deps.now();
    const body = await this.call(
      'token',
      this.stable
        ? {
            method: 'POST',
            baseUrl: this.app.baseUrl,
            endpoint,
            data: {
              grant_type: 'client_credential',
              appid: this.app.appId,
              secret,
              force_refresh: force,
            },
          }
        : {
            method: 'GET',
            baseUrl: this.app.baseUrl,
            endpoint,
            params: { grant_type: 'client_credential', appid: this.app.appId, secret },
          },
    );
    return {
      ...readTokenGrant(WECHAT_MP_DIALECT, body, endpoint, started, this.deps.now()),
      origin: force ? 'forced-refresh' : 'credentials',
    };
  }

  /** `jsapi` or `wx_card`: counted in the day's calls like any other API call. */
  fetchTicket(kind: string, accessToken: string): Promise<TokenGrant> {
    return fetchTicketFrom(this.deps, WECHAT_MP_DIALECT, this.app, WECHAT_MP_PATHS.ticket, {
      access_token: accessToken,
      type: kind,
    });
  }

  probe(token: string): Promise<ProbeVerdict> {
    return probeVerdict(() =>
      this.call('api', {
        method: 'GET',
        baseUrl: this.app.baseUrl,
        endpoint: WECHAT_MP_PATHS.probe,
        params: { access_token: token },
      }),
    );
  }

  async clearQuota(): Promise<void> {
    const secret = await this.secret();
    await this.call('api', {
      method: 'POST',
      baseUrl: this.app.baseUrl,
      endpoint: WECHAT_MP_PATHS.clearQuota,
      data: { appid: this.app.appId, appsecret: secret },
    });
  }

  private call(kind: PlatformCallKind, call: PlatformCall): Promise<Record<string, unknown>> {
    return callPlatform(this.deps, WECHAT_MP_DIALECT, call, { app: this.app.name, kind });
  }
}
