import type { PlatformCallKind } from './platform-calls.js';

/**
 * How a platform's token endpoint behaves. The lifecycle's timing policy plans around these
 * facts only, never around a platform's name.
 */
export interface TokenFetchSemantics {
  /**
   * Each fetch issues a new token, and the previous one stops working `overlapMs` after it
   * (WeChat `/cgi-bin/token`). Absent: the previous token lives until its own expiry.
   */
  supersedes?: { overlapMs: number };
  /**
   * While its token is valid, a fetch answers that token again: with the `expires_in` it was
   * issued with (`same-answer`: WeCom), or with the time it has left (`time-left`: stable_token
   * outside its rotation window, a central server). Absent: every fetch issues a new token.
   */
  repeatsWhileValid?: 'same-answer' | 'time-left';
  /**
   * The platform issues a new token only once less than this is left of the current one, and
   * rotates by itself then (stable_token). The old token keeps working until its own expiry.
   */
  rotationWindowMs?: number;
  /**
   * With `same-answer`: a repeated answer carries the full lifetime again (the JS-SDK tickets of
   * all three platforms: `expires_in: 7200` at every fetch), so it says nothing of the time left:
   * a repeat after the known expiry means the platform's copy is about to die, never that it
   * lives longer.
   */
  repeatResetsExpiry?: boolean;
  /**
   * With `same-answer`: how long before its expiry a value stops being handed out, where a user
   * needs it to live a while after it was handed out (a JS-SDK ticket signs a page that then
   * calls `wx.config`). Absent: twice the round trip that issued it.
   */
  servingMarginMs?: number;
  /** Renewals use a refresh_token while it lives (Qingtui). */
  refreshToken: boolean;
  /** Shortest spacing of two token calls of one app (Qingtui: 2 s). */
  minTokenCallIntervalMs?: number;
  /**
   * An explicit forced refresh exists (stable_token `force_refresh`), within this budget: calls a
   * day and their spacing. It is never used by the lifecycle itself.
   */
  forceRefresh?: { dailyLimit: number; minIntervalMs: number };
  /** An explicit reset of the day's call quota exists (WeChat `clear_quota/v2`), never automatic. */
  clearQuota: boolean;
}

/** Which of an app's platform calls count against its daily quota, and the quota. */
export interface QuotaRules {
  /** Kinds of call the platform counts against the daily quota. */
  counted: readonly PlatformCallKind[];
  /** Calls a day (platform day, Beijing time); undefined: unlimited. */
  limit?: number;
}
