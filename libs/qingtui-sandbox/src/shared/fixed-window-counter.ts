/** Maps an instant (epoch ms) to the number of the window it falls in. */
export type WindowOf = (epochMs: number) => number;

const MINUTE_MS = 60_000;
const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
/** WeChat and WeCom count days and months in Beijing time (UTC+8, no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

/** Calendar minutes. */
export const minuteWindow: WindowOf = (ms) => Math.floor(ms / MINUTE_MS);
/** Clock hours (Beijing time is a whole number of hours from UTC, so they are Beijing hours too). */
export const hourWindow: WindowOf = (ms) => Math.floor(ms / HOUR_MS);
/** Days from midnight to midnight, Beijing time. */
export const beijingDayWindow: WindowOf = (ms) => Math.floor((ms + BEIJING_OFFSET_MS) / DAY_MS);
/** Calendar months, Beijing time. */
export const beijingMonthWindow: WindowOf = (ms) => {
  const date = new Date(ms + BEIJING_OFFSET_MS);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

/**
 * Counts calls per key in fixed windows (a minute, a day, a month): the way
 * the platforms state their limits ("retry next minute", "per day"). The
 * count starts again at 0 in each new window.
 */
export class FixedWindowCounter {
  private readonly usage = new Map<string, { window: number; used: number }>();

  constructor(
    private readonly now: () => number,
    private readonly windowOf: WindowOf,
  ) {}

  /** Takes one from the key's allowance in the current window; false (nothing taken) once `limit` is used. */
  tryTake(key: string, limit: number): boolean {
    const usage = this.current(key);
    if (usage.used >= limit) return false;
    usage.used++;
    return true;
  }

  /**
   * Takes one from every key's allowance in the current window, or from none:
   * `false` when one of them has used its limit.
   */
  tryTakeAll(entries: readonly { key: string; limit: number }[]): boolean {
    const usages = entries.map(({ key, limit }) => ({ usage: this.current(key), limit }));
    if (usages.some(({ usage, limit }) => usage.used >= limit)) return false;
    for (const { usage } of usages) usage.used++;
    return true;
  }

  /** How many the key has used in the current window. */
  used(key: string): number {
    return this.current(key).used;
  }

  /** Gives the key its whole allowance back for the current window. */
  clear(key: string): void {
    this.usage.delete(key);
  }

  reset(): void {
    this.usage.clear();
  }

  private current(key: string): { window: number; used: number } {
    const window = this.windowOf(this.now());
    let usage = this.usage.get(key);
    if (usage === undefined || usage.window !== window) {
      usage = { window, used: 0 };
      this.usage.set(key, usage);
    }
    return usage;
  }
}
