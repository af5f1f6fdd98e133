import { randomBytes } from 'node:crypto';
import type { ResolvedQingtuiOptions } from './qingtui.options.js';
import { TokenCodec } from './token-codec.js';

/** What the platform thinks of an access_token presented on an API call. */
export type AccessTokenStatus =
  | { readonly state: 'valid'; readonly appId: string }
  | { readonly state: 'missing' }
  /** Not a token the platform issued (or issued before a reset). */
  | { readonly state: 'unknown' }
  | { readonly state: 'expired'; readonly appId: string }
  /** Issued by the platform, not expired, but revoked or superseded (overlap rule). */
  | { readonly state: 'invalid'; readonly appId: string };

/** Body of a successful `/v1/token` answer. */
export interface TokenGrant {
  access_token: string;
  expires_in: number;
  refresh_token: string;
}

/** Body of a successful `/auth/autoRefreshToken` answer. */
export interface RefreshGrant {
  access_token: string;
  expires_in: number;
}

interface AccessTokenRecord {
  readonly appId: string;
  readonly expiresAtMs: number;
  /** Expiry as written in the payload (whole seconds, rounded up), in ms. */
  readonly payloadExpiryMs: number;
  /** When the token stops working: its expiry, or earlier once superseded. */
  deadAtMs: number;
}

interface RefreshTokenRecord {
  readonly appId: string;
  readonly expiresAtMs: number;
}

/** Forgotten records are swept after this many issues. */
const SWEEP_EVERY = 512;

/**
 * The platform's token state: issues access and refresh tokens, judges the
 * tokens presented on calls, and revokes them.
 *
 * Records of access tokens are dropped once their payload expiry has passed;
 * the signature still identifies such a token, so it keeps getting 42001.
 * Revoking deletes the records, so revoked tokens get 40014.
 */
export class TokenAuthority {
  private readonly codec: TokenCodec;
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** appId → newest access_token issued. */
  private readonly newestAccess = new Map<string, string>();
  /** appId → the one live refresh_token. */
  private readonly currentRefresh = new Map<string, string>();
  private issuesSinceSweep = 0;

  constructor(private readonly options: ResolvedQingtuiOptions) {
    this.codec = new TokenCodec(options.tokenLength);
    for (const app of options.apps.values()) this.codec.assertFits(app.appId, app.domainId);
  }

  /**
   * `/v1/token` success: a new access_token and a new refresh_token. The
   * app's previous refresh_token dies at once.
   */
  grantByCredentials(appId: string): TokenGrant {
    const previous = this.currentRefresh.get(appId);
    if (previous !== undefined) this.refreshTokens.delete(previous);
    const refreshToken = `rt_${randomBytes(16).toString('hex')}`;
    this.refreshTokens.set(refreshToken, {
      appId,
      expiresAtMs: this.options.now() + this.options.refreshTokenTtlSeconds * 1000,
    });
    this.currentRefresh.set(appId, refreshToken);
    return { ...this.issueAccessToken(appId), refresh_token: refreshToken };
  }

  /** `/auth/autoRefreshToken` success: a new access_token; the refresh_token stays usable. */
  grantByRefresh(appId: string): RefreshGrant {
    return this.issueAccessToken(appId);
  }

  /** The app of a refresh_token, whether or not it is still usable. */
  refreshTokenOwner(refreshToken: string): string | undefined {
    return this.refreshTokens.get(refreshToken)?.appId;
  }

  /** The app of a refresh_token that can still be used, else undefined. */
  usableRefreshToken(refreshToken: string): string | undefined {
    // Expired records stay until the sweep, so the call is still attributed to the app.
    const record = this.refreshTokens.get(refreshToken);
    return record !== undefined && this.options.now() < record.expiresAtMs
      ? record.appId
      : undefined;
  }

  /** Judges an access_token presented on an API call. */
  inspect(token: string | null | undefined): AccessTokenStatus {
    if (!token) return { state: 'missing' };
    const now = this.options.now();
    const record = this.accessTokens.get(token);
    if (record !== undefined) {
      if (now < record.deadAtMs) return { state: 'valid', appId: record.appId };
      return { state: now >= record.expiresAtMs ? 'expired' : 'invalid', appId: record.appId };
    }
    const claims = this.codec.decode(token);
    if (claims === undefined || !this.options.apps.has(claims.appid)) return { state: 'unknown' };
    return { state: now >= claims.expires_in * 1000 ? 'expired' : 'invalid', appId: claims.appid };
  }

  /** The newest access_token issued to the app, valid or not. */
  newestAccessToken(appId: string): string | undefined {
    return this.newestAccess.get(appId);
  }

  /** Invalidates every access_token of the app (all apps when omitted). */
  revokeAccessTokens(appId?: string): void {
    for (const [token, record] of this.accessTokens) {
      if (appId === undefined || record.appId === appId) this.accessTokens.delete(token);
    }
  }

  /** Kills the current refresh_token of the app (all apps when omitted). */
  killRefreshTokens(appId?: string): void {
    for (const [app, token] of this.currentRefresh) {
      if (appId !== undefined && app !== appId) continue;
      this.refreshTokens.delete(token);
      this.currentRefresh.delete(app);
    }
  }

  /** Forgets every token; tokens issued so far are no longer recognised at all. */
  reset(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.newestAccess.clear();
    this.currentRefresh.clear();
    this.codec.rotateKey();
  }

  private issueAccessToken(appId: string): RefreshGrant {
    const { now: clock, tokenTtlSeconds, overlapSeconds, apps } = this.options;
    const now = clock();
    if (overlapSeconds !== undefined) this.supersede(appId, now + overlapSeconds * 1000);

    const expiresAtMs = now + tokenTtlSeconds * 1000;
    const expiresIn = Math.ceil(expiresAtMs / 1000);
    const token = this.codec.encode({
      domain_id: apps.get(appId)?.domainId ?? '',
      appid: appId,
      dispatch: 'sandbox',
      expires_in: expiresIn,
    });
    this.accessTokens.set(token, {
      appId,
      expiresAtMs,
      payloadExpiryMs: expiresIn * 1000,
      deadAtMs: expiresAtMs,
    });
    this.newestAccess.set(appId, token);
    if (++this.issuesSinceSweep >= SWEEP_EVERY) this.sweep(now);
    return { access_token: token, expires_in: tokenTtlSeconds };
  }

  /** Older tokens are already superseded, so only the newest needs a deadline. */
  private supersede(appId: string, deadAtMs: number): void {
    const newest = this.newestAccess.get(appId);
    const record = newest === undefined ? undefined : this.accessTokens.get(newest);
    if (record !== undefined) record.deadAtMs = Math.min(record.deadAtMs, deadAtMs);
  }

  private sweep(now: number): void {
    this.issuesSinceSweep = 0;
    for (const [token, record] of this.accessTokens) {
      if (now >= record.payloadExpiryMs) this.accessTokens.delete(token);
    }
    for (const [token, record] of this.refreshTokens) {
      if (now >= record.expiresAtMs) this.refreshTokens.delete(token);
    }
  }
}
