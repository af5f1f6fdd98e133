import type { ResolvedApp } from './resolved-options.js';
import type { TokenGrant, TokenRecord } from './credential-record.js';

/** What the platform said of a token used for a cheap read. */
export type ProbeVerdict = 'accepted' | 'rejected' | 'unknown';

/**
 * Why a renewal runs. `force` is the explicit forced refresh (`TokenService.forceRefresh`),
 * never started by the lifecycle itself.
 */
export type RenewalReason = 'initial' | 'scheduled' | 'stale' | 'expired' | 'force';

/**
 * Obtains new tokens for the apps: from their platforms (central mode, through each app's token
 * fetcher) or from a central control server (consumer mode). A source knows the wire format; it
 * knows nothing of caching, scheduling or locking.
 */
export interface TokenSource {
  /**
   * Obtain a token to replace `current`.
   * @param current the newest stored record, if any (holds the refresh_token)
   * @param staleToken for a passive refresh: the token a caller saw rejected
   * @param parent for a kind fetched with another credential (a JS-SDK ticket, with the app's
   *   access_token): that credential's current value
   */
  renew(
    app: ResolvedApp,
    current: TokenRecord | undefined,
    reason: RenewalReason,
    staleToken?: string,
    parent?: string,
  ): Promise<TokenGrant>;
  /**
   * Whether the platform still accepts `token` (one cheap platform read). Sources that cannot
   * ask (consumer mode: the central server checks) leave it out, and reports are passed on.
   */
  probe?(app: ResolvedApp, token: string): Promise<ProbeVerdict>;
  /** Resets the app's daily call quota, where its platform offers it (WeChat `clear_quota/v2`). */
  clearQuota?(app: ResolvedApp): Promise<void>;
  /**
   * A JS-SDK ticket of `kind` for the app: from its platform, fetched with `accessToken` (the
   * app's current token), or from the central server (consumer mode, no token needed).
   */
  ticket?(app: ResolvedApp, kind: string, accessToken?: string): Promise<TokenGrant>;
}
