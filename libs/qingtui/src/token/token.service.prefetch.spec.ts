import { SchedulerRegistry } from '@nestjs/schedule';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveQingtuiOptions } from '../config/resolve-options.js';
import type { ResolvedApp } from '../core/resolved-options.js';
import type { TokenGrant } from '../core/credential-record.js';
import type { TokenSource } from '../core/credential-source.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { PlatformUsage } from '../quotas/platform-usage.js';
import { CacheTokenBackend } from '../store/memory-token.backend.js';
import { TokenService } from './token.service.js';

/** A platform taking `delayMs` per token call, counting calls in flight. */
class SlowSource implements TokenSource {
  calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly delayMs: number) {}

  async renew(app: ResolvedApp): Promise<TokenGrant> {
    this.calls.push(app.name);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.inFlight -= 1;
    const now = Date.now();
    return {
      accessToken: `token-of-${app.name}`,
      issuedAt: now,
      expiresAt: now + 7_200_000,
      origin: 'credentials',
    };
  }
}

const services: TokenService[] = [];
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.onModuleDestroy()));
});

function service(source: SlowSource, apps: number, options: Partial<QingtuiModuleOptions>) {
  const resolved = resolveQingtuiOptions({
    apps: Array.from({ length: apps }, (_, i) => ({
      name: `app-${i}`,
      appId: `id-${i}`,
      appSecret: 'secret',
    })),
    ...options,
  });
  const s = new TokenService(
    resolved,
    new CacheTokenBackend(),
    source,
    new SchedulerRegistry(),
    new PlatformUsage(),
  );
  services.push(s);
  return s;
}

