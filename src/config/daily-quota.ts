import type { QingtuiDailyQuota } from 'nestjs-qingtui';

/** The edition names a daily quota may be given as (seed 000: 300, 2000, unlimited calls a day). */
export const QUOTA_EDITIONS = ['free-unverified', 'free-verified', 'enterprise'] as const;
const MAX_DAILY_QUOTA = 1_000_000_000;

/** What a daily quota must look like, for error messages. */
export const DAILY_QUOTA_EXPECTED = `a whole number of calls a day (1 to ${MAX_DAILY_QUOTA}) or one of ${QUOTA_EDITIONS.map((e) => `"${e}"`).join(', ')}`;

/**
 * Reads a daily quota: a positive integer, or an edition name. From the apps file the value is
 * JSON (a number or a string); from the environment it is a string, digits meaning a number.
 * @returns the quota, or undefined when the value is not one
 */
export function parseDailyQuota(
  value: unknown,
  from: 'json' | 'env',
): QingtuiDailyQuota | undefined {
  if (typeof value === 'string' && (QUOTA_EDITIONS as readonly string[]).includes(value)) {
    return value as QingtuiDailyQuota;
  }
  const n =
    from === 'env' && typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_DAILY_QUOTA) return n;
  return undefined;
}
