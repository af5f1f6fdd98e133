import type { ResolvedApp, SecretReader } from '../../core/resolved-options.js';
import type { PlatformCallKind } from '../../core/platform-calls.js';
import type { TokenGrant } from '../../core/credential-record.js';
import type { ProbeVerdict } from '../../core/credential-source.js';
import { getFromPlatform, probeVerdict, readTokenGrant } from '../platform-answer.js';
import type { TokenFetcher, TokenFetcherDeps } from '../platform.interface.js';
import { WECOM_DIALECT } from './wecom-errcodes.js';
import { WECOM_PATHS } from './wecom.constants.js';

/**
 * WeCom's `gettoken` for one app, and `get_api_domain_ip` as the probe. Within the token's
 * validity the platform answers the same token with the `expires_in` it was issued with: the
 * lifecycle's timing policy knows it (semantics `same-answer`) and never believes the repeated
 * `expires_in`.
 */
export class WecomTokenFetcher implements TokenFetcher {
  private readonly corpId: string;

  constructor(
    private readonly deps: TokenFetcherDeps,
    private readonly app: ResolvedApp,
    private readonly secret: SecretReader,
  ) {
    this.corpId = app.appId.slice(0, app.appId.lastIndexOf('/'));
  }

  async fetch(): Promise<TokenGrant> {
    const corpsecret = await this.secret();
    const started = this.deps.now();
    const body = await this.call('token', WECOM_PATHS.token, { corpid: this.corpId, corpsecret });
    return {
      ...readTokenGrant(WECOM_DIALECT, body, WECOM_PATHS.token, started, this.deps.now()),
      origin: 'credentials',
    };
  }

  probe(token: string): Promise<ProbeVerdict> {
    return probeVerdict(() => this.call('api', WECOM_PATHS.probe, { access_token: token }));
  }

  private call(
    kind: PlatformCallKind,
    endpoint: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    return getFromPlatform(this.deps, WECOM_DIALECT, this.app, kind, endpoint, params);
  }
}
