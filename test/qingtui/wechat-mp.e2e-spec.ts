import { QingtuiApiError, type TokenInfo } from 'nestjs-qingtui';
// An internal token, from the built package (one copy of every class and symbol).
import { QINGTUI_RESOLVED_OPTIONS } from '../../libs/qingtui/dist/qingtui.constants.js';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { LibraryFleet, type LibraryInstance, sleep, waitUntil } from '../support/platform-fleet.js';

/*
 * The WeChat Official Account over three in-process instances sharing Redis, against the
 * sandbox's WeChat with compressed time. Counts of platform calls are exact.
 */

const APP_ID = 'wx-e2e-app';
const SECRET = 'wx-e2e-secret-DO-NOT-LOG';

let sandbox: QingtuiSandbox | undefined;
let fleet: LibraryFleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await sandbox?.stop();
  fleet = sandbox = undefined;
});

function counters() {
  return sandbox!.counters().apps[APP_ID];
}

/** `GET /cgi-bin/getcallbackip` through an instance's HTTP instance: token injected, healed. */
async function businessCall(instance: LibraryInstance, app = 'wx'): Promise<void> {
  const res = await instance.http.axiosRef.get('/cgi-bin/getcallbackip', { qingtui: { app } });
  expect(Array.isArray((res.data as { ip_list?: unknown }).ip_list)).toBe(true);
}

/**
 * A business server that asks an instance for the token and caches it for the `expires_in` it
 * is given (whole seconds left, as the central server's answer has it), then calls the platform
 * directly, never reporting anything. Counts what the platform refused.
 */
async function cachingClient(
  instance: LibraryInstance,
  until: number,
  refused: Map<number, number>,
): Promise<void> {
  let cached: { token: string; until: number } | undefined;
  while (Date.now() < until) {
    // The request itself takes a moment to reach the platform: stop 100 ms before the end.
    if (cached === undefined || Date.now() >= cached.until - 100) {
      const info: TokenInfo = await instance.tokens.getTokenInfo('wx');
      const expiresIn = Math.floor((info.expiresAt - Date.now()) / 1000);
      cached = { token: info.accessToken, until: Date.now() + expiresIn * 1000 };
      if (expiresIn === 0) continue;
    }
    const res = await fetch(`${sandbox!.url}/cgi-bin/getcallbackip?access_token=${cached.token}`);
    const body = (await res.json()) as { errcode?: number };
    if (body.errcode) refused.set(body.errcode, (refused.get(body.errcode) ?? 0) + 1);
    await sleep(20);
  }
}

