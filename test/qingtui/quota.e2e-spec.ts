import {
  QingtuiApiError,
  QingtuiClients,
  QingtuiModule,
  TokenService,
  type QingtuiClient,
  type QingtuiDailyQuota,
} from 'nestjs-qingtui';
import { QingtuiSandbox, type SandboxOptions } from 'qingtui-sandbox';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  counterDelta,
  figure,
  platformCalls,
  redisCommand,
  sleep,
  waitFor,
} from '../support/fault-tools.js';
import { LogCapture } from '../support/log-capture.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

/**
 * Issue 7, point 2: the daily quota as policy, shared by 3 instances through Redis (the shared
 * Redis, under a key prefix of the test's own). The library against the sandbox over real HTTP.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = 'quota-app';
const SECRET = 'quota-secret-DO-NOT-LOG';
const FOLLOWERS = ['openid-a', 'openid-b'];
/** Nest's logger is process-wide: the three instances write here together. */
const logs = new LogCapture();

interface Instance {
  tokens: TokenService;
  client: QingtuiClient;
}
const modules: TestingModule[] = [];
const prefixes: string[] = [];
let sandbox: QingtuiSandbox | undefined;

async function fleet(
  sandboxOptions: SandboxOptions,
  dailyQuota: QingtuiDailyQuota | undefined,
): Promise<{ instances: Instance[]; prefix: string }> {
  sandbox = new QingtuiSandbox(sandboxOptions);
  const baseUrl = await sandbox.start();
  const prefix = `test-quota-${randomUUID()}`;
  prefixes.push(prefix);
  const instances: Instance[] = [];
  for (let i = 0; i < 3; i++) {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRoot({
          apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET, dailyQuota }],
          baseUrl,
          redisUrl: REDIS_URL,
          keyPrefix: prefix,
          prefetch: false,
          httpTimeoutMs: 2_000,
          // The sweep also re-reads the shared counts: as often as the options allow, for the test.
          refresh: { sweepIntervalMs: 1_000 },
        }),
      ],
    })
      .setLogger(logs)
      .compile();
    await moduleRef.init();
    modules.push(moduleRef);
    instances.push({
      tokens: moduleRef.get(TokenService),
      client: moduleRef.get(QingtuiClients).get('main'),
    });
  }
  return { instances, prefix };
}

afterEach(async () => {
  await Promise.all(modules.splice(0).map((m) => m.close()));
  await sandbox?.stop();
  sandbox = undefined;
  await deleteKeysWithPrefix(REDIS_URL, prefixes.splice(0));
  logs.lines.length = 0;
});

const counters = () => sandbox!.counters().apps[APP_ID];
/** The platform's day (Beijing time) of now, as the library names its counter keys. */
const beijingDay = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
const send = (i: Instance, n: number) =>
  (async () => {
    for (let k = 0; k < n; k++) await i.client.sendText({ toUser: FOLLOWERS[k % 2] }, `msg-${k}`);
  })();

