import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import type { TokenFetchSemantics } from '../core/fetch-semantics.js';
import type { TokenGrant, TokenRecord } from '../core/credential-record.js';
import type { RenewalReason } from '../core/credential-source.js';

/** The spread renewal of a burst starts at this fraction of the lifetime (`spreadRenewAt`). */
const SPREAD_FROM = 0.5;
/** Least spacing of two fetches that got the same token back. */
const SAME_TOKEN_MIN_SPACING_MS = 200;
const SAME_TOKEN_MAX_SPACING_MS = 2_000;
/** Least time before its expiry that a token repeated while valid (WeCom) stops being handed out. */
const HANDOVER_MIN_MARGIN_MS = 200;
/** Safety after the expiry of a token repeated while valid before the fetch of the next one. */
const HANDOVER_SAFETY_MS = 250;

/**
 * When an app's token is renewed and until when it is handed out, from the options and from
 * what its platform's token endpoint does (its `TokenFetchSemantics`), never from its name:
 *
 * - **Each fetch kills the previous token after an overlap** (WeChat `/cgi-bin/token`): never
 *   renew before `expiresAt − overlap + safety`. The previous token then dies after its own
 *   expiry, so whoever holds it (other instances, consumers, clients caching it for the
 *   `expires_in` they were given) stops using it before it is killed: no call is rejected as
 *   "not latest", whatever the number of instances. Renewing later costs nothing.
 * - **A fetch repeats the same token while it is valid** (WeCom): an early renewal is pointless.
 *   The token is handed out to the end of its life (`expiresAt` less twice a round trip, at
 *   least 200 ms); the renewal runs once the platform's copy has surely expired (`expiresAt`
 *   plus the round trip that issued it, plus 250 ms), single-flight across instances, so the
 *   callers of that moment wait about two round trips and the safety. A repeated answer never
 *   extends the known expiry.
 * - **The platform rotates inside a window** (stable_token): renew inside it, where a fetch
 *   gets the new token; earlier, a fetch gets the same one (a success: kept, no loop).
 * - Otherwise (Qingtui): renew at `refresh.ratio` of the lifetime.
 *
 * After a renewal that got the same token back, the record says when to try again
 * (`renewNotBefore`), so that no instance asks before the platform can answer anything new.
 */
