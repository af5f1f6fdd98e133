import { Injectable, type ModuleMetadata } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  QINGTUI_EVENTS,
  QingtuiClients,
  QingtuiEvents,
  QingtuiModule,
  TokenService,
  type QingtuiEventMap,
  type QingtuiEventName,
  type QingtuiModuleOptions,
  type QingtuiTokenRenewedEvent,
} from 'nestjs-qingtui';
import { QingtuiSandbox, type SandboxOptions } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { sleep, waitFor } from '../support/fault-tools.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * Issue 10, point 2: the library's lifecycle events, against the sandbox over real HTTP. Each
 * fires once per occurrence, carries the app and its platform, and never a token or a secret.
 */
const APP_ID = 'events-app';
const SECRET = 'events-secret-DO-NOT-LEAK-9b1c';
const FOLLOWERS = ['openid-a'];

type Seen = { name: QingtuiEventName; event: QingtuiEventMap[QingtuiEventName] };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function platform(
  options: SandboxOptions = {},
): Promise<{ sandbox: QingtuiSandbox; url: string }> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: APP_ID, appSecret: SECRET, followers: FOLLOWERS }],
    ...options,
  });
  const url = await sandbox.start();
  closers.push(() => sandbox.stop());
  return { sandbox, url };
}

/** The module, with every event recorded from before the start-up renewal. */
async function start(
  options: QingtuiModuleOptions,
  metadata: ModuleMetadata = {},
): Promise<{
  moduleRef: TestingModule;
  seen: Seen[];
  of: <K extends QingtuiEventName>(name: K) => QingtuiEventMap[K][];
}> {
  const moduleRef = await Test.createTestingModule({
    ...metadata,
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot(options),
      ...(metadata.imports ?? []),
    ],
  })
    .setLogger(new LogCapture())
    .compile();
  const seen: Seen[] = [];
  moduleRef.get(QingtuiEvents).onAny((name, event) => seen.push({ name, event }));
  closers.push(() => moduleRef.close());
  await moduleRef.init();
  const of = <K extends QingtuiEventName>(name: K) =>
    seen.filter((s) => s.name === name).map((s) => s.event as QingtuiEventMap[K]);
  return { moduleRef, seen, of };
}

