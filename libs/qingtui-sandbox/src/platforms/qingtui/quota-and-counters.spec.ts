import { afterEach, describe, expect, it } from 'vitest';
import { CallLimits } from './call-limits.js';
import type { AppCounters } from '../../shared/counters.js';
import { QingtuiSandbox } from '../../sandbox.js';
import {
  type Edition,
  resolveSandboxOptions,
  SANDBOX_DEMO_APP,
  type SandboxOptions,
} from '../../sandbox.options.js';
import {
  apiUrl,
  fetchToken,
  getJson,
  postJson,
  refreshUrl,
  tokenErrcode,
  tokenUrl,
} from '../../testing/http-helpers.js';

const DEMO = SANDBOX_DEMO_APP.appId;

const ZERO: AppCounters = {
  tokenCalls: 0,
  tokenGrants: 0,
  tokenRejected: {},
  refreshCalls: 0,
  refreshGrants: 0,
  refreshRejected: {},
  stableCalls: 0,
  stableGrants: 0,
  stableRejected: {},
  grants: 0,
  grantsByKind: { credentials: 0, refresh: 0, stable: 0, force: 0 },
  apiCalls: 0,
  apiRejected: {},
  invalidTokenCalls: 0,
  deliveries: 0,
  drops: 0,
  quotaResetCalls: 0,
  quotaResets: 0,
  quotaResetRejected: {},
  quotaUsedToday: 0,
  ticketCalls: 0,
  ticketGrants: 0,
  ticketsByKind: {
    jsapi: { calls: 0, grants: 0 },
    wx_card: { calls: 0, grants: 0 },
    agent_config: { calls: 0, grants: 0 },
  },
};

