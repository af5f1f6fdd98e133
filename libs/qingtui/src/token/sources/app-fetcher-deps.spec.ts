import axios from 'axios';
import { describe, expect, it, vi } from 'vitest';
import type { ResolvedApp } from '../../core/resolved-options.js';
import { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import { CacheTokenBackend } from '../../store/memory-token.backend.js';
import { AppFetcherDeps, type SharedFetcherDeps } from './app-fetcher-deps.js';

const app = (name: string, appId: string, keyNamespace = 'wecom') =>
  ({ name, appId, keyNamespace }) as ResolvedApp;

function setup() {
  const backend = new CacheTokenBackend();
  const warn = vi.fn();
  const shared: SharedFetcherDeps = {
    http: axios.create(),
    timeoutMs: 1_234,
    usage: { count: vi.fn() } as never,
    backend,
    keyPrefix: 'p',
    encryptionKey: 'key',
    warn,
  };
  return { backend, warn, shared, windowsOf: AppFetcherDeps.windowsByNamespace(shared) };
}

describe('AppFetcherDeps', () => {
  it('hands out the shared dependencies, and gates token calls by the app alone', async () => {
    const { backend, shared, windowsOf } = setup();
    const one = new AppFetcherDeps(shared, app('one', 'corp/1'), windowsOf('wecom'));
    const two = new AppFetcherDeps(shared, app('two', 'corp/2'), windowsOf('wecom'));
    expect([one.http, one.timeoutMs, one.usage, one.encryptionKey]).toEqual([
      shared.http,
      1_234,
      shared.usage,
      'key',
    ]);
    expect(await one.reserveTokenCall(60_000)).toBe(0);
    expect(await one.reserveTokenCall(60_000)).toBeGreaterThan(0);
    // Another app's gate is its own.
    expect(await two.reserveTokenCall(60_000)).toBe(0);
    // The gate is the app's `token-call` key.
    expect(await backend.reserveCall('p:{wecom:corp/1}:token-call', 60_000)).toBeGreaterThan(0);
  });

  it('shares one set of call windows per key namespace: a company limit counts every app', async () => {
    const { shared, windowsOf } = setup();
    expect(windowsOf('wecom')).toBe(windowsOf('wecom'));
    expect(windowsOf('wecom')).not.toBe(windowsOf('qingtui'));
    const one = new AppFetcherDeps(shared, app('one', 'corp/1'), windowsOf('wecom'));
    const two = new AppFetcherDeps(shared, app('two', 'corp/2'), windowsOf('wecom'));
    expect(await one.takeFromWindow('corp', 'ticket', 2, 3_600_000)).toBe(0);
    expect(await two.takeFromWindow('corp', 'ticket', 2, 3_600_000)).toBe(0);
    expect(await one.takeFromWindow('corp', 'ticket', 2, 3_600_000)).toBeGreaterThan(0);
    await two.giveBackToWindow('corp', 'ticket', 3_600_000);
    expect(await one.takeFromWindow('corp', 'ticket', 2, 3_600_000)).toBe(0);
  });

  it('warns of a refused refresh_token with the app name and errcode only', () => {
    const { shared, warn, windowsOf } = setup();
    const deps = new AppFetcherDeps(shared, app('one', 'corp/1'), windowsOf('wecom'));
    deps.onRefreshTokenRejected(new QingtuiApiError('credential', 40001, 'bad', '/v1/refresh'));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain('"one"');
    expect(warn.mock.calls[0][0]).toContain('40001');
  });
});
