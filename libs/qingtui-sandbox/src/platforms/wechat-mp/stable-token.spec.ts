import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { getJson, postJson } from '../../testing/http-helpers.js';
import {
  callbackIpErrcode,
  clearQuota,
  stableToken,
  wechatToken,
} from '../../testing/wechat-mp-helpers.js';
import { SANDBOX_DEMO_WECHAT_APP } from './wechat-mp.options.js';

const APP = SANDBOX_DEMO_WECHAT_APP.appId;
const SECRET = SANDBOX_DEMO_WECHAT_APP.appSecret;
/** 10:00 in Beijing (02:00 UTC). */
const START = Date.UTC(2025, 0, 1, 2, 0, 0);
/** Tokens live 100 s and rotate with less than 10 s left. */
const COMPRESSED: SandboxOptions = {
  tokenTtlSeconds: 100,
  wechatRules: { stableRefreshWindowSeconds: 10 },
};

describe('WeChat /cgi-bin/stable_token', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = START;

  async function start(options: SandboxOptions = COMPRESSED): Promise<void> {
    clock = START;
    sandbox = new QingtuiSandbox({ now: () => clock, ...options });
    base = await sandbox.start();
  }

  const stable = async (force?: boolean) => (await stableToken(base, force)).body;

  afterEach(async () => {
    await sandbox.stop();
  });

  it('normal mode answers the current token with the time it has left, and rotates it within the window', async () => {
    await start();
    const first = await stable();
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 100 });
    clock += 5000;
    expect(await stable()).toEqual({ access_token: first.access_token, expires_in: 95 });
    clock += 85_000; // 10 s left: not yet less than the window
    expect(await stable()).toEqual({ access_token: first.access_token, expires_in: 10 });
    clock += 1; // less than 10 s left: a new token
    const second = await stable();
    expect(second).toEqual({ access_token: expect.any(String), expires_in: 100 });
    expect(second.access_token).not.toBe(first.access_token);

    // Old and new overlap until the old one's own expiry.
    expect(await callbackIpErrcode(base, first.access_token)).toBe(0);
    clock += 9998;
    expect(await callbackIpErrcode(base, first.access_token)).toBe(0);
    clock += 1;
    expect(await callbackIpErrcode(base, first.access_token)).toBe(42001);
    expect(await callbackIpErrcode(base, second.access_token)).toBe(0);
    expect(sandbox.currentStableToken(APP)).toBe(second.access_token);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      stableCalls: 4,
      stableGrants: 4,
      grants: 2,
      grantsByKind: { credentials: 0, refresh: 0, stable: 2, force: 0 },
      tokenCalls: 0,
    });
  });

  it('never answers an expires_in below the window, over three lifetimes', async () => {
    await start();
    const tokens = new Set<string>();
    for (let second = 0; second <= 300; second++) {
      clock = START + second * 1000;
      const { access_token: token, expires_in: expiresIn } = await stable();
      expect(expiresIn).toBeGreaterThanOrEqual(10);
      expect(expiresIn).toBeLessThanOrEqual(100);
      tokens.add(token as string);
    }
    // Issued at 0 s, then each time less than 10 s is left: 91 s, 182 s, 273 s.
    expect(tokens.size).toBe(4);
    expect(sandbox.counters().apps[APP]).toMatchObject({ stableCalls: 301, grants: 4 });
  });

  it('scales the default window with the lifetime: 300 s at the platform 7200 s', async () => {
    await start({});
    const first = await stable();
    expect(first.expires_in).toBe(7200);
    clock += 6900_000;
    expect(await stable()).toEqual({ access_token: first.access_token, expires_in: 300 });
    clock += 500;
    const second = await stable();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expires_in).toBe(7200);
  });

  it('reports exact fractions when the window is not a whole number of seconds', async () => {
    await start({ tokenTtlSeconds: 4, wechatRules: { stableRefreshWindowSeconds: 1.5 } });
    const first = await stable();
    clock += 2400; // 1.6 s left: rounding down to 1 would go below the window
    expect(await stable()).toEqual({ access_token: first.access_token, expires_in: 1.6 });
  });

  it('force_refresh leaves the previous token working until the next forced refresh (the leaked-token advice)', async () => {
    await start({
      ...COMPRESSED,
      wechatRules: { ...COMPRESSED.wechatRules, forceRefreshIntervalSeconds: 30 },
    });
    const leaked = await stable();
    const first = await stable(true);
    expect(first.access_token).not.toBe(leaked.access_token);
    expect(await callbackIpErrcode(base, leaked.access_token)).toBe(0);
    expect(await stable()).toEqual({ access_token: first.access_token, expires_in: 100 });
    clock += 30_000;
    const second = await stable(true);
    expect(await callbackIpErrcode(base, leaked.access_token)).toBe(40001);
    expect(await callbackIpErrcode(base, first.access_token)).toBe(0);
    expect(await callbackIpErrcode(base, second.access_token)).toBe(0);
    // Left alone, the previous token dies at its own expiry.
    clock += 70_000;
    expect(await callbackIpErrcode(base, first.access_token)).toBe(42001);
  });

  it('with forceRefreshKillsAtOnce, force_refresh kills the current token at once and issues a new one', async () => {
    await start({
      ...COMPRESSED,
      wechatRules: { ...COMPRESSED.wechatRules, forceRefreshKillsAtOnce: true },
    });
    const first = await stable();
    const forced = await stable(true);
    expect(forced).toEqual({ access_token: expect.any(String), expires_in: 100 });
    expect(forced.access_token).not.toBe(first.access_token);
    expect(await callbackIpErrcode(base, first.access_token)).toBe(40001);
    expect(await callbackIpErrcode(base, forced.access_token)).toBe(0);
    expect(await stable()).toEqual({ access_token: forced.access_token, expires_in: 100 });
    expect(sandbox.counters().apps[APP].grantsByKind).toEqual({
      credentials: 0,
      refresh: 0,
      stable: 1,
      force: 1,
    });
  });

  it('force_refresh less than 30 s after the last forced refresh answers the current token without refreshing', async () => {
    await start({
      ...COMPRESSED,
      wechatRules: { ...COMPRESSED.wechatRules, forceRefreshKillsAtOnce: true },
    });
    const forced = await stable(true);
    clock += 29_999;
    expect(await stable(true)).toEqual({ access_token: forced.access_token, expires_in: 70 });
    expect(await callbackIpErrcode(base, forced.access_token)).toBe(0);
    clock += 1;
    const again = await stable(true);
    expect(again.access_token).not.toBe(forced.access_token);
    expect(await callbackIpErrcode(base, forced.access_token)).toBe(40001);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      stableCalls: 3,
      stableGrants: 3,
      grants: 2,
      grantsByKind: { stable: 0, force: 2 },
    });
  });

  it('allows 20 forced refreshes a day, then 45009 until the next day in Beijing', async () => {
    await start({
      ...COMPRESSED,
      wechatRules: { ...COMPRESSED.wechatRules, forceRefreshIntervalSeconds: 0 },
    });
    for (let i = 0; i < 20; i++) expect((await stable(true)).access_token).toBeTypeOf('string');
    const refused = await stable(true);
    expect(refused.errcode).toBe(45009);
    expect(refused.errmsg).toContain('20 refreshes a day');
    // Normal mode still answers, with the last forced token.
    const current = await stable();
    expect(current.access_token).toBe(sandbox.currentStableToken(APP));
    clock = Date.UTC(2025, 0, 1, 16, 0, 0); // midnight in Beijing
    expect((await stable(true)).access_token).toBeTypeOf('string');
    expect(sandbox.counters().apps[APP]).toMatchObject({
      stableCalls: 23,
      stableGrants: 22,
      stableRejected: { 45009: 1 },
      grantsByKind: { force: 21, stable: 0 },
    });
  });

  it('keeps its tokens apart from /cgi-bin/token: neither kind of fetch kills the other', async () => {
    await start({
      ...COMPRESSED,
      wechatRules: { ...COMPRESSED.wechatRules, forceRefreshKillsAtOnce: true },
    });
    const stableGrant = await stable();
    const classic = await wechatToken(base);
    await wechatToken(base); // would start the death of a classic token, not of the stable one
    expect(await stable()).toMatchObject({ access_token: stableGrant.access_token });
    await stable(true);
    expect(await callbackIpErrcode(base, classic.access_token)).toBe(0);
    expect(await callbackIpErrcode(base, stableGrant.access_token)).toBe(40001);
    const { tokenCalls, stableCalls, grantsByKind } = sandbox.counters().apps[APP];
    expect({ tokenCalls, stableCalls, grantsByKind }).toEqual({
      tokenCalls: 2,
      stableCalls: 3,
      grantsByKind: { credentials: 2, refresh: 0, stable: 1, force: 1 },
    });
    // Revocation ends both families; normal mode then issues a new token.
    const current = await stable();
    sandbox.revokeTokens(APP);
    expect(await callbackIpErrcode(base, current.access_token)).toBe(40001);
    expect((await stable()).access_token).not.toBe(current.access_token);
  });

  it('allows 10,000 calls a minute (45011) and 500,000 a day (45009), each configurable', async () => {
    await start({ wechatRules: { stableMinuteLimit: 3, stableDailyLimit: 5 } });
    for (let i = 0; i < 3; i++) await stable();
    const minute = await stable();
    expect(minute.errcode).toBe(45011);
    clock += 60_000;
    await stable();
    await stable();
    expect((await stable()).errcode).toBe(45009);
    clock += 60_000;
    expect((await stable()).errcode).toBe(45009);
    expect((await clearQuota(base)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await stable()).access_token).toBeTypeOf('string');
    expect(sandbox.counters().apps[APP]).toMatchObject({
      stableCalls: 9,
      stableGrants: 6,
      stableRejected: { 45011: 1, 45009: 2 },
    });
  });

  it('has the platform limits by default', async () => {
    await start();
    const options = (sandbox as unknown as { options: { wechatRules: object } }).options;
    expect(options.wechatRules).toMatchObject({
      stableMinuteLimit: 10_000,
      stableDailyLimit: 500_000,
      forceRefreshDailyLimit: 20,
      forceRefreshIntervalSeconds: 30,
    });
  });

  it('rejects bad requests with WeChat errcodes, counted', async () => {
    await start();
    const url = `${base}/cgi-bin/stable_token`;
    const post = async (body: unknown) => (await postJson(url, body)).body.errcode as number;
    const valid = { grant_type: 'client_credential', appid: APP, secret: SECRET };
    expect((await getJson(url)).body.errcode).toBe(43002);
    expect(await post('')).toBe(44002);
    expect(await post('{not json')).toBe(47001);
    expect(await post('[1]')).toBe(47001);
    expect(await post({ ...valid, appid: undefined })).toBe(41002);
    expect(await post({ ...valid, secret: undefined })).toBe(41004);
    expect(await post({ ...valid, grant_type: 'password' })).toBe(40002);
    expect(await post({ ...valid, appid: 'wx-ghost' })).toBe(40013);
    expect(await post({ ...valid, secret: 'wrong' })).toBe(40125);
    expect(await post({ ...valid, force_refresh: 'yes' })).toBe(47001);
    expect(await post(JSON.stringify({ ...valid, pad: 'x'.repeat(70 * 1024) }))).toBe(45002);
    sandbox.setTokenRefusal(APP, 40164);
    expect(await post(valid)).toBe(40164);
    sandbox.setTokenRefusal(APP, undefined);
    expect((await postJson(url, valid)).body.access_token).toBeTypeOf('string');

    const counters = sandbox.counters();
    // Calls whose body names a known appid are the app's; the others (the too large body
    // is not read) count in the totals only.
    expect(counters.apps[APP]).toMatchObject({
      stableCalls: 6,
      stableGrants: 1,
      stableRejected: { 41004: 1, 40002: 1, 40125: 1, 47001: 1, 40164: 1 },
    });
    expect(counters.platforms['wechat-mp']).toMatchObject({
      stableCalls: 13,
      stableRejected: {
        43002: 1,
        44002: 1,
        47001: 3,
        41002: 1,
        41004: 1,
        40002: 1,
        40013: 1,
        40125: 1,
        45002: 1,
        40164: 1,
      },
    });
  });
});