/** Every string anywhere in the events. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(strings);
}

describe('lifecycle events', () => {
  it('fires renewals, stale reports and platform calls once per occurrence, with app and platform and no token', async () => {
    const { sandbox, url } = await platform({ tokenTtlSeconds: 4 });
    const { moduleRef, seen, of } = await start({
      apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }],
      baseUrl: url,
      httpTimeoutMs: 2_000,
    });
    const tokens = moduleRef.get(TokenService);

    // The start-up renewal: one /v1/token call, one event.
    expect(seen.map((s) => s.name)).toEqual([
      QINGTUI_EVENTS.platformCall,
      QINGTUI_EVENTS.tokenRenewed,
    ]);
    expect(of(QINGTUI_EVENTS.tokenRenewed)[0]).toMatchObject({
      app: 'main',
      platform: 'qingtui',
      via: 'credentials',
      reason: 'initial',
      generation: 1,
    });
    expect(of(QINGTUI_EVENTS.platformCall)[0]).toMatchObject({ endpoint: 'token', outcome: 'ok' });
    const first = await tokens.getToken('main');
    const issued = [first];

    // A token that is no longer current: answered at no cost.
    await tokens.refreshIfCurrent('main', 'a-token-that-was-replaced-long-ago');
    // The current token, still accepted: one probe, nothing renewed.
    await tokens.refreshIfCurrent('main', first, { reporter: 'client-a' });
    // Revoked by the platform: the next reporter's word is checked and the token renewed.
    sandbox.revokeTokens(APP_ID);
    await sleep(1_100); // probes of one app are at least 1 s apart
    issued.push(await tokens.refreshIfCurrent('main', first, { reporter: 'client-b' }));
    expect(of(QINGTUI_EVENTS.staleTokenReported).map((e) => [e.outcome, e.by])).toEqual([
      ['already-replaced', 'caller'],
      ['refused', 'caller'],
      ['renewed', 'caller'],
    ]);
    expect(of(QINGTUI_EVENTS.tokenRenewed).map((e) => [e.reason, e.via, e.generation])).toEqual([
      ['initial', 'credentials', 1],
      ['stale', 'refresh-token', 2],
    ]);

    // The scheduled renewal at 80% of the 4 s lifetime.
    await waitFor('scheduled renewal', () => of(QINGTUI_EVENTS.tokenRenewed).length === 3, 6_000);
    issued.push(await tokens.getToken('main'));
    const renewed = of(QINGTUI_EVENTS.tokenRenewed);
    expect(renewed[2]).toMatchObject({ reason: 'scheduled', via: 'refresh-token', generation: 3 });
    expect(Date.parse(renewed[2].expiresAt)).toBe(Date.parse(tokens.status()[0].expiresAt!));

    // Once per occurrence: one renewed event per grant, one call event per platform call.
    const counters = sandbox.counters().apps[APP_ID];
    expect(renewed).toHaveLength(counters.grants);
    expect(of(QINGTUI_EVENTS.platformCall)).toHaveLength(
      counters.tokenCalls + counters.refreshCalls + counters.apiCalls,
    );
    expect(of(QINGTUI_EVENTS.platformCall).filter((e) => e.endpoint === 'probe')).toHaveLength(
      counters.apiCalls,
    );

    for (const { event } of seen) {
      expect(event).toMatchObject({ app: 'main', platform: 'qingtui' });
      expect(Number.isNaN(Date.parse(event.at))).toBe(false);
    }
    const text = strings(seen);
    for (const secret of [SECRET, ...issued, sandbox.currentToken(APP_ID)!]) {
      expect(text.filter((s) => s.includes(secret))).toEqual([]);
    }
    // Nothing token-sized at all (the sandbox's tokens and refresh_tokens are hundreds of characters).
    expect(Math.max(...text.map((s) => s.length))).toBeLessThan(100);
  }, 20_000);

  it('tells refused credentials once per refused attempt, without the secret', async () => {
    const { url } = await platform();
    const wrong = 'a-wrong-secret-DO-NOT-LEAK-42';
    const { of, seen } = await start({
      apps: [{ name: 'main', appId: APP_ID, appSecret: wrong }],
      baseUrl: url,
    });
    await sleep(500);
    expect(of(QINGTUI_EVENTS.credentialsRejected)).toEqual([
      expect.objectContaining({ app: 'main', platform: 'qingtui', consecutiveRejections: 1 }),
    ]);
    const [failed] = of(QINGTUI_EVENTS.renewalFailed);
    expect(of(QINGTUI_EVENTS.renewalFailed)).toHaveLength(1);
    expect(failed).toMatchObject({
      reason: 'initial',
      error: { kind: 'credential' },
      consecutiveFailures: 1,
      tokenStillValid: false,
    });
    // The back-off starts at 30 s.
    expect(failed.retryInMs).toBeGreaterThanOrEqual(29_000);
    expect(of(QINGTUI_EVENTS.tokenRenewed)).toEqual([]);
    expect(strings(seen).filter((s) => s.includes(wrong) || s.includes(SECRET))).toEqual([]);
  });

  it('warns at 80% of the daily quota and tells its exhaustion once each', async () => {
    const { sandbox, url } = await platform({ tokenTtlSeconds: 1 });
    const { moduleRef, of } = await start({
      apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET, dailyQuota: 10 }],
      baseUrl: url,
      httpTimeoutMs: 2_000,
    });
    const client = moduleRef.get(QingtuiClients).get('main');
    // Business calls up to the warning (8 of 10); the 1 s tokens' renewals then use up the rest.
    while (moduleRef.get(TokenService).platformUsage('main').total < 8) {
      await client.getFollowers();
    }
    expect(of(QINGTUI_EVENTS.quotaWarning)).toEqual([
      expect.objectContaining({
        app: 'main',
        platform: 'qingtui',
        used: 8,
        limit: 10,
        byPlatform: false,
      }),
    ]);
    await waitFor('quota exhausted', () => of(QINGTUI_EVENTS.quotaExhausted).length > 0, 5_000);
    // Past it, renewals are held back (failures of kind quota), and neither event fires again.
    await waitFor('a held-back renewal', () => of(QINGTUI_EVENTS.renewalFailed).length > 0, 3_000);
    await sleep(500);
    expect(of(QINGTUI_EVENTS.quotaWarning)).toHaveLength(1);
    expect(of(QINGTUI_EVENTS.quotaExhausted)).toEqual([
      expect.objectContaining({ app: 'main', used: 10, limit: 10, byPlatform: false }),
    ]);
    expect(of(QINGTUI_EVENTS.renewalFailed)[0]).toMatchObject({ error: { kind: 'quota' } });
    const usedAtPlatform = sandbox.counters().apps[APP_ID].quotaUsedToday;
    expect(usedAtPlatform).toBe(10);
  }, 15_000);

  it('tells a store outage and its end once per app, each time', async () => {
    const redis = await RedisProcess.start();
    closers.push(() => redis.stop());
    const { url } = await platform();
    const { of } = await start({
      apps: [
        { name: 'main', appId: APP_ID, appSecret: SECRET },
        { name: 'other', appId: 'other-app', appSecret: 'other-secret' },
      ],
      baseUrl: url,
      redisUrl: redis.url,
      redisTimeoutMs: 300,
      keyPrefix: 'events-test',
      prefetch: false,
    });
    for (let outage = 1; outage <= 2; outage++) {
      redis.freeze();
      await waitFor(
        'degraded',
        () => of(QINGTUI_EVENTS.storeDegraded).length === 2 * outage,
        5_000,
      );
      await sleep(1_200); // more failed heartbeats: still one event per app
      expect(of(QINGTUI_EVENTS.storeDegraded)).toHaveLength(2 * outage);
      redis.thaw();
      await waitFor(
        'recovered',
        () => of(QINGTUI_EVENTS.storeRecovered).length === 2 * outage,
        5_000,
      );
    }
    expect(of(QINGTUI_EVENTS.storeDegraded).map((e) => e.app)).toEqual([
      'main',
      'other',
      'main',
      'other',
    ]);
    expect(of(QINGTUI_EVENTS.storeDegraded)[0]).toMatchObject({
      platform: 'qingtui',
      store: 'redis',
    });
    expect(of(QINGTUI_EVENTS.storeDegraded)[0].reason).toMatch(/no answer within 300 ms/);
    expect(of(QINGTUI_EVENTS.storeRecovered)[0].downForMs).toBeGreaterThan(1_000);
  }, 30_000);
});

@Injectable()
class RenewalListener {
  readonly renewed: QingtuiTokenRenewedEvent[] = [];

  @OnEvent(QINGTUI_EVENTS.tokenRenewed)
  onRenewed(event: QingtuiTokenRenewedEvent): void {
    this.renewed.push(event);
  }
}

describe('with @nestjs/event-emitter', () => {
  it('re-emits every event for @OnEvent handlers, the start-up renewal included', async () => {
    const { url } = await platform();
    const { moduleRef } = await start(
      { apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }], baseUrl: url },
      { imports: [EventEmitterModule.forRoot()], providers: [RenewalListener] },
    );
    await waitFor('@OnEvent', () => moduleRef.get(RenewalListener).renewed.length > 0, 2_000);
    expect(moduleRef.get(RenewalListener).renewed).toEqual([
      expect.objectContaining({
        app: 'main',
        platform: 'qingtui',
        reason: 'initial',
        generation: 1,
      }),
    ]);
    await moduleRef.get(TokenService).refreshIfCurrent('main', 'not-current');
    expect(moduleRef.get(RenewalListener).renewed).toHaveLength(1);
  });
});