describe('daily quotas and counters', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = Date.UTC(2025, 0, 1, 10, 0, 0);

  async function start(options: SandboxOptions): Promise<void> {
    clock = Date.UTC(2025, 0, 1, 10, 0, 0);
    sandbox = new QingtuiSandbox({ now: () => clock, tokenIntervalMs: 0, ...options });
    base = await sandbox.start();
  }

  afterEach(async () => {
    await sandbox.stop();
  });

  it('charges token, refresh and API calls to the daily quota of the edition, until midnight in Beijing (16:00 UTC)', async () => {
    await start({
      apps: [{ ...SANDBOX_DEMO_APP, edition: 'free-unverified' }],
      dailyQuota: { 'free-unverified': 3 },
      tokenTtlSeconds: 86_400,
    });
    const grant = await fetchToken(base); // 1
    await getJson(refreshUrl(base, grant.refresh_token)); // 2
    expect(await tokenErrcode(base, grant.access_token)).toBe(0); // 3
    const over = await getJson(apiUrl(base, '/v1/app/followers', grant.access_token));
    expect(over.body.errcode).toBe(45009);
    expect(over.body.errmsg).toMatch(
      /daily quota limit \(3 calls\/day for the free-unverified edition\)/,
    );
    expect((await getJson(tokenUrl(base))).body.errcode).toBe(45009);
    expect((await getJson(refreshUrl(base, grant.refresh_token))).body.errcode).toBe(45009);
    expect(sandbox.counters().apps[DEMO].quotaUsedToday).toBe(3);

    clock = Date.UTC(2025, 0, 1, 15, 59, 59, 999); // 23:59:59.999 in Beijing: the same day
    expect((await getJson(tokenUrl(base))).body.errcode).toBe(45009);
    clock += 1; // midnight in Beijing, 16:00 UTC: a new day (not midnight UTC)
    expect(await tokenErrcode(base, grant.access_token)).toBe(0);
    expect(sandbox.counters().apps[DEMO].quotaUsedToday).toBe(1);
  });

  it('applies the documented default quotas: 300 and 2000 a day, enterprise unlimited', () => {
    const { dailyQuota } = resolveSandboxOptions();
    const limits = new CallLimits(() => clock, 0, dailyQuota);
    const served = (appId: string, edition: Edition, attempts: number): number => {
      let count = 0;
      for (let i = 0; i < attempts; i++) if (limits.consume(appId, edition)) count++;
      return count;
    };
    expect(served('a', 'free-unverified', 400)).toBe(300);
    expect(served('b', 'free-verified', 2500)).toBe(2000);
    expect(served('c', 'enterprise', 10_000)).toBe(10_000);
    expect(limits.usedToday('a')).toBe(300);
  });

  it('does not charge calls that fail authentication or the 2 s rule', async () => {
    await start({ tokenIntervalMs: 2000 });
    await getJson(tokenUrl(base, DEMO, 'wrong'));
    await getJson(`${base}/v1/app/followers?access_token=bad`);
    await fetchToken(base);
    await getJson(tokenUrl(base)); // 45009: too soon
    expect(sandbox.counters().apps[DEMO].quotaUsedToday).toBe(1);
  });

  it('counts exactly, per app and in total', async () => {
    await start({
      tokenIntervalMs: 1000,
      apps: [
        SANDBOX_DEMO_APP,
        { appId: 'other', appSecret: 'other-secret', followers: ['openid-zed'] },
      ],
    });
    const grant = await fetchToken(base); //                         demo: token call + grant
    await getJson(tokenUrl(base)); //                                    demo: token call, 45009
    await getJson(tokenUrl(base, DEMO, 'wrong')); //                     demo: token call, 40401
    await getJson(tokenUrl(base, 'ghost', 'x')); //                      total only: 40401
    await getJson(refreshUrl(base, grant.refresh_token)); //             demo: refresh call + grant
    await getJson(refreshUrl(base, 'rt_unknown')); //                    total only: 40402
    await getJson(`${base}/auth/autoRefreshToken`); //                   total only: 41003
    const send = (accessToken: string) =>
      postJson(apiUrl(base, '/v1/message/text/send/single', accessToken), {
        to_user: 'openid-alice',
        message: { content: 'hi' },
      });
    await send(grant.access_token); //                                   demo: api call + delivery
    await send(grant.access_token); //                                   demo: api call + delivery
    await postJson(apiUrl(base, '/v1/message/text/send/single', grant.access_token), {
      to_user: 'x',
    }); // demo: api call, 43004
    await send('forged'); //                                             total only: api call, invalid token
    await getJson(`${base}/v1/app/followers`); //                        total only: api call, missing token
    clock += 7200 * 1000;
    await send(grant.access_token); //                                   demo: api call, expired token
    const other = await fetchToken(base, 'other', 'other-secret'); //    other: token call + grant
    sandbox.revokeTokens('other');
    await send(other.access_token); //                                   other: api call, revoked token
    await getJson(`${base}/no/such/path`); //                            not counted
    await getJson(`${base}/__sandbox/state`); //                         not counted

    const { total, platforms, apps } = sandbox.counters();
    expect(apps[DEMO]).toEqual({
      ...ZERO,
      tokenCalls: 3,
      tokenGrants: 1,
      tokenRejected: { 45009: 1, 40401: 1 },
      refreshCalls: 1,
      refreshGrants: 1,
      grants: 2,
      grantsByKind: { ...ZERO.grantsByKind, credentials: 1, refresh: 1 },
      apiCalls: 4,
      apiRejected: { 43004: 1, 42001: 1 },
      invalidTokenCalls: 1,
      deliveries: 2,
      quotaUsedToday: 5,
    });
    expect(apps.other).toEqual({
      ...ZERO,
      tokenCalls: 1,
      tokenGrants: 1,
      grants: 1,
      grantsByKind: { ...ZERO.grantsByKind, credentials: 1 },
      apiCalls: 1,
      apiRejected: { 40014: 1 },
      invalidTokenCalls: 1,
      quotaUsedToday: 1,
    });
    const expectedTotal = {
      ...ZERO,
      tokenCalls: 5,
      tokenGrants: 2,
      tokenRejected: { 45009: 1, 40401: 2 },
      refreshCalls: 3,
      refreshGrants: 1,
      refreshRejected: { 40402: 1, 41003: 1 },
      grants: 3,
      grantsByKind: { ...ZERO.grantsByKind, credentials: 2, refresh: 1 },
      apiCalls: 7,
      apiRejected: { 43004: 1, 40014: 2, 41001: 1, 42001: 1 },
      invalidTokenCalls: 4,
      deliveries: 2,
      quotaUsedToday: 6,
    };
    expect(total).toEqual(expectedTotal);
    expect(platforms).toEqual({ qingtui: expectedTotal, 'wechat-mp': ZERO, wecom: ZERO });

    sandbox.resetCounters();
    expect(sandbox.counters().apps[DEMO]).toEqual({ ...ZERO, quotaUsedToday: 5 });
    expect(sandbox.deliveries()).toHaveLength(2);
    sandbox.reset();
    expect(sandbox.counters()).toEqual({
      total: ZERO,
      platforms: { qingtui: ZERO, 'wechat-mp': ZERO, wecom: ZERO },
      apps: { [DEMO]: ZERO, other: ZERO, 'wx-demo-app-id': ZERO, 'ww-demo-corp-id/1000002': ZERO },
    });
    expect(sandbox.deliveries()).toEqual([]);
  });
});
