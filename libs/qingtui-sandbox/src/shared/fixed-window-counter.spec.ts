import { describe, expect, it } from 'vitest';
import {
  beijingDayWindow,
  beijingMonthWindow,
  FixedWindowCounter,
  minuteWindow,
} from './fixed-window-counter.js';

describe('FixedWindowCounter', () => {
  it('takes up to the limit per key and window, and starts again in the next window', () => {
    let clock = Date.UTC(2025, 0, 1, 0, 0, 30);
    const counter = new FixedWindowCounter(() => clock, minuteWindow);
    expect([1, 2, 3].map(() => counter.tryTake('a', 2))).toEqual([true, true, false]);
    expect(counter.tryTake('b', 2)).toBe(true);
    expect(counter.used('a')).toBe(2);
    clock += 30_000; // the next calendar minute
    expect(counter.used('a')).toBe(0);
    expect(counter.tryTake('a', 2)).toBe(true);
    counter.clear('a');
    expect(counter.used('a')).toBe(0);
    expect(counter.tryTake('x', Infinity)).toBe(true);
    expect(counter.tryTake('y', 0)).toBe(false);
  });

  it('counts days and months in Beijing time (UTC+8)', () => {
    expect(beijingDayWindow(Date.UTC(2025, 0, 1, 15, 59, 59, 999))).toBe(
      beijingDayWindow(Date.UTC(2025, 0, 1, 0, 0, 0)),
    );
    expect(beijingDayWindow(Date.UTC(2025, 0, 1, 16, 0, 0))).toBe(
      beijingDayWindow(Date.UTC(2025, 0, 1, 15, 59, 59)) + 1,
    );
    expect(beijingMonthWindow(Date.UTC(2025, 0, 31, 15, 59, 59))).toBe(2025 * 12);
    expect(beijingMonthWindow(Date.UTC(2025, 0, 31, 16, 0, 0))).toBe(2025 * 12 + 1);
    expect(beijingMonthWindow(Date.UTC(2025, 11, 31, 16, 0, 0))).toBe(2026 * 12);
  });
});
