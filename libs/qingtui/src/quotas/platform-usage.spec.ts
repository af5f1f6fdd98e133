import { describe, expect, it } from 'vitest';
import { CacheTokenBackend } from '../store/memory-token.backend.js';
import { PlatformUsage, type UsageKeys } from './platform-usage.js';

/** Keys as the module builds them: a new count after each reset of the day's quota. */
function keys(app: string): UsageKeys {
  const suffix = (epoch: number) => (epoch === 0 ? '' : `#${epoch}`);
  return {
    calls: (day, epoch) => `${app}:calls:${day}${suffix(epoch)}`,
    exhausted: (day, epoch) => `${app}:quota-exhausted:${day}${suffix(epoch)}`,
    clears: (day) => `${app}:quota-clears:${day}`,
  };
}

describe('PlatformUsage per platform', () => {
  it('holds only the kinds the platform counts against the quota (WeChat: token calls)', () => {
    const usage = new PlatformUsage(new Map([['mp', { counted: ['token'] as const, limit: 10 }]]));
    for (let i = 0; i < 9; i++) usage.record('mp', 'token');
    for (let i = 0; i < 50; i++) usage.record('mp', 'api');
    expect(usage.get('mp')).toMatchObject({
      token: 9,
      api: 50,
      total: 9,
      state: 'reserve',
      counted: ['token'],
    });
    // In the reserve: no token call on demand, but business calls are not the token quota's.
    expect(usage.allows('mp', 'demand', 'token')).toBe(false);
    expect(usage.allows('mp', 'renewal', 'token')).toBe(true);
    expect(usage.allows('mp', 'demand', 'api')).toBe(true);
  });

  it('never holds back an app whose platform counts nothing (WeCom)', () => {
    const usage = new PlatformUsage(new Map([['oa', { counted: [] }]]));
    for (let i = 0; i < 100; i++) usage.record('oa', 'token');
    expect(usage.get('oa')).toMatchObject({ token: 100, total: 0, state: 'ok' });
    expect(usage.allows('oa', 'demand', 'token')).toBe(true);
  });

  it('starts the day again on every instance after a reset of the platform quota', async () => {
    const backend = new CacheTokenBackend();
    const rules = new Map([['mp', { counted: ['token'] as const, limit: 10 }]]);
    const a = new PlatformUsage(rules, { backend, keys });
    const b = new PlatformUsage(rules, { backend, keys });
    a.record('mp', 'token');
    await a.markExhausted('mp');
    await b.sync('mp');
    expect(b.get('mp').state).toBe('exhausted');

    await a.cleared('mp');
    expect(a.get('mp')).toMatchObject({ total: 0, state: 'ok', exhaustedByPlatform: false });
    await b.sync('mp');
    expect(b.get('mp')).toMatchObject({ total: 0, state: 'ok', exhaustedByPlatform: false });
    // The new count is shared too.
    a.record('mp', 'token');
    await new Promise((r) => setTimeout(r, 10));
    await b.sync('mp');
    expect(b.get('mp').total).toBe(1);
  });
});

describe('PlatformUsage.refund', () => {
  it('takes back a call the platform surely did not charge, locally and in the shared count', async () => {
    const backend = new CacheTokenBackend();
    const keys = (app: string) => ({
      calls: (day: string, epoch: number) => `t:${app}:calls:${day}:${epoch}`,
      exhausted: (day: string, epoch: number) => `t:${app}:ex:${day}:${epoch}`,
    });
    const usage = new PlatformUsage(new Map([['oa', { counted: ['token'], limit: 300 }]]), {
      backend,
      keys,
    });
    for (let i = 0; i < 5; i++) usage.record('oa', 'token');
    for (let i = 0; i < 4; i++) usage.refund('oa', 'token');
    await new Promise((r) => setTimeout(r, 10));
    expect(usage.get('oa')).toMatchObject({ token: 1, total: 1 });
    const day = usage.get('oa').day;
    await expect(backend.addToCounter(`t:oa:calls:${day}:0`, 0, 60_000)).resolves.toBe(1);
  });
});
