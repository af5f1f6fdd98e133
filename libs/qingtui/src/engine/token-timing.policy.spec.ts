import { describe, expect, it } from 'vitest';
import type { TokenFetchSemantics } from '../core/fetch-semantics.js';
import type { TokenRecord } from '../core/credential-record.js';
import { TokenTimingPolicy } from './token-timing.policy.js';

const REFRESH = {
  ratio: 0.8,
  minValidityMs: 30_000,
  jitterRatio: 0.02,
  sweepIntervalMs: 5_000,
  reconcilePerSecond: 10,
};
const QINGTUI: TokenFetchSemantics = { refreshToken: true, clearQuota: false };
const CLASSIC: TokenFetchSemantics = {
  supersedes: { overlapMs: 300_000 },
  refreshToken: false,
  clearQuota: true,
};
const STABLE: TokenFetchSemantics = {
  repeatsWhileValid: 'time-left',
  rotationWindowMs: 300_000,
  refreshToken: false,
  clearQuota: true,
};
const WECOM: TokenFetchSemantics = {
  repeatsWhileValid: 'same-answer',
  refreshToken: false,
  clearQuota: false,
};

const T0 = 1_000_000_000;
const H2 = 7_200_000;

function record(issuedAt: number, lifetimeMs: number, roundTripMs = 100): TokenRecord {
  return {
    accessToken: 't',
    issuedAt,
    receivedAt: issuedAt + roundTripMs,
    expiresAt: issuedAt + lifetimeMs,
    generation: 1,
    origin: 'credentials',
  };
}

function policy(semantics: TokenFetchSemantics, now = T0) {
  return new TokenTimingPolicy(REFRESH, semantics, () => now);
}

