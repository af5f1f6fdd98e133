import { OpaqueTokenCodec } from './opaque-token-codec.js';

/** What the platform thinks of an access token presented on a business call. */
export type LedgerTokenStatus =
  | { readonly state: 'missing' }
  /** Not a token this platform issued (or issued before a reset): malformed. */
  | { readonly state: 'unknown' }
  | { readonly state: 'valid'; readonly appKey: string }
  | { readonly state: 'expired'; readonly appKey: string }
  /** Issued, not expired, but revoked or superseded. */
  | { readonly state: 'invalid'; readonly appKey: string };

/** An issued token as the ledger remembers it. */
export interface IssuedToken {
  readonly token: string;
  readonly appKey: string;
  /** Which of the app's token families it belongs to (e.g. WeChat `classic` or `stable`). */
  readonly family: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  /** When it stops working: its expiry, or earlier once superseded or revoked. */
  deadAtMs: number;
}

/** Records are swept after this many issues. */
const SWEEP_EVERY = 512;

/**
 * The opaque access tokens one platform issued, and their fate. Records are
 * dropped once the token has expired: the codec still recognises it, so it
 * keeps getting "expired" rather than "unknown".
 */
export class TokenLedger {
  private readonly codec = new OpaqueTokenCodec();
  private readonly records = new Map<string, IssuedToken>();
  private issuesSinceSweep = 0;

  constructor(private readonly now: () => number) {}

  /** Issues a token that lives `ttlMs` from now. */
  issue(appKey: string, family: string, ttlMs: number): IssuedToken {
    const now = this.now();
    const expiresAtMs = now + ttlMs;
    const token = this.codec.encode({ app: appKey, exp: expiresAtMs });
    const record: IssuedToken = {
      token,
      appKey,
      family,
      issuedAtMs: now,
      expiresAtMs,
      deadAtMs: expiresAtMs,
    };
    this.records.set(token, record);
    if (++this.issuesSinceSweep >= SWEEP_EVERY) this.sweep(now);
    return record;
  }

  /** The record of a token still remembered (not yet expired and swept). */
  record(token: string): IssuedToken | undefined {
    return this.records.get(token);
  }

  /** Whether the token works now. */
  isAlive(record: IssuedToken | undefined): record is IssuedToken {
    return record !== undefined && this.now() < record.deadAtMs;
  }

  /** Makes the token die at `atMs` (or now), unless it dies earlier anyway. */
  kill(token: string, atMs = this.now()): void {
    const record = this.records.get(token);
    if (record !== undefined) record.deadAtMs = Math.min(record.deadAtMs, atMs);
  }

  /** Kills every live token of the app (of every app when omitted), of one family or all. */
  killApp(appKey: string | undefined, family?: string): void {
    const now = this.now();
    for (const record of this.records.values()) {
      if (appKey !== undefined && record.appKey !== appKey) continue;
      if (family !== undefined && record.family !== family) continue;
      record.deadAtMs = Math.min(record.deadAtMs, now);
    }
  }

  /** Kills every live token of the app's family except `keep`. */
  killAppExcept(appKey: string, family: string, keep: string | undefined): void {
    const now = this.now();
    for (const record of this.records.values()) {
      if (record.appKey !== appKey || record.family !== family || record.token === keep) continue;
      record.deadAtMs = Math.min(record.deadAtMs, now);
    }
  }

  /** Judges a token presented on a business call. */
  inspect(token: string | null | undefined): LedgerTokenStatus {
    if (!token) return { state: 'missing' };
    const now = this.now();
    const record = this.records.get(token);
    if (record !== undefined) {
      if (now < record.deadAtMs) return { state: 'valid', appKey: record.appKey };
      return { state: now >= record.expiresAtMs ? 'expired' : 'invalid', appKey: record.appKey };
    }
    const claims = this.codec.decode(token);
    if (claims === undefined) return { state: 'unknown' };
    // Records are only dropped after expiry, so a remembered-by-signature token has expired.
    return { state: now >= claims.exp ? 'expired' : 'invalid', appKey: claims.app };
  }

  /** Forgets every token; tokens issued so far are no longer recognised at all. */
  reset(): void {
    this.records.clear();
    this.codec.rotateKey();
  }

  private sweep(now: number): void {
    this.issuesSinceSweep = 0;
    for (const [token, record] of this.records) {
      if (now >= record.expiresAtMs) this.records.delete(token);
    }
  }
}
