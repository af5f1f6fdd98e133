import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveQingtuiOptions } from '../config/resolve-options.js';
import type { ResolvedApp } from '../config/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { CacheTokenBackend } from '../store/memory-token.backend.js';
import { PlatformUsage } from './platform-usage.js';
import type { TokenGrant, TokenRecord } from './token-record.interface.js';
import type { RenewalReason, TokenSource } from './token-source.interface.js';
import { TokenService } from './token.service.js';

/** A scripted token source: counts calls, can be made slow or failing. */
class FakeSource implements TokenSource {
  calls: { reason: RenewalReason; staleToken?: string; hadRefreshToken: boolean }[] = [];
  lifetimeMs = 60_000;
  delayMs = 5;
  failWith: (() => Error) | undefined;
  private n = 0;

  async renew(
    _app: ResolvedApp,
    current: TokenRecord | undefined,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenGrant> {
    this.calls.push({ reason, staleToken, hadRefreshToken: !!current?.refreshToken });
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failWith) throw this.failWith();
    const now = Date.now();
    this.n += 1;
    return {
      accessToken: `token-${this.n}`,
      issuedAt: now,
      expiresAt: now + this.lifetimeMs,
      refreshToken: 'rt',
      refreshTokenExpiresAt: now + 86_400_000,
      origin: 'credentials',
    };
  }
}

const services: TokenService[] = [];

function makeService(
  source: FakeSource,
  options: Partial<QingtuiModuleOptions> = {},
): TokenService {
  const resolved = resolveQingtuiOptions({
    apps: [{ name: 'main', appId: 'app-1', appSecret: 'secret-1' }],
    prefetch: false,
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  const service = new TokenService(
    resolved,
    new CacheTokenBackend(),
    source,
    new SchedulerRegistry(),
    new PlatformUsage(),
  );
  services.push(service);
  return service;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.onModuleDestroy()));
});

describe('TokenService', () => {
  it('makes one upstream call for 1000 concurrent cold getToken calls', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => service.getToken()));
    expect(source.calls).toHaveLength(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
  });

  it('answers from memory once a token is known', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    await service.getToken('main');
    for (let i = 0; i < 100; i++) await service.getToken('main');
    expect(source.calls).toHaveLength(1);
  });

  it('renews once for 500 reports of the same stale token', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    const stale = await service.getToken();
    const results = await Promise.all(
      Array.from({ length: 500 }, () => service.refreshIfCurrent('main', stale)),
    );
    expect(source.calls).toHaveLength(2);
    expect(source.calls[1]).toMatchObject({ reason: 'stale', staleToken: stale });
    expect(new Set(results)).toEqual(new Set(['token-2']));
  });

  it('makes no call for a report of a token that was already replaced', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    const first = await service.getToken();
    await service.refreshIfCurrent('main', first);
    const callsBefore = source.calls.length;
    await expect(service.refreshIfCurrent('main', first)).resolves.toBe('token-2');
    expect(source.calls.length).toBe(callsBefore);
  });

  it('does not retry a credential error', async () => {
    const source = new FakeSource();
    source.failWith = () =>
      new QingtuiApiError('credential', 40401, 'appid or secret is unauthenticated', '/v1/token');
    const service = makeService(source);
    await expect(service.getToken()).rejects.toMatchObject({ kind: 'credential', errcode: 40401 });
    expect(source.calls).toHaveLength(1);
  });

  it('retries transient failures a bounded number of times', async () => {
    const source = new FakeSource();
    source.failWith = () => new QingtuiApiError('transient', undefined, 'HTTP 502', '/v1/token', 502);
    const service = makeService(source);
    await expect(service.getToken()).rejects.toMatchObject({ kind: 'transient' });
    expect(source.calls).toHaveLength(3);
  });

  it('keeps serving the current token when a renewal fails while it is valid', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    const token = await service.getToken();
    source.failWith = () => new QingtuiApiError('transient', undefined, 'HTTP 500', '/x', 500);
    await expect(service.refreshIfCurrent('main', token)).rejects.toThrow();
    // The stale token itself stays the best we have while it is unexpired.
    await expect(service.getToken()).resolves.toBe(token);
  });

  it('rejects an unknown app with a clear error', async () => {
    const service = makeService(new FakeSource());
    await expect(service.getToken('nope')).rejects.toThrow(/Unknown Qingtui app "nope"/);
  });

  it('renews on schedule at a fraction of the lifetime, serving the old token meanwhile', async () => {
    const source = new FakeSource();
    source.lifetimeMs = 1_000;
    const service = makeService(source, { refresh: { ratio: 0.5, jitterRatio: 0 } });
    const first = await service.getToken();
    await new Promise((r) => setTimeout(r, 300));
    expect(await service.getToken()).toBe(first);
    await new Promise((r) => setTimeout(r, 400));
    expect(source.calls.map((c) => c.reason)).toEqual(['initial', 'scheduled']);
    expect(await service.getToken()).toBe('token-2');
  });
});