describe('daily quota shared by 3 instances through Redis', () => {
  it('counts every instance in one Redis counter, warns at 80%, keeps the last 10% for scheduled renewals', async () => {
    const { instances, prefix } = await fleet(
      {
        apps: [{ appId: APP_ID, appSecret: SECRET, edition: 'enterprise', followers: FOLLOWERS }],
        tokenTtlSeconds: 6,
      },
      20,
    );
    const [a, b, c] = instances;
    const started = Date.now();
    const first = await a.tokens.getToken();
    expect(await b.tokens.getToken()).toBe(first);
    expect(await c.tokens.getToken()).toBe(first);
    // 1 token call + 6 + 6 + 3 business calls = 16 = 80% of 20, no instance above 6 on its own.
    await send(a, 6);
    await send(b, 6);
    await send(c, 3);
    const counterKey = `${prefix}:{qingtui:${APP_ID}}:calls:${beijingDay()}`;
    await waitFor(
      'shared count',
      async () => Number(await redisCommand(REDIS_URL, ['GET', counterKey])) === 16,
      2_000,
    );
    expect(platformCalls(counters())).toBe(16);
    expect(counters().quotaUsedToday).toBe(16);
    // Every instance sees the shared total (the sweep re-reads it), whatever it did itself.
    await waitFor(
      'all instances see 16',
      () => instances.every((i) => i.tokens.platformUsage('main').total === 16),
      2_000,
    );
    for (const i of instances)
      expect(i.tokens.platformUsage('main')).toMatchObject({
        total: 16,
        limit: 20,
        state: 'warning',
      });
    const warnings = () =>
      logs.lines.filter((l) => l.startsWith('warn') && l.includes('platform calls today'));
    // Once per instance at most (the logger is shared by the three here), and nothing more later.
    expect(warnings().length).toBeGreaterThanOrEqual(1);
    expect(warnings().length).toBeLessThanOrEqual(3);
    const warningsAt80 = warnings().length;

    // 18 = 90%: the reserve starts.
    await send(a, 2);
    await waitFor(
      'all instances in the reserve',
      () => instances.every((i) => i.tokens.platformUsage('main').state === 'reserve'),
      2_000,
    );
    const beforeReserve = counters();
    // Business calls through the module are refused before anything is sent, on every instance.
    for (const i of instances) {
      const error = await i.client
        .sendText({ toUser: 'openid-a' }, 'refused')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QingtuiApiError);
      expect(error).toMatchObject({ kind: 'quota' });
      expect((error as QingtuiApiError).retryAfterMs).toBeGreaterThan(0);
    }
    // A passive refresh of a token the platform really revoked is not even checked: the current
    // token stays in use until the scheduled renewal.
    sandbox!.revokeTokens(APP_ID);
    for (const i of instances) {
      expect(await i.tokens.refreshIfCurrent('main', first, { reporter: 'client' })).toBe(first);
    }
    // A client looping on its report costs nothing, and does not flood the log either.
    for (let k = 0; k < 500; k++)
      await b.tokens.refreshIfCurrent('main', first, { reporter: 'looping' });
    expect(counterDelta(beforeReserve, counters())).toMatchObject({
      apiCalls: 0,
      tokenCalls: 0,
      refreshCalls: 0,
    });
    const notChecked = logs.lines.filter((l) => l.includes('reserve leaves no call to check it'));
    expect(notChecked.length).toBeGreaterThanOrEqual(1);
    expect(notChecked.length).toBeLessThanOrEqual(3);

    // The scheduled renewal (at 80% of the 6 s lifetime) may use the reserve: one call, for all.
    await waitFor('scheduled renewal', () => counters().refreshGrants === 1, 8_000, 50);
    const renewedAfter = Date.now() - started;
    await sleep(300);
    const renewed = await a.tokens.getToken();
    figure(`quota: scheduled renewal inside the reserve ${renewedAfter} ms after the cold start`);
    expect(renewed).not.toBe(first);
    expect(sandbox!.isTokenValid(renewed)).toBe(true);
    for (const i of instances) expect(await i.tokens.getToken()).toBe(renewed);
    expect(counterDelta(beforeReserve, counters())).toMatchObject({
      refreshCalls: 1,
      tokenCalls: 0,
      apiCalls: 0,
    });
    expect(Number(await redisCommand(REDIS_URL, ['GET', counterKey]))).toBe(19);
    expect(platformCalls(counters())).toBe(19);
    expect(warnings().length).toBe(warningsAt80);
    expect(logs.text()).not.toContain(SECRET);
  }, 30_000);

  it('a quota-45009 from the platform stops token calls on every instance until the next day, while the current token is served', async () => {
    // The platform's own quota: 3 calls a day for this edition. Nothing configured in the module.
    const { instances } = await fleet(
      {
        apps: [
          { appId: APP_ID, appSecret: SECRET, edition: 'free-unverified', followers: FOLLOWERS },
        ],
        dailyQuota: { 'free-unverified': 3 },
        tokenTtlSeconds: 6,
      },
      undefined,
    );
    const [a, b, c] = instances;
    const first = await a.tokens.getToken();
    await send(b, 2);
    // The scheduled renewal meets "reach max api daily quota limit".
    await waitFor('quota answer', () => counters().refreshRejected[45009] === 1, 8_000, 50);
    const stoppedAt = counters();
    await waitFor(
      'every instance knows',
      () => instances.every((i) => i.tokens.platformUsage('main').exhaustedByPlatform),
      2_000,
    );
    const holder = instances.find((i) => i.tokens.status()[0].heldBack?.reason === 'quota');
    expect(holder).toBeDefined();
    const until = Date.parse(holder!.tokens.status()[0].heldBack!.until);
    const nextBeijingMidnight =
      (Math.floor((Date.now() + 8 * 3600_000) / 86_400_000) + 1) * 86_400_000 - 8 * 3600_000;
    expect(until).toBe(nextBeijingMidnight);
    for (const i of instances) {
      expect(i.tokens.platformUsage('main').state).toBe('exhausted');
      // The current token is still served while it lives.
      expect(await i.tokens.getToken()).toBe(first);
    }
    expect(sandbox!.isTokenValid(first)).toBe(true);
    // Past its expiry: a fast quota error that says to come back tomorrow, and no call.
    await waitFor('token expired', () => !sandbox!.isTokenValid(first), 4_000, 50);
    await sleep(300);
    for (const i of [a, b, c]) {
      const t0 = performance.now();
      const error = await i.tokens.getToken().catch((e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(100);
      expect(error).toMatchObject({ name: 'QingtuiApiError', kind: 'quota' });
      expect((error as QingtuiApiError).retryAfterMs).toBeGreaterThan(
        nextBeijingMidnight - Date.now() - 5_000,
      );
    }
    await sleep(1_500);
    const delta = counterDelta(stoppedAt, counters());
    figure(`quota-45009: platform calls after the answer: ${JSON.stringify(delta)}`);
    expect(delta).toMatchObject({ tokenCalls: 0, refreshCalls: 0, apiCalls: 0 });
    // One instance asked and was told; the others learnt it from the store, not the platform.
    expect(counters().refreshRejected).toEqual({ 45009: 1 });
    expect(counters().tokenCalls).toBe(1);
    expect(
      logs.lines.filter((l) => l.includes('daily call quota') && l.startsWith('error')).length,
    ).toBeLessThanOrEqual(3);
  }, 30_000);
});
