/** How a token record was obtained. */
export type TokenOrigin = 'credentials' | 'refresh-token' | 'forced-refresh' | 'central-server';

/**
 * Everything known about an app's current token, stored as one record so that the
 * access_token, its expiry and the refresh_token that goes with it can never disagree.
 */
export interface TokenRecord {
  accessToken: string;
  /** Epoch ms at which the platform stops accepting the access_token. */
  expiresAt: number;
  /** Epoch ms at which the token was asked for (its lifetime counts from then). */
  issuedAt: number;
  /**
   * Epoch ms at which the answer arrived: the platform issued the token between `issuedAt` and
   * this, so its real expiry is at most `receivedAt - issuedAt` after `expiresAt`.
   */
  receivedAt?: number;
  /**
   * No renewal before this instant (epoch ms): set after a renewal that got the same token back,
   * so that no instance asks again before the platform can answer anything new.
   */
  renewNotBefore?: number;
  /** refresh_token that renews this app's token (Qingtui only). A secret, stored sealed. */
  refreshToken?: string;
  /** Epoch ms after which `refreshToken` is dead. */
  refreshTokenExpiresAt?: number;
  /** Increases by one with every renewal; a write with an older generation is refused. */
  generation: number;
  origin: TokenOrigin;
}

/** What a token source returns; the generation is assigned by the store's fence. */
export type TokenGrant = Omit<TokenRecord, 'generation'>;