describe('the start-up prefetch at scale (issue 18.3)', () => {
  it('fetches prefetchConcurrency apps at a time, each app once', async () => {
    const source = new SlowSource(5);
    const tokens = service(source, 200, { prefetchConcurrency: 8 });
    await tokens.onApplicationBootstrap();
    expect(source.maxInFlight).toBe(8);
    expect(source.calls).toHaveLength(200);
    expect(new Set(source.calls).size).toBe(200);
    expect(tokens.status().every((s) => s.state === 'valid')).toBe(true);
    // A report's page reads the status of its apps only, and the states of all cheaply.
    expect(tokens.status(['app-3', 'not-an-app']).map((s) => s.name)).toEqual(['app-3']);
    const states = tokens.tokenStates();
    expect(states).toHaveLength(200);
    expect(states[7]).toEqual({ name: 'app-7', state: 'valid' });
  });

  it('stops waiting after prefetchWaitMs: apps not fetched yet answer at once, the rest follows', async () => {
    const source = new SlowSource(40);
    const tokens = service(source, 20, { prefetchConcurrency: 1, prefetchWaitMs: 100 });
    const startedAt = Date.now();
    await tokens.onApplicationBootstrap();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    const fetched = tokens
      .status()
      .filter((s) => s.state === 'valid')
      .map((s) => s.name);
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.length).toBeLessThan(20);
    // An app still waiting for its turn: a fast error saying when to come back, no platform call.
    const waiting = tokens.status().find((s) => s.state === 'missing' && !s.renewing)!;
    const askedAt = Date.now();
    const error = (await tokens.getToken(waiting.name).catch((e: unknown) => e)) as QingtuiApiError;
    expect(Date.now() - askedAt).toBeLessThan(20);
    expect(error).toBeInstanceOf(QingtuiApiError);
    expect(error).toMatchObject({ kind: 'transient', retryAfterMs: 2_000 });
    expect(error.errmsg).toContain(`"${waiting.name}" is not fetched yet`);
    // A fetched app is served meanwhile.
    await expect(tokens.getToken(fetched[0])).resolves.toBe(`token-of-${fetched[0]}`);
    // The background prefetch gets every app, once each.
    const deadline = Date.now() + 5_000;
    while (tokens.status().some((s) => s.state !== 'valid') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await expect(tokens.getToken(waiting.name)).resolves.toBe(`token-of-${waiting.name}`);
    expect(source.calls).toHaveLength(20);
  });

  it('refuses an invalid prefetchConcurrency or prefetchWaitMs, naming the option', () => {
    expect(() =>
      resolveQingtuiOptions({
        apps: [{ name: 'a', appId: 'a', appSecret: 's' }],
        prefetchConcurrency: 0,
      }),
    ).toThrow('prefetchConcurrency');
    expect(() =>
      resolveQingtuiOptions({
        apps: [{ name: 'a', appId: 'a', appSecret: 's' }],
        prefetchWaitMs: -1,
      }),
    ).toThrow('prefetchWaitMs');
  });

  it('refresh.reconcilePerSecond: each backstop pass re-reads that many records, in turn', async () => {
    /** The memory backend posing as a shared store, recording each batched read. */
    class CountingBackend extends CacheTokenBackend {
      readonly batches: string[][] = [];
      override readMany(keys: readonly string[]) {
        this.batches.push([...keys]);
        return super.readMany(keys);
      }
    }
    const backend = new CountingBackend();
    Object.defineProperty(backend, 'kind', { value: 'redis' });
    const withRate = (reconcilePerSecond: number) =>
      resolveQingtuiOptions({
        apps: Array.from({ length: 10 }, (_, i) => ({
          name: `app-${i}`,
          appId: `id-${i}`,
          appSecret: 'secret',
        })),
        refresh: { reconcilePerSecond },
      });
    const tokens = new TokenService(
      withRate(3),
      backend,
      new SlowSource(1),
      new SchedulerRegistry(),
      new PlatformUsage(),
    );
    services.push(tokens);
    // The apps in use (an app never asked for has nothing to re-read).
    for (let i = 0; i < 10; i++) await tokens.getToken(`app-${i}`);
    for (let i = 0; i < 4; i++) tokens.reconcileNext();
    const appOf = (key: string) => /\{qingtui:id-(\d+)\}:token$/.exec(key)?.[1];
    expect(backend.batches.map((keys) => keys.map(appOf))).toEqual([
      ['0', '1', '2'],
      ['3', '4', '5'],
      ['6', '7', '8'],
      ['9', '0', '1'],
    ]);
    // Another value, another batch size (more than the apps: each app once).
    const more = new CountingBackend();
    Object.defineProperty(more, 'kind', { value: 'redis' });
    const all = new TokenService(
      withRate(50),
      more,
      new SlowSource(1),
      new SchedulerRegistry(),
      new PlatformUsage(),
    );
    services.push(all);
    for (let i = 0; i < 10; i++) await all.getToken(`app-${i}`);
    all.reconcileNext();
    expect(more.batches.map((keys) => keys.length)).toEqual([10]);
  });

  it('re-reads the shared call counts of every app in turn, also of apps this instance never served', () => {
    /** Records which app's shared counts are re-read. */
    class SyncRecorder extends PlatformUsage {
      readonly synced: string[] = [];
      override sync(app: string): Promise<void> {
        this.synced.push(app);
        return Promise.resolve();
      }
    }
    const backend = new CacheTokenBackend();
    Object.defineProperty(backend, 'kind', { value: 'redis' });
    const usage = new SyncRecorder();
    const tokens = new TokenService(
      resolveQingtuiOptions({
        apps: Array.from({ length: 5 }, (_, i) => ({
          name: `app-${i}`,
          appId: `id-${i}`,
          appSecret: 'secret',
        })),
        prefetch: false,
        refresh: { reconcilePerSecond: 10 },
      }),
      backend,
      new SlowSource(1),
      new SchedulerRegistry(),
      usage,
    );
    services.push(tokens);
    // No app asked for: a fifth of reconcilePerSecond (2) a pass, every app in turn.
    for (let i = 0; i < 3; i++) tokens.reconcileNext();
    expect(usage.synced).toEqual(['app-0', 'app-1', 'app-2', 'app-3', 'app-4', 'app-0']);
  });
});
