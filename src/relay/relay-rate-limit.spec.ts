import { describe, expect, it } from 'vitest';
import { RelayRateLimit } from './relay-rate-limit.js';

describe('RelayRateLimit', () => {
  it('allows a second of burst, then the rate, per caller', () => {
    let now = 1_000_000;
    const limit = new RelayRateLimit(10, () => now);
    const taken = Array.from({ length: 12 }, () => limit.take('a'));
    expect(taken.filter((w) => w === 0)).toHaveLength(10);
    expect(taken[10]).toBeGreaterThan(0);
    expect(taken[10]).toBeLessThanOrEqual(100);
    // Another caller has its own bucket.
    expect(limit.take('b')).toBe(0);
    // 100 ms later, one more call of `a`.
    now += 100;
    expect(limit.take('a')).toBe(0);
    expect(limit.take('a')).toBeGreaterThan(0);
    // Over 10 s of steady calls at twice the rate: half of them pass.
    let passed = 0;
    for (let i = 0; i < 200; i++) {
      now += 50;
      if (limit.take('a') === 0) passed += 1;
    }
    expect(passed).toBe(100);
  });

  it('keeps memory bounded with many callers', () => {
    let now = 0;
    const limit = new RelayRateLimit(5, () => now);
    for (let i = 0; i < 30_000; i++) {
      now += 1;
      limit.take(`caller-${i}`);
    }
    expect((limit as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThan(
      12_000,
    );
  });
});
