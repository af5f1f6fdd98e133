import type { TokenRecord } from '../core/credential-record.js';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { nextPlatformDayAt } from '../quotas/platform-day.js';

/** Why platform calls for an app are held back. */
export type HoldReason = 'failure' | 'credentials' | 'quota';

/**
 * Pace of attempts while no valid value exists: a few seconds apart, and never under the 2 s
 * spacing of `/v1/token` calls (so that an attempt never waits for its slot).
 */
const OUTAGE_RETRY_MIN_MS = 2_000;
const OUTAGE_RETRY_MAX_MS = 5_000;
/** Back-off of refused credentials: from 30 s, doubling, up to an hour. */
const CREDENTIAL_BACKOFF_MIN_MS = 30_000;
const CREDENTIAL_BACKOFF_MAX_MS = 3_600_000;

/** What the hold policy looks at after a failed renewal. */
export interface HoldState {
  /** The record held when the renewal failed (its expiry decides the pace). */
  record?: Pick<TokenRecord, 'expiresAt' | 'issuedAt'>;
  /** Consecutive failed renewals, this one included. */
  failures: number;
  /** Consecutive refusals of the credentials, this one included when it is one. */
  credentialFailures: number;
  /** A longer hold the platform asks for after this failure (WeChat 89503: an hour). */
  platformMinHoldMs?: number;
}

/** How long platform calls are held back after a failure, and why. */
export interface Hold {
  reason: HoldReason;
  delayMs: number;
}

/**
 * The hold after a failed renewal, in every phase of a value's life (pure: the clock and the
 * randomness are arguments):
 * - refused credentials: from 30 s, doubling, up to an hour;
 * - a used-up quota: until the next Beijing day;
 * - a value that still lives: never faster than 2 s (5% of the lifetime for values shorter than
 *   40 s, such as a sandbox's), doubling, at most half of what is left, so that a retry still
 *   comes before it expires;
 * - no valid value: 2 to 5 s, doubling (rate limits from 2 s), with a 20% jitter.
 */
export function holdAfter(
  error: unknown,
  state: HoldState,
  now: number,
  random: () => number = Math.random,
): Hold {
  const e = error instanceof QingtuiApiError ? error : undefined;
  const left = state.record ? state.record.expiresAt - now : 0;
  let reason: HoldReason = 'failure';
  let delayMs: number;
  if (e?.kind === 'credential') {
    reason = 'credentials';
    delayMs = Math.min(
      CREDENTIAL_BACKOFF_MAX_MS,
      CREDENTIAL_BACKOFF_MIN_MS * 2 ** (state.credentialFailures - 1),
    );
  } else if (e?.kind === 'quota') {
    reason = 'quota';
    delayMs = nextPlatformDayAt(now) - now;
  } else if (left > 0) {
    const lifetime = state.record!.expiresAt - state.record!.issuedAt;
    const least = Math.min(OUTAGE_RETRY_MIN_MS, Math.max(100, lifetime * 0.05));
    const exp = least * 2 ** Math.min(10, state.failures - 1);
    delayMs = Math.max(least, Math.min(exp * (0.8 + random() * 0.2), left / 2));
  } else {
    const base = e?.kind === 'rate-limit' ? 2_000 : OUTAGE_RETRY_MIN_MS;
    const exp = Math.min(OUTAGE_RETRY_MAX_MS, base * 2 ** Math.min(10, state.failures - 1));
    delayMs = Math.round(exp * (0.8 + random() * 0.2));
  }
  if (state.platformMinHoldMs) delayMs = Math.max(delayMs, state.platformMinHoldMs);
  return { reason, delayMs };
}

/** Delay before retry `attempt` (1, 2...) inside one renewal: exponential, half jittered. */
export function retryDelayMs(
  attempt: number,
  error: unknown,
  retry: ResolvedQingtuiOptions['retry'],
  random: () => number = Math.random,
): number {
  const { baseDelayMs, maxDelayMs } = retry;
  const base =
    error instanceof QingtuiApiError && error.kind === 'rate-limit'
      ? Math.max(baseDelayMs, 2_000)
      : baseDelayMs;
  const exp = Math.min(maxDelayMs, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
