import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RenewalTimers, type TimerEntry } from './renewal-timers.js';

interface Entry extends TimerEntry {
  id: number;
}

const entry = (id: number): Entry => ({ id, timerIndex: -1, nextRenewalAt: undefined });

describe('RenewalTimers', () => {
  let scheduler: SchedulerRegistry;
  let fired: number[];
  let timers: RenewalTimers<Entry>;

  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    scheduler = new SchedulerRegistry();
    fired = [];
    timers = new RenewalTimers<Entry>(scheduler, 'token', (e) => fired.push(e.id));
  });
  afterEach(() => {
    timers.clear();
    vi.useRealTimers();
  });

  it('keeps one registered timer for any number of entries and fires each at its time, in order', () => {
    const entries = Array.from({ length: 1_000 }, (_, i) => entry(i));
    // Scheduled in a shuffled order, due 1 s apart.
    const order = entries.map((_, i) => (i * 7_919) % 1_000);
    for (const i of order) timers.set(entries[i], Date.now() + 1_000 * (i + 1));
    expect(scheduler.getTimeouts()).toEqual([timers.name]);
    expect(timers.name).toMatch(/^qingtui:[0-9a-f]{8}:renew$/);
    expect(timers.size).toBe(1_000);

    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([0]);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    vi.advanceTimersByTime(1_000_000);
    expect(fired).toEqual(entries.map((e) => e.id));
    expect(timers.size).toBe(0);
    expect(scheduler.getTimeouts()).toEqual([]);
    // Kept after firing: the status shows when the last renewal was due.
    expect(entries[5].nextRenewalAt).toBe(1_000_000 + 6_000);
    expect(entries.every((e) => e.timerIndex === -1)).toBe(true);
  });

  it('moves a rescheduled entry (earlier or later) and fires it once, at its new time', () => {
    const a = entry(1);
    const b = entry(2);
    timers.set(a, Date.now() + 10_000);
    timers.set(b, Date.now() + 20_000);
    expect(timers.set(b, Date.now() + 5_000)).toBe(Date.now() + 5_000);
    timers.set(a, Date.now() + 30_000);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([2]);
    vi.advanceTimersByTime(20_000);
    expect(fired).toEqual([2]);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([2, 1]);
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual([2, 1]);
  });

  it('fires a time in the past at once and clamps one beyond what setTimeout takes', () => {
    const past = entry(1);
    expect(timers.set(past, Date.now() - 60_000)).toBe(Date.now());
    const far = entry(2);
    expect(timers.set(far, Date.now() + 10 * 2 ** 31)).toBe(Date.now() + 2 ** 31 - 1);
    vi.advanceTimersByTime(0);
    expect(fired).toEqual([1]);
  });

  it('forgets a deleted entry and keeps the others in order', () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i));
    for (const e of entries) timers.set(e, Date.now() + 1_000 + ((e.id * 37) % 50) * 100);
    for (const e of entries) if (e.id % 3 === 0) timers.delete(e);
    timers.delete(entries[0]); // twice: nothing
    vi.advanceTimersByTime(10_000);
    const expected = entries
      .filter((e) => e.id % 3 !== 0)
      .sort((x, y) => (x.nextRenewalAt as number) - (y.nextRenewalAt as number))
      .map((e) => e.id);
    expect(fired).toEqual(expected);
  });

  it('starts at most 500 renewals a turn when thousands are due at once, and all of them', () => {
    const entries = Array.from({ length: 1_200 }, (_, i) => entry(i));
    for (const e of entries) timers.set(e, Date.now() + 1_000);
    vi.advanceTimersByTime(1_000);
    expect(fired).toHaveLength(500);
    // The rest on the next turns (a zero delay: setTimeout's 1 ms).
    vi.advanceTimersByTime(1);
    expect(fired).toHaveLength(1_000);
    vi.advanceTimersByTime(1);
    expect(new Set(fired).size).toBe(1_200);
  });

  it('fires nothing after clear, and registers nothing again', () => {
    const a = entry(1);
    timers.set(a, Date.now() + 1_000);
    timers.clear();
    expect(scheduler.getTimeouts()).toEqual([]);
    timers.set(entry(2), Date.now() + 1_000);
    vi.advanceTimersByTime(5_000);
    expect(fired).toEqual([]);
    expect(scheduler.getTimeouts()).toEqual([]);
  });

  it('matches a plain list under random sets and deletes', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const entries = Array.from({ length: 200 }, (_, i) => entry(i));
    const due = new Map<number, number>();
    for (let step = 0; step < 5_000; step++) {
      const e = entries[Math.floor(random() * entries.length)];
      if (random() < 0.2) {
        timers.delete(e);
        due.delete(e.id);
      } else {
        const at = Date.now() + 1_000 + Math.floor(random() * 100_000);
        timers.set(e, at);
        due.set(e.id, at);
      }
    }
    expect(timers.size).toBe(due.size);
    vi.advanceTimersByTime(200_000);
    const expected = [...due.entries()].sort((x, y) => x[1] - y[1] || 0).map(([id]) => id);
    // Entries due at the same millisecond may fire in either order.
    expect(fired.map((id) => due.get(id))).toEqual(expected.map((id) => due.get(id)));
    expect(new Set(fired)).toEqual(new Set(expected));
  });

  it('names a ticket kind', () => {
    const tickets = new RenewalTimers<Entry>(scheduler, 'jsapi_ticket', () => undefined);
    expect(tickets.name).toMatch(/^qingtui:[0-9a-f]{8}:renew:jsapi_ticket$/);
    tickets.clear();
  });
});
