import { describe, expect, it } from 'vitest';
import { FIRST_PROBE_SPACING_MS, RejectionCheck } from './rejection-check.js';

/** Reports `token` every `everyMs` from `from` to `to` (clock injected); returns the probe instants. */
function loop(
  check: RejectionCheck,
  token: string,
  from: number,
  to: number,
  everyMs: number,
): number[] {
  const probes: number[] = [];
  for (let now = from; now < to; now += everyMs) {
    if (check.waitBeforeProbe(token, now) > 0) continue;
    probes.push(now);
    check.record(token, 'accepted', now);
  }
  return probes;
}

/** The most probes in any window of `windowMs`. */
function densest(probes: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < probes.length; i++) {
    while (probes[i] - probes[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('RejectionCheck', () => {
  it('bounds a report loop to 3 probes in any minute and 1 a minute after, for hours', () => {
    const check = new RejectionCheck(60_000);
    const hours = 6;
    // A report every 10 ms for six hours: 2.16 million reports.
    const probes = loop(check, 'T', 0, hours * 3_600_000, 10);
    expect(densest(probes, 60_000)).toBeLessThanOrEqual(3);
    // Once the spacing is at its longest: one probe per 60 s.
    const late = probes.filter((t) => t >= 3_600_000);
    expect(late.length).toBeLessThanOrEqual(hours * 60);
    expect(probes.length).toBeLessThanOrEqual(hours * 60 + 3);
    expect(probes.slice(0, 4)).toEqual([0, 10_000, 30_000, 70_000]);
  });

  it('holds the bound for any report pattern, bursts and pauses included', () => {
    const check = new RejectionCheck(60_000);
    const probes: number[] = [];
    let now = 0;
    // Pseudo-random gaps between 1 ms and 3 min, for three hours.
    let seed = 7;
    while (now < 3 * 3_600_000) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      now += 1 + (seed % 180_000);
      if (check.waitBeforeProbe('T', now) > 0) continue;
      probes.push(now);
      check.record('T', seed % 5 === 0 ? 'unknown' : 'accepted', now);
    }
    expect(densest(probes, 60_000)).toBeLessThanOrEqual(3);
    expect(densest(probes, 600_000)).toBeLessThanOrEqual(12);
  });

  it('checks a report at once when the token was not reported lately (an honest client heals)', () => {
    const check = new RejectionCheck(60_000);
    expect(check.waitBeforeProbe('T', 0)).toBe(0);
    check.record('T', 'accepted', 0);
    // One false report: the next one is checked 10 s later at the latest.
    expect(check.waitBeforeProbe('T', 1_000)).toBe(FIRST_PROBE_SPACING_MS - 1_000);
    expect(check.waitBeforeProbe('T', 10_000)).toBe(0);
    // Long after: at once, and the schedule starts again from 10 s.
    check.record('T', 'accepted', 10_000);
    expect(check.waitBeforeProbe('T', 10_000 + 20_000)).toBe(0);
    check.record('T', 'accepted', 10 * 60_000);
    check.record('T', 'accepted', 10 * 60_000 + 10_000);
    expect(check.waitBeforeProbe('T', 20 * 60_000)).toBe(0);
    check.record('T', 'accepted', 20 * 60_000);
    expect(check.waitBeforeProbe('T', 20 * 60_000)).toBe(FIRST_PROBE_SPACING_MS);
  });

  it('keys the memory by token: another token is checked at once, a rejection clears it', () => {
    const check = new RejectionCheck(60_000);
    check.record('T1', 'accepted', 0);
    expect(check.waitBeforeProbe('T2', 1)).toBe(0);
    check.record('T1', 'rejected', 2);
    expect(check.waitBeforeProbe('T1', 3)).toBe(0);
  });

  it('spaces probes after a platform that does not answer, as after an acceptance', () => {
    const check = new RejectionCheck(60_000);
    check.record('T', 'unknown', 0);
    expect(check.waitBeforeProbe('T', 0)).toBe(FIRST_PROBE_SPACING_MS);
    check.record('T', 'skipped', 10_000);
    expect(check.waitBeforeProbe('T', 10_000)).toBe(2 * FIRST_PROBE_SPACING_MS);
  });

  it('with a longest spacing of 0, checks every report (staleReportProbeTtlMs: 0)', () => {
    const check = new RejectionCheck(0);
    check.record('T', 'accepted', 0);
    expect(check.waitBeforeProbe('T', 0)).toBe(0);
    expect(check.nextSpacing('T', 0)).toBe(0);
  });

  it('a shorter longest spacing caps the schedule', () => {
    const check = new RejectionCheck(5_000);
    expect(loop(check, 'T', 0, 30_000, 100)).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000]);
  });
});
