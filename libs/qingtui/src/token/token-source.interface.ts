import type { ResolvedApp } from '../config/resolved-options.js';
import type { TokenGrant, TokenRecord } from './token-record.interface.js';

/** What the platform said of a token used for a cheap read. */
export type ProbeVerdict = 'accepted' | 'rejected' | 'unknown';

/** Why a renewal runs. */
export type RenewalReason = 'initial' | 'scheduled' | 'stale' | 'expired';

/**
 * Obtains new tokens for an app: from the platform (central mode) or from a central control
 * server (consumer mode). A source knows the wire format; it knows nothing of caching,
 * scheduling or locking.
 */
export interface TokenSource {
  /**
   * Obtain a token to replace `current`.
   * @param current the newest stored record, if any (holds the refresh_token)
   * @param staleToken for a passive refresh: the token a caller saw rejected
   */
  renew(
    app: ResolvedApp,
    current: TokenRecord | undefined,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenGrant>;
  /**
   * Whether the platform still accepts `token` (one cheap platform read). Sources that cannot
   * ask (consumer mode: the central server checks) leave it out, and reports are passed on.
   */
  probe?(app: ResolvedApp, token: string): Promise<ProbeVerdict>;
}
