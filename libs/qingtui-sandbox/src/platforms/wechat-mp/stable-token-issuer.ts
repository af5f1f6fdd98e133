import type { GrantKind } from '../../shared/counters.js';
import { beijingDayWindow, FixedWindowCounter } from '../../shared/fixed-window-counter.js';
import { platformError, type PlatformError } from '../../shared/platform-error.js';
import type { TokenLedger } from '../../shared/token-ledger.js';
import type { WechatTokenGrant } from './classic-token-issuer.js';
import { WECHAT_ERRORS } from './wechat-mp-errors.js';
import type { ResolvedWechatRules } from './wechat-mp.options.js';

/** The ledger family of `/cgi-bin/stable_token` tokens: apart from `/cgi-bin/token`'s. */
export const STABLE_FAMILY = 'stable';

/** A stable_token answer, and how its token came to be when it is new. */
export interface StableAnswer {
  readonly body: WechatTokenGrant | PlatformError;
  /** Set when the answer carries a token issued by this call. */
  readonly issued?: Extract<GrantKind, 'stable' | 'force'>;
}

/**
 * `/cgi-bin/stable_token`'s rules, in a token family of its own.
 *
 * - Normal mode answers the app's current token, with the time it has left,
 *   while more than the refresh window is left. Within the window it issues a
 *   new token; the old one keeps working until its own expiry, so the two
 *   overlap for at most the window, and no answer ever says less than the window.
 * - Force mode issues a new token, at most `forceRefreshDailyLimit` times a
 *   day (45009 beyond). The token current before it keeps working until its
 *   own expiry or the next forced refresh (every older stable token dies at
 *   once), or dies at once with `forceRefreshKillsAtOnce`. A force call less than
 *   `forceRefreshIntervalSeconds` after the app's last forced refresh does not
 *   refresh: it is answered as in normal mode, and uses none of the budget.
 */
export class StableTokenIssuer {
  /** appId → the token normal mode answers with. */
  private readonly current = new Map<string, string>();
  /** appId → when its last forced refresh happened (epoch ms). */
  private readonly lastForce = new Map<string, number>();
  private readonly forcesToday: FixedWindowCounter;

  constructor(
    private readonly ledger: TokenLedger,
    private readonly rules: ResolvedWechatRules,
    private readonly now: () => number,
  ) {
    this.forcesToday = new FixedWindowCounter(now, beijingDayWindow);
  }

  answer(appId: string, forceRefresh: boolean): StableAnswer {
    if (forceRefresh && this.forceAllowedBySpacing(appId)) {
      if (!this.forcesToday.tryTake(appId, this.rules.forceRefreshDailyLimit)) {
        return {
          body: platformError(
            WECHAT_ERRORS.dailyLimit,
            `force_refresh allows ${this.rules.forceRefreshDailyLimit} refreshes a day`,
          ),
        };
      }
      if (this.rules.forceRefreshKillsAtOnce) this.ledger.killApp(appId, STABLE_FAMILY);
      else this.ledger.killAppExcept(appId, STABLE_FAMILY, this.current.get(appId));
      this.lastForce.set(appId, this.now());
      return { body: this.issue(appId), issued: 'force' };
    }
    return this.normal(appId);
  }

  /** The token normal mode would answer with now (valid or not), for tests. */
  currentToken(appId: string): string | undefined {
    return this.current.get(appId);
  }

  /** Forced refreshes the app has used today. */
  forcesUsedToday(appId: string): number {
    return this.forcesToday.used(appId);
  }

  reset(): void {
    this.current.clear();
    this.lastForce.clear();
    this.forcesToday.reset();
  }

  private normal(appId: string): StableAnswer {
    const token = this.current.get(appId);
    const record = token === undefined ? undefined : this.ledger.record(token);
    if (!this.ledger.isAlive(record)) return { body: this.issue(appId), issued: 'stable' };
    const leftMs = record.deadAtMs - this.now();
    if (leftMs < this.rules.stableRefreshWindowSeconds * 1000) {
      return { body: this.issue(appId), issued: 'stable' };
    }
    return { body: { access_token: record.token, expires_in: this.secondsLeft(leftMs) } };
  }

  private issue(appId: string): WechatTokenGrant {
    const ttlMs = this.rules.tokenTtlSeconds * 1000;
    const { token } = this.ledger.issue(appId, STABLE_FAMILY, ttlMs);
    this.current.set(appId, token);
    return { access_token: token, expires_in: this.secondsLeft(ttlMs) };
  }

  private forceAllowedBySpacing(appId: string): boolean {
    const last = this.lastForce.get(appId);
    return last === undefined || this.now() - last >= this.rules.forceRefreshIntervalSeconds * 1000;
  }

  /**
   * Whole seconds left, rounded down like the platform. When rounding down
   * would go below the window (only with a window that is not a whole number
   * of seconds, in compressed tests), the exact time left, to the millisecond:
   * never more than the truth, never less than the window.
   */
  private secondsLeft(leftMs: number): number {
    const whole = Math.floor(leftMs / 1000);
    return whole >= this.rules.stableRefreshWindowSeconds ? whole : Math.floor(leftMs) / 1000;
  }
}
