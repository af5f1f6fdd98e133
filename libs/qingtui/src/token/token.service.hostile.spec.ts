import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveQingtuiOptions } from '../config/resolve-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { CacheTokenBackend } from '../store/memory-token.backend.js';
import { PlatformUsage } from '../quotas/platform-usage.js';
import type { TokenGrant } from '../core/credential-record.js';
import type { ProbeVerdict, TokenSource } from '../core/credential-source.js';
import { TokenService } from './token.service.js';

/** A platform as the engine sees it: counted renewals and probes, made to fail at will. */
class CountingSource implements TokenSource {
  renewals: number[] = [];
  probes: number[] = [];
  lifetimeMs = 10 * 3_600_000;
  failing = false;
  verdict: ProbeVerdict = 'accepted';
  private n = 0;

  async renew(): Promise<TokenGrant> {
    this.renewals.push(Date.now());
    await Promise.resolve();
    if (this.failing)
      throw new QingtuiApiError('transient', undefined, 'HTTP 500', '/v1/token', 500);
    const now = Date.now();
    this.n += 1;
    return {
      accessToken: `token-${this.n}`,
      issuedAt: now,
      expiresAt: now + this.lifetimeMs,
      origin: 'credentials',
    };
  }

  async probe(): Promise<ProbeVerdict> {
    this.probes.push(Date.now());
    await Promise.resolve();
    return this.verdict;
  }
}

const services: TokenService[] = [];

function makeService(
  source: TokenSource,
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
  vi.useRealTimers();
  await Promise.all(services.splice(0).map((s) => s.onModuleDestroy()));
});

/** The most entries of `times` in any window of `windowMs`. */
function densest(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('TokenService under hostile reports (issue 13.1, 13.7)', () => {
  it('a loop of reports of the current token by five keys costs at most 2 probes a minute, for three hours', async () => {
    // Only Date is faked: the clock jumps 250 ms per report, far past every memory's lifetime.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 3, 2) });
    const source = new CountingSource();
    const service = makeService(source);
    const token = await service.getToken();
    const reporters = ['a', 'b', 'c', 'd', 'e'];
    for (let i = 0; i < (3 * 3_600_000) / 250; i++) {
      await expect(
        service.refreshIfCurrent('main', token, { reporter: reporters[i % reporters.length] }),
      ).resolves.toBe(token);
      vi.setSystemTime(Date.now() + 250);
    }
    expect(source.renewals).toHaveLength(1);
    // At most 9 in the first minute; once both schedules are at their longest spacing (60 s),
    // 2 a minute: one for the keys already told, one for keys not told yet.
    const start = source.probes[0];
    expect(densest(source.probes, 60_000)).toBeLessThanOrEqual(9);
    expect(
      densest(
        source.probes.filter((t) => t > start + 150_000),
        60_000,
      ),
    ).toBeLessThanOrEqual(2);
    expect(source.probes.length).toBeLessThanOrEqual(3 * 60 * 2 + 12);
  });

  it('a single honest key that cried wolf is healed within 12 s of a real revocation', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 11, 3, 2) });
    const source = new CountingSource();
    const service = makeService(source);
    const token = await service.getToken();
    await expect(service.refreshIfCurrent('main', token, { reporter: 'only' })).resolves.toBe(
      token,
    );
    // The platform really revokes it now; the same key reports once a second.
    source.verdict = 'rejected';
    let healedAfter: number | undefined;
    for (let s = 1; s <= 60 && healedAfter === undefined; s++) {
      vi.setSystemTime(Date.now() + 1_000);
      const answer = await service.refreshIfCurrent('main', token, { reporter: 'only' });
      if (answer !== token) healedAfter = s;
    }
    expect(healedAfter).toBeDefined();
    expect(healedAfter!).toBeLessThanOrEqual(12);
    expect(source.renewals).toHaveLength(2);
  });
});

describe("TokenService in a token's last seconds (issue 13.2)", () => {
  it('paces renewals at least 2 s apart while the platform fails, past the point of handing out', async () => {
    // Fake timers and clock: 40 s tokens (as in the report), the platform failing fast from the
    // 30th second, 20 clients asking every 5 ms for 45 s.
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 3, 2) });
    const source = new CountingSource();
    source.lifetimeMs = 40_000;
    // Renewal at 80% (32 s); handed out until 4 s before expiry (10% of the lifetime).
    const service = makeService(source, {
      refresh: { ratio: 0.8, jitterRatio: 0, minValidityMs: 30_000 },
    });
    await service.getToken();
    const started = Date.now();
    let stop = false;
    let refusedWhileValid = 0;
    const clients = Array.from({ length: 20 }, async () => {
      while (!stop) {
        const token = await service.getToken().catch(() => undefined);
        if (token === undefined && Date.now() < started + 40_000) refusedWhileValid++;
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await vi.advanceTimersByTimeAsync(30_000);
    source.failing = true;
    await vi.advanceTimersByTimeAsync(15_000);
    stop = true;
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all(clients);
    const failed = source.renewals.slice(1);
    // Flights: attempts more than 500 ms after the previous one (a flight retries within itself).
    const flights = failed.filter((t, i) => i === 0 || t - failed[i - 1] > 500);
    for (let i = 1; i < flights.length; i++)
      expect(flights[i] - flights[i - 1]).toBeGreaterThanOrEqual(1_600);
    // 32 s: the scheduled renewal (3 attempts), then one attempt per hold, doubling: about 6.
    expect(failed.length).toBeGreaterThanOrEqual(3);
    expect(failed.length).toBeLessThanOrEqual(3 + 8);
    expect(refusedWhileValid).toBe(0);
  });
});
