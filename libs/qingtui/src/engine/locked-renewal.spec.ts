import { describe, expect, it } from 'vitest';
import { FAILOVER_GRACE_MS, failoverWait, SCHEDULED_FAILOVER_GRACE_MS } from './locked-renewal.js';

describe('failoverWait: how long a renewal waits for an unreachable store', () => {
  const now = 1_000_000;

  it('a few seconds into the outage for a renewal a caller waits for, never more than half the life left', () => {
    for (const reason of ['expired', 'stale', 'force', 'initial'] as const) {
      expect(failoverWait({ expiresAt: now + 1_440_000 }, now, reason)).toEqual({
        graceMs: FAILOVER_GRACE_MS,
        atMostMs: 720_000,
      });
    }
    expect(failoverWait({ expiresAt: now + 4_000 }, now, 'stale')?.atMostMs).toBe(2_000);
  });

  it('a scheduled renewal waits through a default Sentinel failover, until a caller hurries it', () => {
    const hurry = new AbortController();
    expect(failoverWait({ expiresAt: now + 1_440_000 }, now, 'scheduled', hurry.signal)).toEqual({
      graceMs: SCHEDULED_FAILOVER_GRACE_MS,
      atMostMs: 720_000,
      hurry: { signal: hurry.signal, graceMs: FAILOVER_GRACE_MS },
    });
    expect(SCHEDULED_FAILOVER_GRACE_MS).toBeGreaterThanOrEqual(40_000);
    // Still no more than half the life left.
    expect(failoverWait({ expiresAt: now + 4_000 }, now, 'scheduled')?.atMostMs).toBe(2_000);
  });

  it('none for a dead value, nothing without one', () => {
    expect(failoverWait({ expiresAt: now - 1 }, now, 'scheduled')?.atMostMs).toBe(0);
    expect(failoverWait(undefined, now, 'scheduled')).toBeUndefined();
  });
});
