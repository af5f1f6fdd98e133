import type { ResolvedApp } from '../../core/resolved-options.js';
import { QingtuiError } from '../../errors/qingtui.error.js';
import type { TokenFetcher } from '../../platforms/platform.interface.js';
import type { TokenGrant, TokenRecord } from '../../core/credential-record.js';
import type { ProbeVerdict, RenewalReason, TokenSource } from '../../core/credential-source.js';

/**
 * Central mode: each app's tokens come from its platform, through the token fetcher its platform
 * made for it (the fetcher alone holds the app's secret). This source only routes by app.
 */
export class PlatformTokenSource implements TokenSource {
  constructor(private readonly fetchers: ReadonlyMap<string, TokenFetcher>) {}

  renew(
    app: ResolvedApp,
    current: TokenRecord | undefined,
    reason: RenewalReason,
  ): Promise<TokenGrant> {
    return this.fetcherOf(app).fetch(current, reason);
  }

  probe(app: ResolvedApp, token: string): Promise<ProbeVerdict> {
    return this.fetcherOf(app).probe(token);
  }

  async clearQuota(app: ResolvedApp): Promise<void> {
    const fetcher = this.fetcherOf(app);
    if (fetcher.clearQuota === undefined) {
      throw new QingtuiError(`The platform of "${app.name}" has no quota reset`);
    }
    await fetcher.clearQuota();
  }

  /** A JS-SDK ticket of `kind`, fetched with `accessToken` by the app's fetcher. */
  async ticket(app: ResolvedApp, kind: string, accessToken?: string): Promise<TokenGrant> {
    const fetcher = this.fetcherOf(app);
    if (fetcher.fetchTicket === undefined || accessToken === undefined) {
      throw new QingtuiError(`The platform of "${app.name}" issues no ${kind} ticket here`);
    }
    return fetcher.fetchTicket(kind, accessToken);
  }

  private fetcherOf(app: ResolvedApp): TokenFetcher {
    const fetcher = this.fetchers.get(app.name);
    if (fetcher === undefined) throw new QingtuiError(`No token fetcher for "${app.name}"`);
    return fetcher;
  }
}
