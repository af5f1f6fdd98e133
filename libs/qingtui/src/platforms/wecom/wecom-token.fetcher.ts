import type { ResolvedApp, SecretReader } from '../../core/resolved-options.js';
import type { PlatformCallKind } from '../../core/platform-calls.js';
import type { TokenGrant } from '../../core/credential-record.js';
import type { ProbeVerdict } from '../../core/credential-source.js';
import { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import {
  fetchTicketFrom,
  getFromPlatform,
  probeVerdict,
  readTokenGrant,
} from '../platform-answer.js';
import type { TokenFetcher, TokenFetcherDeps } from '../platform.interface.js';
import { WECOM_DIALECT } from './wecom-errcodes.js';
import { WECOM_PATHS } from './wecom.constants.js';

/**
 * WeCom's `gettoken` for one app, and `get_api_domain_ip` as the probe. Within the token's
 * validity the platform answers the same token with the `expires_in` it was issued with: the
 * lifecycle's timing policy knows it (semantics `same-answer`) and never believes the repeated
 * `expires_in`.
 */
const HOUR_MS = 3_600_000;

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

  /**
   * The company's ticket (`jsapi`) or the app's (`agent_config`), with this app's token. WeCom
   * allows 100 an hour per app and 400 per company (`tickets.hourlyLimits`), counted by every
   * instance sharing the store: a fetch beyond them is never sent.
   */
  async fetchTicket(kind: string, accessToken: string): Promise<TokenGrant> {
    const limits = this.app.tickets?.hourlyLimits;
    if (limits) await this.withinHourlyLimits(kind, limits);
    if (kind === 'agent_config') {
      return fetchTicketFrom(this.deps, WECOM_DIALECT, this.app, WECOM_PATHS.agentTicket, {
        access_token: accessToken,
        type: 'agent_config',
      });
    }
    return fetchTicketFrom(this.deps, WECOM_DIALECT, this.app, WECOM_PATHS.jsapiTicket, {
      access_token: accessToken,
    });
  }

  /**
   * Takes one call of the app's hour and one of its company's, both kinds together (the
   * strictest reading of WeCom's "一小时内，一个企业最多可获取400次，且单个应用不能超过100次").
   */
  private async withinHourlyLimits(kind: string, limits: { app: number; corp: number }) {
    const endpoint = kind === 'agent_config' ? WECOM_PATHS.agentTicket : WECOM_PATHS.jsapiTicket;
    const refuse = (retryAfterMs: number, scope: string, limit: number) =>
      QingtuiApiError.heldBack({
        kind: 'rate-limit',
        errmsg: `${scope}'s JS-SDK ticket calls reached ${limit} this hour (WeCom's limit): not sent`,
        endpoint,
        retryAfterMs,
        platform: 'WeCom',
      });
    const appWait = await this.deps.takeFromWindow(this.app.appId, 'ticket', limits.app, HOUR_MS);
    if (appWait > 0) throw refuse(appWait, `app ${this.app.appId}`, limits.app);
    const corpWait = await this.deps.takeFromWindow(this.corpId, 'ticket', limits.corp, HOUR_MS);
    if (corpWait > 0) {
      // Not sent: the app's hour gets its call back.
      await this.deps.giveBackToWindow(this.app.appId, 'ticket', HOUR_MS);
      throw refuse(corpWait, `company ${this.corpId}`, limits.corp);
    }
  }

  private call(
    kind: PlatformCallKind,
    endpoint: string,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    return getFromPlatform(this.deps, WECOM_DIALECT, this.app, kind, endpoint, params);
  }
}
