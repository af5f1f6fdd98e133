import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  QINGTUI_METRICS,
  QingtuiConfigError,
  QingtuiModule,
  TokenService,
  type QingtuiModuleOptions,
} from 'nestjs-qingtui';
import { register, Registry } from 'prom-client';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../support/fault-tools.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * Issue 10, point 1, for the library: Prometheus metrics in the application's own registry, equal
 * to what the platform (the sandbox) counted.
 */
const MAIN = {
  appId: 'metrics-main',
  appSecret: 'metrics-main-secret-DO-NOT-LEAK',
  followers: ['openid-a'],
};
const HR = {
  appId: 'metrics-hr',
  appSecret: 'metrics-hr-secret-DO-NOT-LEAK',
  followers: ['openid-b'],
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function platform(
  tokenTtlSeconds?: number,
): Promise<{ sandbox: QingtuiSandbox; url: string }> {
  const sandbox = new QingtuiSandbox({ apps: [MAIN, HR], tokenTtlSeconds });
  const url = await sandbox.start();
  closers.push(() => sandbox.stop());
  return { sandbox, url };
}

function options(url: string, extra: Partial<QingtuiModuleOptions> = {}): QingtuiModuleOptions {
  return {
    apps: [
      { name: 'main', appId: MAIN.appId, appSecret: MAIN.appSecret },
      { name: 'hr', appId: HR.appId, appSecret: HR.appSecret, dailyQuota: 'free-verified' },
    ],
    baseUrl: url,
    httpTimeoutMs: 2_000,
    ...extra,
  };
}

async function start(opts: QingtuiModuleOptions): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot(opts)],
  })
    .setLogger(new LogCapture())
    .compile();
  let closed = false;
  const close = async () => {
    if (!closed) await moduleRef.close();
    closed = true;
  };
  closers.push(close);
  await moduleRef.init();
  return moduleRef;
}

/** Sum of the samples of a metric whose labels include `labels`. */
async function sum(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { labels: Record<string, unknown>; value: number }[];
  return values
    .filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((total, v) => total + v.value, 0);
}

