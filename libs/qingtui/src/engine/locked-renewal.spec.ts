import { describe, expect, it } from 'vitest';
import { FAILOVER_GRACE_MS, failoverWait } from './locked-renewal.js';

describe('failoverWait: how long a renewal waits for an unreachable store', () => {
  const now = 1_000_000;

  it('a few seconds into the outage, never more than half the life left', () => {
    expect(failoverWait({ expiresAt: now + 1_440_000 }, now)).toEqual({
      graceMs: FAILOVER_GRACE_MS,
      atMostMs: 720_000,
    });
    expect(failoverWait({ expiresAt: now + 4_000 }, now)?.atMostMs).toBe(2_000);
  });

  it('none for a dead value, nothing without one', () => {
    expect(failoverWait({ expiresAt: now - 1 }, now)?.atMostMs).toBe(0);
    expect(failoverWait(undefined, now)).toBeUndefined();
  });
});
