import type { QingtuiApiError } from 'nestjs-qingtui';

/** Beijing time (UTC+8, no daylight saving): the platform's day. */
const BEIJING_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** Default waits when the library gives none: the platform's 2 s rule, a short outage. */
const DEFAULT_RETRY_AFTER_S = { 'rate-limit': 2, transient: 5 } as const;

/**
 * Seconds a client should wait before retrying after `error`, or undefined when retrying will
 * not help (a refused request, a bad credential the library is not holding back).
 * - the library's own `retryAfterMs` (open circuit, credential back-off, quota exhausted), rounded up;
 * - otherwise by kind: rate limit 2 s, transient 5 s, quota until the next platform day.
 */
export function retryAfterSeconds(error: QingtuiApiError, now = Date.now()): number | undefined {
  if (error.retryAfterMs !== undefined) return Math.max(1, Math.ceil(error.retryAfterMs / 1000));
  if (error.kind === 'quota') return Math.max(1, Math.ceil(msToNextBeijingDay(now) / 1000));
  if (error.kind === 'rate-limit' || error.kind === 'transient') {
    return DEFAULT_RETRY_AFTER_S[error.kind];
  }
  return undefined;
}

/** Milliseconds until the next midnight in Beijing, when daily quotas start again. */
export function msToNextBeijingDay(now: number): number {
  const beijing = now + BEIJING_OFFSET_MS;
  return DAY_MS - (((beijing % DAY_MS) + DAY_MS) % DAY_MS);
}
