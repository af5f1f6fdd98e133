import { beijingDayWindow } from '../../shared/fixed-window-counter.js';
import type { Edition } from './qingtui.options.js';

interface DailyUsage {
  day: number;
  used: number;
}

/**
 * The platform's call limits: the `/v1/token` spacing rule (1 call per 2 s per
 * app: "获取access_token的接口有调用频率的限制,每2秒内只能调用1次", seed 000)
 * and the daily call quota per app (by edition, seed 000). The seed names no
 * time zone for the day; the platform is run from China, so the day is
 * counted in Beijing time, as WeChat and WeCom count theirs (and as the
 * library counts it).
 */
export class CallLimits {
  private readonly lastTokenAttempt = new Map<string, number>();
  private readonly usage = new Map<string, DailyUsage>();

  constructor(
    private readonly now: () => number,
    private readonly tokenIntervalMs: number,
    private readonly dailyQuota: Readonly<Record<Edition, number>>,
    private readonly refusedCallsRestartInterval = false,
  ) {}

  /**
   * Records a `/v1/token` call and tells whether it came too soon after the
   * app's previous one. A call the rule refuses is not a call that happened:
   * it leaves the window where it was (the seed says 1 call per 2 s, nothing
   * more), unless `refusedCallsRestartInterval` is set, in which case it
   * restarts the window too and a client retrying faster than the interval is
   * never served (what some rate limiters do; no document says Qingtui does).
   */
  tokenCallTooSoon(appId: string): boolean {
    const now = this.now();
    const previous = this.lastTokenAttempt.get(appId);
    const tooSoon = previous !== undefined && now - previous < this.tokenIntervalMs;
    if (!tooSoon || this.refusedCallsRestartInterval) this.lastTokenAttempt.set(appId, now);
    return tooSoon;
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
    const day = beijingDayWindow(this.now());
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
