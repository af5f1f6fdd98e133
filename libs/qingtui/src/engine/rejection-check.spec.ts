import { describe, expect, it } from 'vitest';
import {
  FIRST_NEW_REPORTER_SPACING_MS,
  FIRST_PROBE_SPACING_MS,
  RejectionCheck,
} from './rejection-check.js';

/**
 * Reports `token` every `everyMs` from `from` to `to`, by `reporterOf(i)` (clock injected);
 * returns the probe instants.
 */
function loop(
  check: RejectionCheck,
  from: number,
  to: number,
  everyMs: number,
  reporterOf: (i: number) => string = () => 'k',
  verdictOf: (i: number) => 'accepted' | 'unknown' = () => 'accepted',
): number[] {
  const probes: number[] = [];
  for (let now = from, i = 0; now < to; now += everyMs, i++) {
    const reporter = reporterOf(i);
    if (check.waitBeforeProbe('T', reporter, now) > 0) continue;
    probes.push(now);
    check.record('T', reporter, verdictOf(i), now);
  }
  return probes;
}

/** The most probes in any window of `windowMs` starting at or after `from`. */
function densest(probes: number[], windowMs: number, from = 0): number {
  const p = probes.filter((t) => t >= from);
  let best = 0;
  for (let i = 0, j = 0; i < p.length; i++) {
    while (p[i] - p[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('RejectionCheck', () => {
  it('bounds one looping key to 4 probes in its first minute and 1 a minute after, for hours', () => {
    const check = new RejectionCheck(60_000);
    // A report every 10 ms for six hours: 2.16 million reports.
    const probes = loop(check, 0, 6 * 3_600_000, 10);
    expect(probes.slice(0, 4)).toEqual([0, 12_000, 36_000, 84_000]);
    expect(densest(probes, 60_000)).toBeLessThanOrEqual(3);
    expect(densest(probes, 60_000, 3 * 60_000)).toBe(1);
    expect(probes.length).toBeLessThanOrEqual(6 * 60 + 3);
  });

  it('bounds any number of keys, rotating or new at every report, to 2 probes a minute after two minutes', () => {
    for (const reporterOf of [
      (i: number) => `key-${i}`,
      (i: number) => `key-${i % 7}`,
      (i: number) => `key-${i % 2000}`,
    ]) {
      const check = new RejectionCheck(60_000);
      const probes = loop(check, 0, 3 * 3_600_000, 7, reporterOf, (i) =>
        i % 5 === 0 ? 'unknown' : 'accepted',
      );
      expect(densest(probes, 60_000)).toBeLessThanOrEqual(9);
      expect(densest(probes, 60_000, 2 * 60_000 + 10_000)).toBeLessThanOrEqual(2);
      expect(probes.length).toBeLessThanOrEqual(3 * 60 * 2 + 12);
    }
  });

  it('holds the bound for random gaps, bursts and pauses, for three hours', () => {
    const check = new RejectionCheck(60_000);
    const probes: number[] = [];
    let now = 0;
    let seed = 7;
    while (now < 3 * 3_600_000) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      now += 1 + (seed % 180_000);
      const reporter = `k${seed % 3}`;
      if (check.waitBeforeProbe('T', reporter, now) > 0) continue;
      probes.push(now);
      check.record('T', reporter, seed % 5 === 0 ? 'unknown' : 'accepted', now);
    }
    expect(densest(probes, 60_000)).toBeLessThanOrEqual(9);
    expect(densest(probes, 600_000)).toBeLessThanOrEqual(30);
  });

  it('an honest key that cried wolf once is checked again 12 s later at the latest', () => {
    const check = new RejectionCheck(60_000);
    expect(check.waitBeforeProbe('T', 'k', 0)).toBe(0);
    check.record('T', 'k', 'accepted', 0);
    expect(check.waitBeforeProbe('T', 'k', 1_000)).toBe(FIRST_PROBE_SPACING_MS - 1_000);
    expect(check.waitBeforeProbe('T', 'k', FIRST_PROBE_SPACING_MS)).toBe(0);
    // Long after, the schedule starts again.
    check.record('T', 'k', 'accepted', 12_000);
    expect(check.waitBeforeProbe('T', 'k', 12_000 + 121_000)).toBe(0);
    check.record('T', 'k', 'accepted', 12_000 + 121_000);
    expect(check.waitBeforeProbe('T', 'k', 12_000 + 121_000)).toBe(FIRST_PROBE_SPACING_MS);
  });

  it('another key is checked within a second, however the first one loops', () => {
    const check = new RejectionCheck(60_000);
    loop(check, 0, 30_000, 10, () => 'hostile');
    expect(check.scheduleOf('T', 'honest')).toBe('new');
    expect(check.waitBeforeProbe('T', 'honest', 30_000)).toBe(0);
    check.record('T', 'honest', 'accepted', 30_000);
    expect(check.waitBeforeProbe('T', 'other', 30_500)).toBe(
      2 * FIRST_NEW_REPORTER_SPACING_MS - 500,
    );
  });

  it('keys the memory by token: another token is checked at once, a rejection clears it', () => {
    const check = new RejectionCheck(60_000);
    check.record('T1', 'k', 'accepted', 0);
    expect(check.waitBeforeProbe('T2', 'k', 1)).toBe(0);
    check.record('T1', 'k', 'rejected', 2);
    expect(check.waitBeforeProbe('T1', 'k', 3)).toBe(0);
  });

  it('spaces probes after a platform that does not answer, or another instance probed, as after an acceptance', () => {
    const check = new RejectionCheck(60_000);
    check.record('T', 'k', 'unknown', 0);
    expect(check.waitBeforeProbe('T', 'k', 0)).toBe(FIRST_PROBE_SPACING_MS);
    check.record('T', 'k', 'skipped', 12_000);
    expect(check.waitBeforeProbe('T', 'k', 12_000)).toBe(2 * FIRST_PROBE_SPACING_MS);
  });

  it('with a longest spacing of 0, checks every report (staleReportProbeTtlMs: 0)', () => {
    const check = new RejectionCheck(0);
    check.record('T', 'k', 'accepted', 0);
    expect(check.waitBeforeProbe('T', 'k', 0)).toBe(0);
    expect(check.nextSpacing('T', 'k', 0)).toBe(0);
  });

  it('a shorter longest spacing caps both schedules', () => {
    const check = new RejectionCheck(5_000);
    expect(loop(check, 0, 30_000, 100)).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000]);
  });
});
