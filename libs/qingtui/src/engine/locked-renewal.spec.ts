import { describe, expect, it } from 'vitest';
import { FAILOVER_GRACE_MS, failoverWait, SCHEDULED_FAILOVER_GRACE_MS } from './locked-renewal.js';

describe('failoverWait: how long a renewal waits for an unreachable store', () => {
  const now = 1_000_000;

  it('a scheduled renewal of a 2 h token waits out a Sentinel failover with default settings', () => {
    const wait = failoverWait({ expiresAt: now + 1_440_000 }, 'scheduled', now);
    expect(wait).toEqual({ graceMs: SCHEDULED_FAILOVER_GRACE_MS, atMostMs: 720_000 });
    expect(SCHEDULED_FAILOVER_GRACE_MS).toBeGreaterThanOrEqual(40_000);
  });

  it('a renewal whose callers wait (a rejected, expired or forced one) waits a few seconds only', () => {
    for (const reason of ['stale', 'expired', 'force', 'initial'] as const) {
      expect(failoverWait({ expiresAt: now + 1_440_000 }, reason, now)?.graceMs, reason).toBe(
        FAILOVER_GRACE_MS,
      );
    }
  });

  it('never more than half the life left, none for a dead value, nothing without one', () => {
    expect(failoverWait({ expiresAt: now + 4_000 }, 'scheduled', now)?.atMostMs).toBe(2_000);
    expect(failoverWait({ expiresAt: now - 1 }, 'scheduled', now)?.atMostMs).toBe(0);
    expect(failoverWait(undefined, 'scheduled', now)).toBeUndefined();
  });
});