describe('WeChat /cgi-bin/token over 3 instances (6 s tokens, 2 s overlap)', () => {
  it('renews once per rotation and no call is ever refused as "not latest"', async () => {
    sandbox = new QingtuiSandbox({
      wechatApps: [{ appId: APP_ID, appSecret: SECRET }],
      wechatRules: { tokenTtlSeconds: 6, overlapSeconds: 2 },
    });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    const instances = await fleet.start(3, {
      apps: [{ name: 'wx', platform: 'wechat-mp', appId: APP_ID, appSecret: SECRET }],
      baseUrls: { 'wechat-mp': url },
      platformRules: { 'wechat-mp': { tokenOverlapMs: 2_000 } },
      // Renewing at half the lifetime would kill tokens still held (2 s later, before their own
      // expiry): the overlap rule must win over the ratio.
      refresh: { ratio: 0.5 },
    });
    expect(counters().grants).toBe(1);

    const until = Date.now() + 17_000;
    const refusedByClients = new Map<number, number>();
    const loops = instances.flatMap((instance) => [
      cachingClient(instance, until, refusedByClients),
      (async () => {
        while (Date.now() < until) {
          await businessCall(instance);
          await sleep(20);
        }
      })(),
    ]);
    await Promise.all(loops);

    const c = counters();
    const records = instances.map((i) => i.tokens.status()[0]);
    // Several rotations happened, each with exactly one grant for the three instances: every
    // grant is one generation of the shared record, and no token call was refused.
    expect(c.grants).toBeGreaterThanOrEqual(3);
    expect(Math.max(...records.map((r) => r.generation ?? 0))).toBe(c.grants);
    expect(c.tokenCalls).toBe(c.grants);
    expect(c.tokenRejected).toEqual({});
    // Never renewed earlier than expiry minus the overlap: ~4.2 s apart at least, over 17 s.
    expect(c.grants).toBeLessThanOrEqual(1 + Math.ceil(17_000 / 4_000));
    // Nothing refused: neither the instances' calls nor the caching clients'.
    expect(refusedByClients).toEqual(new Map());
    expect(c.apiRejected).toEqual({});
    expect(c.invalidTokenCalls).toBe(0);
    expect(c.apiCalls).toBeGreaterThan(100);
  });

  it('keeps the secret out of logs, store keys and the options exported to the app', async () => {
    sandbox = new QingtuiSandbox({ wechatApps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    const [instance] = await fleet.start(1, {
      apps: [{ name: 'wx', platform: 'wechat-mp', appId: APP_ID, appSecret: SECRET }],
      baseUrls: { 'wechat-mp': url },
    });
    await businessCall(instance);
    const keys = await fleet.keys();
    expect(keys).toContain(`${fleet.prefix}:{wechat-mp:${APP_ID}}:token`);
    // Besides the app's keys, the store's data marker (read by the heartbeat; no app in it).
    const marker = `${fleet.prefix}:{store}:data-marker`;
    expect(keys).toContain(marker);
    for (const key of keys.filter((k) => k !== marker)) {
      expect(key).toMatch(
        new RegExp(
          `^${fleet.prefix}:\\{wechat-mp:${APP_ID}\\}:(token|lock|calls:[\\d-]+|quota-(clears|exhausted):[\\d-]+)$`,
        ),
      );
    }
    const exported = instance.module.get(QINGTUI_RESOLVED_OPTIONS);
    expect(JSON.stringify(exported)).not.toContain(SECRET);
    expect(JSON.stringify(instance.tokens.status())).not.toContain(SECRET);
    expect(fleet.logs.text()).not.toContain(SECRET);
    // The default daily quota of /cgi-bin/token, counting token calls only.
    expect(instance.tokens.platformUsage('wx')).toMatchObject({
      limit: 2000,
      counted: ['token'],
      total: 1,
    });
  });
});

describe('WeChat stable_token over 3 instances', () => {
  const STABLE_APP = {
    name: 'wxs',
    platform: 'wechat-mp',
    appId: APP_ID,
    appSecret: SECRET,
    stableToken: true,
  } as const;

  async function startStable(forceRefreshKillsAtOnce = false) {
    sandbox = new QingtuiSandbox({
      wechatApps: [{ appId: APP_ID, appSecret: SECRET }],
      wechatRules: {
        tokenTtlSeconds: 8,
        stableRefreshWindowSeconds: 2,
        forceRefreshIntervalSeconds: 0.5,
        forceRefreshKillsAtOnce,
      },
    });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    return fleet.start(3, {
      apps: [STABLE_APP],
      baseUrls: { 'wechat-mp': url },
      platformRules: {
        'wechat-mp': {
          stableRefreshWindowMs: 2_000,
          forceRefreshDailyLimit: 3,
          forceRefreshMinIntervalMs: 1_000,
        },
      },
    });
  }

  it('takes a renewal that answers the same token as success: expiry kept, no loop; rotates in the window', async () => {
    const instances = await startStable();
    expect(counters().grantsByKind).toMatchObject({ stable: 1 });
    const before = await instances[0].tokens.getTokenInfo('wxs');
    // The platform refuses one business call: the interceptor renews at once (normal mode),
    // and the platform answers the same token, which is still valid.
    sandbox!.addFault({
      kind: 'errcode',
      errcode: 40001,
      path: '/cgi-bin/getcallbackip',
      times: 1,
    });
    await businessCall(instances[0], 'wxs');
    expect(counters().stableCalls).toBe(2);
    expect(counters().grants).toBe(1);
    const after = await instances[0].tokens.getTokenInfo('wxs');
    expect(after).toEqual(before);
    await sleep(1_000);
    expect(counters().stableCalls).toBe(2);

    // Inside the rotation window a renewal gets the new token, shared by every instance.
    await waitUntil(() => counters().grants === 2, 10_000, 'the rotation');
    await sleep(200);
    const tokens = await Promise.all(instances.map((i) => i.tokens.getToken('wxs')));
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(before.accessToken);
    expect(counters().grantsByKind).toMatchObject({ stable: 2 });
    expect(counters().grantsByKind.force ?? 0).toBe(0);
    expect(counters().stableCalls).toBe(3);
  });

  it('budgets forced refreshes across instances: spacing, then the day limit, without calling', async () => {
    const instances = await startStable();
    const old = await instances[0].tokens.getToken('wxs');
    const outcomes = await Promise.all(
      instances.map((i) => i.tokens.forceRefresh('wxs').catch((e: unknown) => e)),
    );
    const done = outcomes.filter((o): o is TokenInfo => !(o instanceof Error));
    const refused = outcomes.filter((o): o is QingtuiApiError => o instanceof QingtuiApiError);
    expect(done).toHaveLength(1);
    expect(refused.map((e) => e.kind)).toEqual(['rate-limit', 'rate-limit']);
    for (const e of refused) expect(e.retryAfterMs).toBeGreaterThan(0);
    expect(counters().grantsByKind.force).toBe(1);
    // Every instance hands out the new one; the platform (by default) leaves the old one working.
    await sleep(200);
    for (const i of instances) expect(await i.tokens.getToken('wxs')).toBe(done[0].accessToken);
    expect(sandbox!.isTokenValid(old)).toBe(true);

    for (const i of [1, 2]) {
      await sleep(1_050);
      await instances[i].tokens.forceRefresh('wxs');
    }
    await sleep(1_050);
    const callsBefore = counters().stableCalls;
    await expect(instances[0].tokens.forceRefresh('wxs')).rejects.toMatchObject({ kind: 'quota' });
    expect(counters().stableCalls).toBe(callsBefore);
    expect(counters().grantsByKind.force).toBe(3);
    // Refused forced refreshes never hold the app back.
    expect(instances[0].tokens.status()[0].heldBack).toBeUndefined();
  });

  for (const killsAtOnce of [false, true]) {
    it(`retirePrevious: the token current before the call is dead when it resolves (platform kills at once: ${killsAtOnce})`, async () => {
      const instances = await startStable(killsAtOnce);
      const leaked = await instances[0].tokens.getToken('wxs');
      const started = Date.now();
      const fresh = await instances[1].tokens.forceRefresh('wxs', { retirePrevious: true });
      // Two forced refreshes, the second once the library's 1 s spacing has passed.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(counters().grantsByKind.force).toBe(2);
      expect(sandbox!.isTokenValid(leaked)).toBe(false);
      expect(sandbox!.isTokenValid(fresh.accessToken)).toBe(true);
      await sleep(200);
      for (const i of instances) expect(await i.tokens.getToken('wxs')).toBe(fresh.accessToken);
    });
  }

  it('offers forced refresh to stable_token apps only', async () => {
    sandbox = new QingtuiSandbox({ wechatApps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    const [instance] = await fleet.start(1, {
      apps: [{ name: 'wx', platform: 'wechat-mp', appId: APP_ID, appSecret: SECRET }],
      baseUrls: { 'wechat-mp': url },
    });
    await expect(instance.tokens.forceRefresh('wx')).rejects.toThrow(/has no forced refresh/);
    expect(counters().tokenCalls).toBe(1);
  });
});

describe('WeChat daily quota and clear_quota/v2', () => {
  it('stops token calls at the quota 45009 until clearQuota(), which is never automatic', async () => {
    sandbox = new QingtuiSandbox({
      wechatApps: [{ appId: APP_ID, appSecret: SECRET }],
      wechatRules: { dailyTokenQuota: 1 },
    });
    const url = await sandbox.start();
    fleet = new LibraryFleet();
    const instances = await fleet.start(2, {
      apps: [{ name: 'wx', platform: 'wechat-mp', appId: APP_ID, appSecret: SECRET }],
      baseUrls: { 'wechat-mp': url },
      refresh: { sweepIntervalMs: 1_000 },
    });
    sandbox.revokeTokens(APP_ID);
    // The interceptor sees 40001 and renews: the platform answers the daily-quota 45009.
    const failure = await businessCall(instances[0]).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'quota', errcode: 45009 });
    expect(counters().tokenRejected).toEqual({ 45009: 1 });
    const status = instances[0].tokens.status()[0];
    expect(status.heldBack?.reason).toBe('quota');
    expect(status.platformCallsToday.state).toBe('exhausted');
    // Held back on every instance, without another token call.
    for (const i of instances) await i.tokens.getToken('wx').catch(() => undefined);
    await instances[1].tokens
      .refreshIfCurrent('wx', await instances[1].tokens.getToken('wx'))
      .catch(() => undefined);
    await sleep(500);
    expect(counters().tokenCalls).toBe(2);
    expect(counters().quotaResetCalls).toBe(0);

    await instances[1].tokens.clearQuota('wx');
    expect(counters().quotaResets).toBe(1);
    // Every instance learns of the reset from the store (at its next sweep): the hold is lifted.
    await sleep(1_500);
    for (const i of instances) {
      expect(i.tokens.platformUsage('wx').state).toBe('ok');
      expect(i.tokens.status()[0].heldBack).toBeUndefined();
    }
    // The revoked token heals with one grant.
    await businessCall(instances[0]);
    expect(counters().grants).toBe(2);
    expect(counters().tokenCalls).toBe(3);
    expect(fleet.logs.text()).not.toContain(SECRET);
  });
});
