import { describe, expect, it } from 'vitest';
import { MemorySharedValues } from './memory-shared-values.js';

describe('MemorySharedValues', () => {
  it('stays bounded by what is live: a day of one-off keys and members is swept away', async () => {
    const clock = { t: 0 };
    const values = new MemorySharedValues(() => clock.t);
    // A day of idempotency keys (24 h each) and one-off members (1 h windows), never read again.
    for (let i = 0; i < 5_000; i += 1) {
      await values.putIfAbsent(`key-${i}`, 'v', 24 * 3_600_000);
      await values.takeFromWindow(`member-${i}`, 30, 3_600_000, `id-${i}`);
      clock.t += 10_000;
    }
    // Within the day: the 5,000 keys live, and of the members only about the last hour's (360).
    expect(values.size).toBeGreaterThanOrEqual(5_360);
    expect(values.size).toBeLessThan(5_000 + 360 + 1_000);
    // Two days later, a thousand more writes sweep everything that lapsed.
    clock.t += 2 * 24 * 3_600_000;
    for (let i = 0; i < 1_000; i += 1) await values.putIfAbsent(`late-${i}`, 'v', 60_000);
    expect(values.size).toBeLessThanOrEqual(1_000);
    // What is live is kept.
    expect(await values.get('late-999')).toBe('v');
  });
});