describe('TokenTimingPolicy', () => {
  it('renews a Qingtui token at the ratio of its lifetime, serving it until 30 s before expiry', () => {
    const r = record(T0, H2);
    expect(policy(QINGTUI).renewAt(r)).toBe(T0 + 0.8 * H2);
    expect(policy(QINGTUI).serveUntil(r)).toBe(r.expiresAt - 30_000);
  });

  it('renews a WeChat classic token no earlier than expiry minus the overlap (plus a safety)', () => {
    const r = record(T0, H2);
    const at = policy(CLASSIC).renewAt(r);
    // The previous token dies `overlap` after the renewal: after its own expiry.
    expect(at + 300_000).toBeGreaterThan(r.expiresAt);
    expect(at).toBe(r.expiresAt - 300_000 + 5_000);
    // ...and still well before the margin, leaving room for retries.
    expect(at).toBeLessThan(policy(CLASSIC).serveUntil(r) - 200_000);
  });

  it('keeps the classic rule with compressed time (6 s tokens, 2 s overlap)', () => {
    const semantics = { ...CLASSIC, supersedes: { overlapMs: 2_000 } };
    const r = record(T0, 6_000, 5);
    const p = policy(semantics);
    const at = p.renewAt(r);
    expect(at + 2_000).toBeGreaterThan(r.expiresAt);
    expect(at).toBeLessThan(p.serveUntil(r));
    // The jitter never pushes the renewal past the margin.
    for (let i = 0; i < 50; i++) expect(at + p.jitter(r)).toBeLessThan(p.serveUntil(r));
  });

  it('renews a stable token inside the platform rotation window', () => {
    const r = record(T0, H2);
    const p = policy(STABLE);
    const at = p.renewAt(r);
    expect(at).toBeGreaterThan(r.expiresAt - 300_000);
    expect(at).toBeLessThan(p.serveUntil(r));
  });

  it('serves a WeCom token to its end and renews once the platform has surely expired it', () => {
    const r = record(T0, H2, 150);
    const p = policy(WECOM, r.expiresAt - 10_000);
    expect(p.renewAt(r)).toBe(r.expiresAt + 150 + 250);
    // Handed out until twice the round trip before expiry (issue 13.5: not 30 s before).
    expect(p.serveUntil(r)).toBe(r.expiresAt - 300);
    expect(p.usable(r)).toBe(true);
    // A caller past the margin waits the margin, the round trip and the safety: 700 ms here.
    const late = policy(WECOM, p.serveUntil(r));
    expect(late.fetchWaitMs(r, 'expired')).toBe(300 + 150 + 250);
    // With a fast platform the margin is 200 ms, and never more than minValidityMs.
    expect(policy(WECOM, T0).serveUntil(record(T0, H2, 5))).toBe(record(T0, H2, 5).expiresAt - 200);
    // A confirmed rejection (early invalidation) fetches at once.
    expect(p.fetchWaitMs(r, 'stale')).toBe(0);
    expect(p.jitter(r)).toBe(0);
  });

  it('never extends the expiry when a WeCom fetch repeats the token, and waits for expiry', () => {
    const known = record(T0, H2);
    const now = T0 + 1_000_000;
    const p = policy(WECOM, now);
    // The repeated answer carries the original expires_in: a later expiry, not believed.
    const repeated = { ...record(now, H2), origin: 'credentials' as const };
    const kept = p.sameToken(known, repeated);
    expect(kept.expiresAt).toBe(known.expiresAt);
    expect(kept.renewNotBefore).toBe(p.fetchableAt({ ...known, renewNotBefore: undefined }));
    expect(p.renewAt({ ...kept, generation: 2 })).toBeGreaterThanOrEqual(known.expiresAt);
  });

  it('after a WeCom repeat past expiry, tries again soon but never in a tight loop', () => {
    const known = record(T0, 6_000, 10);
    const now = known.expiresAt + 50;
    const p = policy(WECOM, now);
    const kept = p.sameToken(known, record(now, 6_000, 10));
    expect(kept.renewNotBefore! - now).toBeGreaterThanOrEqual(200);
    // The platform still holds it: believed for at most 2 s more, then the hand-over's safety.
    expect(kept.expiresAt).toBe(now + 2_000);
    expect(kept.renewNotBefore! - now).toBeLessThanOrEqual(2_000 + 10 + 250);
  });

  it('a JS-SDK ticket repeated past its known expiry is never believed alive (its expires_in is reset)', () => {
    const TICKET: TokenFetchSemantics = {
      ...WECOM,
      repeatResetsExpiry: true,
      servingMarginMs: 5_000,
    };
    const known = record(T0, H2, 10);
    const now = known.expiresAt + 50;
    const p = policy(TICKET, now);
    // The platform's copy still answers, with 7200 s again: it dies any moment, not in 2 s.
    const kept = p.sameToken(known, record(now, H2, 10));
    expect(kept.expiresAt).toBe(known.expiresAt);
    expect(p.usable({ ...kept, generation: 2 })).toBe(false);
    expect(kept.renewNotBefore! - now).toBeGreaterThanOrEqual(200);
    expect(kept.renewNotBefore! - now).toBeLessThanOrEqual(2_000);
    // Inside its life a repeat changes nothing either; it is handed out until 5 s before expiry.
    const early = policy(TICKET, T0 + 1_000_000);
    expect(early.sameToken(known, record(T0 + 1_000_000, H2, 10)).expiresAt).toBe(known.expiresAt);
    expect(early.serveUntil(known)).toBe(known.expiresAt - 5_000);
  });

  it('after a stable repeat, asks again only when the platform window opens', () => {
    const known = record(T0, H2);
    const now = T0 + 3_000_000;
    const p = policy(STABLE, now);
    // The platform answered the same token with the time it has left.
    const repeated = {
      accessToken: 't',
      issuedAt: now,
      receivedAt: now + 100,
      expiresAt: known.expiresAt,
      origin: 'credentials' as const,
    };
    const kept = p.sameToken(known, repeated);
    expect(kept.expiresAt).toBe(known.expiresAt);
    expect(kept.renewNotBefore).toBeGreaterThan(known.expiresAt - 300_000);
    expect(kept.renewNotBefore).toBeLessThan(p.serveUntil(known));
  });

  it('finds a stable window shorter than configured with a few calls, not a poll every 0.2-2 s', () => {
    // Configured: 300 s (STABLE). The platform rotates only in its last 100 s.
    const known = record(T0, H2);
    const platformWindow = 100_000;
    let now = known.expiresAt - 300_000 + 1_000;
    let calls = 0;
    let kept: TokenRecord = known;
    for (;;) {
      calls += 1;
      if (known.expiresAt - now <= platformWindow) break; // a new token
      const p = policy(STABLE, now);
      const repeated = {
        accessToken: 't',
        issuedAt: now,
        receivedAt: now + 100,
        expiresAt: known.expiresAt,
        origin: 'credentials' as const,
      };
      kept = { ...p.sameToken(kept, repeated), generation: 1 };
      expect(kept.renewNotBefore! - now).toBeGreaterThan(2_000);
      now = kept.renewNotBefore!;
      expect(now).toBeLessThan(p.serveUntil(known));
    }
    expect(calls).toBeLessThanOrEqual(5);
  });

  it('spreads the renewals of a burst between half the lifetime and renewAt (issue 18.3)', () => {
    const r = record(T0, H2);
    const p = policy(QINGTUI);
    const draws = Array.from({ length: 2_000 }, () => p.spreadRenewAt(r));
    for (const at of draws) {
      expect(at).toBeGreaterThanOrEqual(T0 + 0.5 * H2);
      expect(at).toBeLessThanOrEqual(p.renewAt(r));
    }
    // Spread over the window, not bunched: every tenth of it gets some of 2,000 draws.
    const window = p.renewAt(r) - (T0 + 0.5 * H2);
    const tenths = new Set(draws.map((at) => Math.floor(((at - T0 - 0.5 * H2) / window) * 10)));
    expect(tenths.size).toBe(10);
  });

  it("never spreads a renewal into a superseding platform's overlap, nor a WeCom one before expiry", () => {
    const r = record(T0, H2);
    const classic = policy(CLASSIC);
    for (let i = 0; i < 200; i++) {
      const at = classic.spreadRenewAt(r);
      expect(at).toBeGreaterThanOrEqual(classic.renewAt(r));
      expect(at).toBeLessThan(classic.serveUntil(r));
    }
    const wecom = policy(WECOM);
    expect(wecom.spreadRenewAt(r)).toBe(wecom.renewAt(r));
  });
});