describe('Prometheus metrics of the library', () => {
  it("counts exactly the grants and calls the platform counted, in the application's registry", async () => {
    const { sandbox, url } = await platform(2);
    const registry = new Registry();
    const moduleRef = await start(options(url, { metrics: { registry } }));
    const tokens = moduleRef.get(TokenService);

    // A revoked token healed by a report (refresh_token), dead refresh_tokens for hr (AppSecret),
    // and the scheduled renewals of 2 s tokens meanwhile.
    const before = await tokens.getToken('main');
    sandbox.revokeTokens(MAIN.appId);
    await tokens.refreshIfCurrent('main', before, { reporter: 'a' });
    sandbox.killRefreshTokens(HR.appId);
    await sleep(3_500);

    // Compared when no renewal is in flight, so that both sides describe the same moment. Grants
    // per app; calls in total (the sandbox cannot tell whose a dead refresh_token was).
    const compare = async () => {
      if (tokens.status().some((s) => s.renewing)) return false;
      const counters = sandbox.counters();
      const rows: [string, number, number][] = [];
      for (const [app, appId] of [
        ['main', MAIN.appId],
        ['hr', HR.appId],
      ] as const) {
        const c = counters.apps[appId];
        const of = (labels: Record<string, string> = {}) =>
          sum(registry, QINGTUI_METRICS.tokenGrants, { app, platform: 'qingtui', ...labels });
        rows.push(
          [`${app} grants`, await of(), c.grants],
          [`${app} via credentials`, await of({ via: 'credentials' }), c.grantsByKind.credentials],
          [`${app} via refresh-token`, await of({ via: 'refresh-token' }), c.grantsByKind.refresh],
        );
      }
      const calls = (endpoint: string) =>
        sum(registry, QINGTUI_METRICS.platformCalls, { endpoint });
      const total = counters.total;
      rows.push(
        ['token calls', await calls('token'), total.tokenCalls],
        ['refresh calls', await calls('refresh'), total.refreshCalls],
        ['api calls', (await calls('probe')) + (await calls('api')), total.apiCalls],
      );
      if (rows.every(([, ours, theirs]) => ours === theirs)) return rows;
      return false;
    };
    let rows: [string, number, number][] | false = false;
    await waitFor('a quiet moment', async () => (rows = await compare()) !== false, 3_000, 10);
    const table = rows as unknown as [string, number, number][];
    // Real activity was counted: several renewals of each kind.
    const grants = Object.fromEntries(table.map(([what, ours]) => [what, ours]));
    expect(grants['main via refresh-token']).toBeGreaterThanOrEqual(2);
    expect(grants['hr via credentials']).toBeGreaterThanOrEqual(2);
    expect(await sum(registry, QINGTUI_METRICS.tokenGrants, { app: 'main', reason: 'stale' })).toBe(
      1,
    );
    expect(
      await sum(registry, QINGTUI_METRICS.passiveRefreshReports, {
        app: 'main',
        outcome: 'renewed',
      }),
    ).toBe(1);
    expect(
      await sum(registry, QINGTUI_METRICS.platformCalls, {
        app: 'hr',
        endpoint: 'refresh',
        outcome: 'refresh-token',
      }),
    ).toBeGreaterThanOrEqual(1);

    // Gauges, read from the service at scrape time.
    const text = await registry.metrics();
    expect(text).toMatch(/qingtui_token_lifetime_seconds\{app="main",platform="qingtui"\} 2\n/);
    expect(text).toMatch(/qingtui_token_valid\{app="hr",platform="qingtui"\} 1\n/);
    expect(text).toMatch(/qingtui_store_up\{app="main",platform="qingtui",store="memory"\} 1\n/);
    const left = Number(
      /qingtui_token_expires_in_seconds\{app="main",platform="qingtui"\} ([\d.]+)/.exec(text)![1],
    );
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(2);
    // hr has a quota (free-verified: 2000); main has none, so no ratio.
    const used = tokens.platformUsage('hr').total;
    expect(text).toContain(
      `qingtui_quota_used_ratio{app="hr",platform="qingtui"} ${used / 2000}\n`,
    );
    expect(text).not.toContain('qingtui_quota_used_ratio{app="main"');
    expect(text).toMatch(
      /qingtui_renewal_duration_seconds_count\{app="main",platform="qingtui",outcome="success"\} \d+/,
    );
    expect(text).toMatch(/qingtui_lock_wait_seconds_count\{app="hr",platform="qingtui"\} \d+/);

    for (const secret of [MAIN.appSecret, HR.appSecret, await tokens.getToken('main'), before]) {
      expect(text).not.toContain(secret);
    }
  }, 20_000);

  it('counts callers that waited for the platform', async () => {
    const { url } = await platform();
    const registry = new Registry();
    const moduleRef = await start(options(url, { metrics: { registry }, prefetch: false }));
    await Promise.all([1, 2, 3].map(() => moduleRef.get(TokenService).getToken('main')));
    expect(await sum(registry, QINGTUI_METRICS.callersWaited, { app: 'main' })).toBe(3);
    expect(await sum(registry, QINGTUI_METRICS.callersWaited, { app: 'main' })).toBe(3);
  });

  it("uses prom-client's global registry by default, and leaves it when the module closes", async () => {
    const { url } = await platform();
    const moduleRef = await start(options(url, { metrics: {} }));
    expect(await register.metrics()).toMatch(
      /qingtui_token_grants_total\{app="main",platform="qingtui",via="credentials",reason="initial"\} 1/,
    );
    await moduleRef.close();
    closers.pop();
    expect(register.getSingleMetric(QINGTUI_METRICS.tokenGrants)).toBeUndefined();
  });

  it('refuses a second module on the same registry, and a registry that is not one', async () => {
    const { url } = await platform();
    const registry = new Registry();
    await start(options(url, { metrics: { registry }, prefetch: false }));
    await expect(start(options(url, { metrics: { registry }, prefetch: false }))).rejects.toThrow(
      /"metrics.registry" already holds qingtui_token_grants_total/,
    );
    const error = await start(
      options(url, { metrics: { registry: {} as never }, prefetch: false }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QingtuiConfigError);
    expect((error as Error).message).toMatch(/"metrics.registry" must be a prom-client Registry/);
  });

  it('metrics.perAppLimit: beyond it, one series per platform (app="*"), summing every app', async () => {
    const { url } = await platform();
    const labelsOf = async (registry: Registry) => {
      const metric = (await registry.getMetricsAsJSON()).find(
        (m) => m.name === QINGTUI_METRICS.tokenGrants,
      );
      return new Set((metric?.values ?? []).map((v) => v.labels.app));
    };
    // Two apps, a limit of 1: the grants of both under app="*" (2 initial grants).
    const summed = new Registry();
    await start(options(url, { metrics: { registry: summed, perAppLimit: 1 } }));
    expect(await labelsOf(summed)).toEqual(new Set(['*']));
    expect(await sum(summed, QINGTUI_METRICS.tokenGrants, { app: '*', platform: 'qingtui' })).toBe(
      2,
    );
    // A limit of 2: one series per app (on a platform of its own: Qingtui spaces token calls).
    const perApp = new Registry();
    const other = await platform();
    await start(options(other.url, { metrics: { registry: perApp, perAppLimit: 2 } }));
    expect(await labelsOf(perApp)).toEqual(new Set(['main', 'hr']));
    // Nonsense is refused naming the option.
    for (const perAppLimit of [0, 1.5, 'many', 100_001]) {
      const error = await start(
        options(url, { metrics: { registry: new Registry(), perAppLimit } as never }),
      ).catch((e: unknown) => e);
      expect(error, String(perAppLimit)).toBeInstanceOf(QingtuiConfigError);
      expect((error as Error).message).toMatch(/"metrics.perAppLimit" must be a whole number/);
    }
  });
});
