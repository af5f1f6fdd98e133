/* The platforms' day: their daily quotas reset at midnight Beijing time (UTC+8, no DST). */

const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The last day computed, by its number: one string for every app's counts, not one each. */
let last: { day: number; text: string } | undefined;

/** The platform's day (Beijing time) of an instant, `YYYY-MM-DD`. */
export function platformDayOf(now: number): string {
  const day = Math.floor((now + CST_OFFSET_MS) / DAY_MS);
  if (last?.day !== day) {
    last = { day, text: new Date(now + CST_OFFSET_MS).toISOString().slice(0, 10) };
  }
  return last.text;
}

/** Epoch ms of the next Beijing midnight. */
export function nextPlatformDayAt(now: number): number {
  return Math.floor((now + CST_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - CST_OFFSET_MS;
}
