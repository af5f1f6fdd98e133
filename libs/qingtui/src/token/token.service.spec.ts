import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveAppSecrets, resolveQingtuiOptions } from '../config/resolve-options.js';
import type { ResolvedApp } from '../core/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { CacheTokenBackend } from '../store/memory-token.backend.js';
import { PlatformUsage } from '../quotas/platform-usage.js';
import type { TokenGrant, TokenRecord } from '../core/credential-record.js';
import type { ProbeVerdict, RenewalReason, TokenSource } from '../core/credential-source.js';
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

/** A source that can also probe: `verdict` is what the platform says of the current token. */
class ProbingSource extends FakeSource {
  verdict: ProbeVerdict = 'accepted';
  probes = 0;

  async probe(): Promise<ProbeVerdict> {
    this.probes += 1;
    await new Promise((r) => setTimeout(r, this.delayMs));
    return this.verdict;
  }
}

const services: TokenService[] = [];

function makeService(
  source: FakeSource,
  options: Partial<QingtuiModuleOptions> = {},
  usage = new PlatformUsage(),
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
    usage,
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

  it('makes one attempt per cold start and answers the next callers at once while held back', async () => {
    const source = new FakeSource();
    source.failWith = () =>
      new QingtuiApiError('transient', undefined, 'HTTP 502', '/v1/token', 502);
    const service = makeService(source);
    await expect(service.getToken()).rejects.toMatchObject({ kind: 'transient' });
    expect(source.calls).toHaveLength(1);
    const again = await Promise.allSettled(Array.from({ length: 50 }, () => service.getToken()));
    expect(source.calls).toHaveLength(1);
    for (const outcome of again) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as QingtuiApiError;
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(5_000);
    }
    expect(service.status()[0].heldBack?.reason).toBe('failure');
  });

  it('keeps attempting at a bounded pace while no token exists, and serves again once the platform is back', async () => {
    const source = new FakeSource();
    source.failWith = () =>
      new QingtuiApiError('transient', undefined, 'HTTP 502', '/v1/token', 502);
    const service = makeService(source);
    await expect(service.getToken()).rejects.toThrow();
    source.failWith = undefined;
    const started = Date.now();
    for (;;) {
      const token = await service.getToken().catch(() => undefined);
      if (token !== undefined) break;
      expect(Date.now() - started).toBeLessThan(6_000);
      await new Promise((r) => setTimeout(r, 50));
    }
    // One failed attempt, one that worked: no attempt per caller in between.
    expect(source.calls).toHaveLength(2);
  });

  it('retries transient failures a bounded number of times while the current token is valid', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    const token = await service.getToken();
    source.failWith = () =>
      new QingtuiApiError('transient', undefined, 'HTTP 502', '/v1/token', 502);
    await expect(service.renewRejected('main', token)).rejects.toMatchObject({ kind: 'transient' });
    expect(source.calls).toHaveLength(1 + 3);
  });

  it('backs off refused credentials and tries again at once when they are replaced', async () => {
    const source = new FakeSource();
    source.failWith = () =>
      new QingtuiApiError('credential', 40401, 'appid or secret is unauthenticated', '/v1/token');
    const service = makeService(source);
    await expect(service.getToken()).rejects.toMatchObject({ kind: 'credential' });
    for (let i = 0; i < 20; i++) {
      await expect(service.getToken()).rejects.toMatchObject({ kind: 'credential' });
    }
    expect(source.calls).toHaveLength(1);
    const held = service.status()[0].heldBack!;
    expect(held.reason).toBe('credentials');
    expect(Date.parse(held.until) - Date.now()).toBeGreaterThan(25_000);
    source.failWith = undefined;
    service.credentialsChanged('main');
    await new Promise((r) => setTimeout(r, 50));
    await expect(service.getToken()).resolves.toBe('token-1');
    expect(source.calls).toHaveLength(2);
  });

  it('confirms a reported rejection with one probe and remembers an accepted token', async () => {
    const source = new ProbingSource();
    const service = makeService(source, { staleReportProbeTtlMs: 60_000 });
    const token = await service.getToken();
    for (let i = 0; i < 1000; i++) {
      await expect(service.refreshIfCurrent('main', token)).resolves.toBe(token);
    }
    expect(source.probes).toBe(1);
    expect(source.calls).toHaveLength(1);
  });

  it('staleReportProbeTtlMs sets how long an accepted token is remembered', async () => {
    const source = new ProbingSource();
    const service = makeService(source, { staleReportProbeTtlMs: 0 });
    const token = await service.getToken();
    for (let i = 0; i < 3; i++) {
      await expect(service.refreshIfCurrent('main', token)).resolves.toBe(token);
    }
    // Nothing remembered: every report is checked again (still never a grant).
    expect(source.probes).toBe(3);
    expect(source.calls).toHaveLength(1);
  });

  it('renews once when the probe confirms the rejection, every reporter getting the new token', async () => {
    const source = new ProbingSource();
    const service = makeService(source);
    const token = await service.getToken();
    source.verdict = 'rejected';
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => service.refreshIfCurrent('main', token)),
    );
    expect(new Set(answers)).toEqual(new Set(['token-2']));
    expect(source.probes).toBe(1);
    expect(source.calls.map((c) => c.reason)).toEqual(['initial', 'stale']);
  });

  it('renews on a rejection seen first-hand without a probe, but probes a second one within 10 s', async () => {
    const source = new ProbingSource();
    const service = makeService(source);
    const first = await service.getToken();
    const second = await service.renewRejected('main', first);
    expect(second).toBe('token-2');
    expect(source.probes).toBe(0);
    // The platform "rejects" the brand-new token too (a misread errcode): checked, not renewed.
    await expect(service.renewRejected('main', second)).resolves.toBe(second);
    expect(source.probes).toBe(1);
    expect(source.calls).toHaveLength(2);
  });

  it('reads a secret given as a function at every credential fetch', async () => {
    let reads = 0;
    const resolved = resolveQingtuiOptions({
      apps: [{ name: 'main', appId: 'app-1', appSecret: () => `secret-${++reads}` }],
    });
    expect(JSON.stringify(resolved)).not.toContain('secret-');
    const secrets = resolveAppSecrets({
      apps: [{ name: 'main', appId: 'app-1', appSecret: () => `secret-${++reads}` }],
    });
    await expect(secrets.get('main')!()).resolves.toBe('secret-1');
    await expect(secrets.get('main')!()).resolves.toBe('secret-2');
    const empty = resolveAppSecrets({ apps: [{ name: 'main', appId: 'a', appSecret: () => '' }] });
    await expect(empty.get('main')!()).rejects.toThrow(/apps\["main"\]\.appSecret" gave no secret/);
  });

  it('keeps the quota reserve for renewals: a passive refresh is refused, the current token served', async () => {
    const source = new ProbingSource();
    const usage = new PlatformUsage(
      new Map([['main', { counted: ['token', 'refresh', 'api'], limit: 10 }]]),
    );
    const service = makeService(source, {}, usage);
    const token = await service.getToken();
    for (let i = 0; i < 9; i++) usage.record('main', 'api');
    expect(usage.get('main').state).toBe('reserve');
    source.verdict = 'rejected';
    await expect(service.refreshIfCurrent('main', token)).resolves.toBe(token);
    expect(source.probes).toBe(0);
    expect(source.calls).toHaveLength(1);
  });

  it('stops token calls until the next day after the platform says the quota is used up', async () => {
    const source = new FakeSource();
    const service = makeService(source);
    const token = await service.getToken();
    source.failWith = () =>
      new QingtuiApiError('quota', 45009, 'reach max api daily quota limit', '/v1/token');
    await expect(service.renewRejected('main', token)).rejects.toMatchObject({ kind: 'quota' });
    const status = service.status()[0];
    expect(status.heldBack?.reason).toBe('quota');
    expect(status.platformCallsToday.state).toBe('exhausted');
    expect(Date.parse(status.heldBack!.until)).toBe(Date.parse(status.platformCallsToday.resetsAt));
    await expect(service.getToken()).resolves.toBe(token);
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
