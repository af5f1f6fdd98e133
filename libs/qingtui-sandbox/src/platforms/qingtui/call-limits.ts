import type { Edition } from './qingtui.options.js';

const DAY_MS = 24 * 3600 * 1000;

interface DailyUsage {
  day: number;
  used: number;
}

/**
 * The platform's call limits: the `/v1/token` spacing rule (1 call per 2 s per
 * app) and the daily call quota per app (by edition, per UTC day).
 */
export class CallLimits {
  private readonly lastTokenAttempt = new Map<string, number>();
  private readonly usage = new Map<string, DailyUsage>();

  constructor(
    private readonly now: () => number,
    private readonly tokenIntervalMs: number,
    private readonly dailyQuota: Readonly<Record<Edition, number>>,
  ) {}

  /**
   * Records a `/v1/token` attempt and tells whether it came too soon after the
   * previous attempt of the app. Rejected attempts count too: a client that
   * keeps retrying faster than the interval is never served.
   */
  tokenCallTooSoon(appId: string): boolean {
    const now = this.now();
    const previous = this.lastTokenAttempt.get(appId);
    this.lastTokenAttempt.set(appId, now);
    return previous !== undefined && now - previous < this.tokenIntervalMs;
  }

  /** Takes one call from today's quota of the app; false once it is used up. */
  consume(appId: string, edition: Edition): boolean {
    const usage = this.today(appId);
    if (usage.used >= this.dailyQuota[edition]) return false;
    usage.used++;
    return true;
  }

  /** The daily quota of an edition (`Infinity` when unlimited). */
  quotaOf(edition: Edition): number {
    return this.dailyQuota[edition];
  }

  /** Calls the app has used today. */
  usedToday(appId: string): number {
    return this.today(appId).used;
  }

  reset(): void {
    this.lastTokenAttempt.clear();
    this.usage.clear();
  }

  private today(appId: string): DailyUsage {
    const day = Math.floor(this.now() / DAY_MS);
    let usage = this.usage.get(appId);
    if (usage === undefined) {
      usage = { day, used: 0 };
      this.usage.set(appId, usage);
    } else if (usage.day !== day) {
      usage.day = day;
      usage.used = 0;
    }
    return usage;
  }
}
