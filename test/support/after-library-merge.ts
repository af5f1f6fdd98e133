/**
 * Tests of server behaviour that needs the library's hardening work (issue 7, points 2-4: quota
 * policy, circuit and back-off with `retryAfterMs`, Redis timeouts and `redisOptional`). They are
 * written and named now, and skipped until that work is merged: run them with
 * `AFTER_LIBRARY_MERGE=true npx vitest run test/server`, then make this `true` for good.
 */
export const AFTER_LIBRARY_MERGE = process.env.AFTER_LIBRARY_MERGE === 'true';
