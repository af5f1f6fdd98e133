import { describe, expect, it, vi } from 'vitest';
import { QINGTUI_EVENTS } from './qingtui-event-names.js';
import { QingtuiEvents } from './qingtui-events.service.js';

const failure = {
  app: 'main',
  reason: 'scheduled' as const,
  error: { kind: 'transient' as const, errmsg: 'HTTP 500' },
  consecutiveFailures: 1,
  retryInMs: 2_000,
  tokenStillValid: true,
  durationMs: 12,
};

describe('QingtuiEvents', () => {
  it('adds the platform and the time, and delivers to listeners of that name and to onAny', () => {
    const events = new QingtuiEvents((app) => `platform-of-${app}`);
    const named = vi.fn();
    const any = vi.fn();
    const other = vi.fn();
    events.on(QINGTUI_EVENTS.renewalFailed, named);
    events.on(QINGTUI_EVENTS.tokenRenewed, other);
    events.onAny(any);

    events.emit(QINGTUI_EVENTS.renewalFailed, failure);

    expect(named).toHaveBeenCalledTimes(1);
    const event = named.mock.calls[0][0];
    expect(event).toMatchObject({ ...failure, platform: 'platform-of-main' });
    expect(Date.parse(event.at)).toBeGreaterThan(Date.now() - 5_000);
    expect(any).toHaveBeenCalledWith(QINGTUI_EVENTS.renewalFailed, event);
    expect(other).not.toHaveBeenCalled();
  });

  it('hands listeners a frozen event, so that one listener cannot change what the next one sees', () => {
    const events = new QingtuiEvents(() => 'qingtui');
    const seen: unknown[] = [];
    events.on(QINGTUI_EVENTS.renewalFailed, (e) => {
      expect(() => ((e as { app: string }).app = 'changed')).toThrow(TypeError);
      expect(() => ((e.error as { errmsg: string }).errmsg = 'changed')).toThrow(TypeError);
    });
    events.on(QINGTUI_EVENTS.renewalFailed, (e) => seen.push(e.app, e.error.errmsg));
    events.emit(QINGTUI_EVENTS.renewalFailed, failure);
    expect(seen).toEqual(['main', 'HTTP 500']);
  });

  it('unsubscribes with the returned function, with off(), and after once()', () => {
    const events = new QingtuiEvents(() => 'qingtui');
    const a = vi.fn();
    const b = vi.fn();
    const c = vi.fn();
    const offA = events.on(QINGTUI_EVENTS.renewalFailed, a);
    events.on(QINGTUI_EVENTS.renewalFailed, b);
    events.once(QINGTUI_EVENTS.renewalFailed, c);
    events.emit(QINGTUI_EVENTS.renewalFailed, failure);
    offA();
    events.off(QINGTUI_EVENTS.renewalFailed, b);
    events.emit(QINGTUI_EVENTS.renewalFailed, failure);
    expect([a.mock.calls.length, b.mock.calls.length, c.mock.calls.length]).toEqual([1, 1, 1]);
  });

  it('keeps going when a listener throws or rejects, and logs each failing listener once', async () => {
    const events = new QingtuiEvents(() => 'qingtui');
    const warn = vi.spyOn((events as unknown as { logger: { warn: () => void } }).logger, 'warn');
    const after = vi.fn();
    events.on(QINGTUI_EVENTS.renewalFailed, () => {
      throw new Error('listener bug');
    });
    events.on(QINGTUI_EVENTS.renewalFailed, () => Promise.reject(new Error('async listener bug')));
    events.on(QINGTUI_EVENTS.renewalFailed, after);

    for (let i = 0; i < 3; i++)
      expect(() => events.emit(QINGTUI_EVENTS.renewalFailed, failure)).not.toThrow();
    await new Promise((r) => setTimeout(r, 10));

    expect(after).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(warn.mock.calls.map((c) => String((c as unknown[])[0]))).toEqual([
      expect.stringContaining('listener bug'),
      expect.stringContaining('async listener bug'),
    ]);
  });

  it('does not build events nobody listens to', () => {
    const platformOf = vi.fn(() => 'qingtui');
    const events = new QingtuiEvents(platformOf);
    events.emit(QINGTUI_EVENTS.renewalFailed, failure);
    expect(platformOf).not.toHaveBeenCalled();
  });
});