export class TokenTimingPolicy {
  constructor(
    private readonly refresh: ResolvedQingtuiOptions['refresh'],
    readonly semantics: TokenFetchSemantics,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token's lifetime as known when it was obtained. */
  lifetime(record: TokenRecord): number {
    return Math.max(1, record.expiresAt - record.issuedAt);
  }

  /** How long the platform took to answer the fetch that brought the token. */
  roundTrip(record: Pick<TokenRecord, 'issuedAt' | 'receivedAt'>): number {
    return Math.max(0, (record.receivedAt ?? record.issuedAt) - record.issuedAt);
  }

  /**
   * A token with less than this left is no longer handed out: callers wait for the renewal
   * (`refresh.minValidityMs`, at most 10% of the lifetime). Kept inside the renewal window where
   * there is one, so that a caller never starts a renewal before it may happen.
   */
  margin(record: TokenRecord): number {
    const { supersedes, rotationWindowMs, repeatsWhileValid } = this.semantics;
    if (repeatsWhileValid === 'same-answer') {
      // Renewing early only brings the same token back, so the token is served to the end of its
      // real life: all but the time a caller's own call needs to reach the platform (twice the
      // round trip that issued it, at least 200 ms). The hand-over then costs the callers of that
      // moment one round trip and a small safety (see `fetchableAt`), not the margin.
      const handover = Math.max(HANDOVER_MIN_MARGIN_MS, 2 * this.roundTrip(record));
      if (this.semantics.servingMarginMs !== undefined) {
        return Math.max(
          handover,
          Math.min(this.semantics.servingMarginMs, this.lifetime(record) * 0.1),
        );
      }
      return Math.max(
        0,
        Math.min(this.refresh.minValidityMs, this.lifetime(record) * 0.1, handover),
      );
    }
    let margin = Math.min(this.refresh.minValidityMs, this.lifetime(record) * 0.1);
    if (supersedes) margin = Math.min(margin, (supersedes.overlapMs - this.safety(record)) / 2);
    if (rotationWindowMs !== undefined) margin = Math.min(margin, rotationWindowMs / 2);
    return Math.max(0, margin);
  }

  /** Until when the token is handed out without waiting (epoch ms). */
  serveUntil(record: TokenRecord): number {
    return record.expiresAt - this.margin(record);
  }

  /** Whether the token may be handed out now. */
  usable(record: TokenRecord): boolean {
    return this.now() < this.serveUntil(record);
  }

  /**
   * The earliest instant a fetch can bring a token other than this one, unless the platform has
   * invalidated it early (epoch ms; 0: at any time).
   */
  fetchableAt(record: TokenRecord): number {
    const { repeatsWhileValid, rotationWindowMs } = this.semantics;
    let at = 0;
    if (repeatsWhileValid === 'same-answer') {
      // The platform issued the token at most one round trip after `issuedAt`.
      at = record.expiresAt + this.roundTrip(record) + this.safety(record);
    } else if (rotationWindowMs !== undefined) {
      at = record.expiresAt - rotationWindowMs + this.roundTrip(record) + this.safety(record);
    }
    return Math.max(at, record.renewNotBefore ?? 0);
  }

  /** When the scheduled renewal of this token runs (epoch ms, before jitter). */
  renewAt(record: TokenRecord): number {
    const byRatio = record.issuedAt + this.lifetime(record) * this.refresh.ratio;
    if (this.semantics.repeatsWhileValid === 'same-answer') return this.fetchableAt(record);
    return Math.max(byRatio, this.renewFloor(record));
  }

  /**
   * When the renewal of a token fetched together with many others (a start-up of thousands of
   * apps) runs: at random between half its lifetime and `renewAt`, never before the platform
   * can answer a new token nor inside a superseding platform's overlap. Their rotations, one
   * lifetime apart each, then stay spread over that window instead of coming back as one burst.
   * Where renewing earlier is pointless (a token repeated while valid), `renewAt` plus jitter.
   */
  spreadRenewAt(record: TokenRecord): number {
    const at = this.renewAt(record);
    if (this.semantics.repeatsWhileValid === 'same-answer') return at;
    const earliest = Math.max(
      record.issuedAt + this.lifetime(record) * SPREAD_FROM,
      this.renewFloor(record),
    );
    if (earliest >= at) return at + this.jitter(record);
    return earliest + Math.random() * (at - earliest);
  }

  /** No renewal before this: the platform's own instants (fetchable, overlap). */
  private renewFloor(record: TokenRecord): number {
    const { supersedes } = this.semantics;
    const notBeforeOverlap = supersedes
      ? record.expiresAt - supersedes.overlapMs + this.safety(record)
      : 0;
    return Math.max(this.fetchableAt(record), notBeforeOverlap);
  }

  /**
   * Random delay of a scheduled renewal, spreading instances: a fraction of the lifetime, kept
   * within the first half of what is left before the margin (none where renewing later only
   * makes callers wait).
   */
  jitter(record: TokenRecord): number {
    if (this.semantics.repeatsWhileValid === 'same-answer') return 0;
    const room = Math.max(0, (this.serveUntil(record) - this.renewAt(record)) / 2);
    return Math.random() * Math.min(room, this.lifetime(record) * this.refresh.jitterRatio);
  }

  /**
   * How long a renewal for `reason` should wait before fetching, because the platform would only
   * answer the same token sooner. A reported or forced renewal never waits: the platform has
   * invalidated the token, or is asked to.
   */
  fetchWaitMs(record: TokenRecord | undefined, reason: RenewalReason): number {
    if (record === undefined || reason === 'stale' || reason === 'force' || reason === 'initial') {
      return 0;
    }
    return Math.max(0, this.fetchableAt(record) - this.now());
  }

  /**
   * The record to keep after a renewal got the known token back: its expiry never extended (a
   * repeated `expires_in` may be the one it was issued with), and the next attempt no sooner
   * than the platform can answer anything new.
   */
  sameToken(known: TokenRecord, grant: TokenGrant): Omit<TokenRecord, 'generation'> {
    const now = this.now();
    // Never later than known; earlier only when the platform says clearly less than we know
    // (not for its rounding of `expires_in` down to whole seconds).
    const clearlyShorter = grant.expiresAt < known.expiresAt - 1_000 - this.roundTrip(grant);
    let expiresAt = clearlyShorter ? grant.expiresAt : known.expiresAt;
    const { repeatsWhileValid, rotationWindowMs } = this.semantics;
    if (
      repeatsWhileValid === 'same-answer' &&
      !this.semantics.repeatResetsExpiry &&
      now >= known.expiresAt &&
      grant.expiresAt > now
    ) {
      // Asked after the expiry we knew, the platform still holds the token and says it has time
      // left: the expiry we knew was early (an `expires_in` rounded down to whole seconds, where
      // the platform answers the time left). Believe it, for at most a couple of seconds: an
      // answer repeating the issue-time `expires_in` can never come after the real expiry.
      expiresAt = Math.min(grant.expiresAt, now + SAME_TOKEN_MAX_SPACING_MS);
    }
    const spacing = Math.min(
      SAME_TOKEN_MAX_SPACING_MS,
      Math.max(SAME_TOKEN_MIN_SPACING_MS, 2 * this.roundTrip(grant)),
    );
    let notBefore = now + spacing;
    const kept = { ...known, expiresAt };
    if (repeatsWhileValid === 'same-answer' && now < expiresAt) {
      // Still valid: the platform can answer something new only once it has expired.
      notBefore = Math.max(notBefore, this.fetchableAt({ ...kept, renewNotBefore: undefined }));
    } else if (rotationWindowMs !== undefined) {
      // The answer says what the platform has left: it rotates once less than the window is.
      const windowOpensAt = grant.expiresAt - rotationWindowMs + this.roundTrip(grant);
      notBefore = Math.max(notBefore, windowOpensAt + this.safety(kept));
      if (now >= windowOpensAt) {
        // Asked inside the window we were told of, and the platform still repeated the token:
        // its window is shorter than configured (`WECHAT_STABLE_WINDOW_MS` too large). Ask again
        // halfway to the end of serving, not every few hundred ms: a few calls find the window.
        notBefore = Math.max(notBefore, now + Math.max(0, this.serveUntil(kept) - now) / 2);
      }
    } else if (repeatsWhileValid === 'time-left') {
      // A central server renews on its own schedule: ask again later in what is left.
      notBefore = Math.max(notBefore, now + (expiresAt - now) * (1 - this.refresh.ratio));
    }
    return {
      ...kept,
      refreshToken: grant.refreshToken ?? known.refreshToken,
      refreshTokenExpiresAt: grant.refreshTokenExpiresAt ?? known.refreshTokenExpiresAt,
      renewNotBefore: notBefore,
    };
  }

  /**
   * A little time on top of the platform's own instants: clients' clocks and rounding, requests
   * in flight when a token is dropped, the platform's coarser clock.
   */
  private safety(record: TokenRecord): number {
    const { supersedes, rotationWindowMs, repeatsWhileValid } = this.semantics;
    // Fetching a little too early costs one more same-token answer and a retry 200 ms to 2 s
    // later (see `sameToken`); fetching late makes every caller of the hand-over wait.
    if (repeatsWhileValid === 'same-answer')
      return Math.min(HANDOVER_SAFETY_MS, this.lifetime(record) * 0.01);
    if (supersedes) return Math.min(5_000, supersedes.overlapMs * 0.1);
    if (rotationWindowMs !== undefined) return Math.min(5_000, rotationWindowMs * 0.1);
    return Math.min(1_000, this.lifetime(record) * 0.01);
  }
}
