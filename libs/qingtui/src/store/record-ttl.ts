import type { TokenRecord } from '../core/credential-record.js';

/**
 * How long a record is worth keeping: as long as its access_token or its refresh_token lives
 * (an expired access_token with a live refresh_token still saves a `/v1/token` call).
 */
export function recordTtlMs(record: TokenRecord, now: number): number {
  const until = Math.max(record.expiresAt, record.refreshTokenExpiresAt ?? 0);
  return Math.max(1, until - now);
}

/** Checks the shape of a record read back from a store (anything else is treated as absent). */
export function isTokenRecord(value: unknown): value is TokenRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Partial<TokenRecord>;
  return (
    typeof r.accessToken === 'string' &&
    typeof r.expiresAt === 'number' &&
    typeof r.issuedAt === 'number' &&
    typeof r.generation === 'number'
  );
}
