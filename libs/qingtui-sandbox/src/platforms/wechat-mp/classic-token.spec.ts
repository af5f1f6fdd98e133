import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { getJson, postJson } from '../../testing/http-helpers.js';
import { callbackIpErrcode, wechatToken, wechatTokenUrl } from '../../testing/wechat-mp-helpers.js';
import { SANDBOX_DEMO_WECHAT_APP } from './wechat-mp.options.js';

const APP = SANDBOX_DEMO_WECHAT_APP.appId;
/** 10:00 in Beijing (02:00 UTC). */
const START = Date.UTC(2025, 0, 1, 2, 0, 0);

describe('WeChat /cgi-bin/token', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = START;

  async function start(options: SandboxOptions = {}): Promise<void> {
    clock = START;
    sandbox = new QingtuiSandbox({ now: () => clock, ...options });
    base = await sandbox.start();
  }

  afterEach(async () => {
    await sandbox.stop();
  });

  it('issues a new token on every call; the previous one works for the overlap, then gets 40001', async () => {
    await start({ tokenTtlSeconds: 20, wechatRules: { overlapSeconds: 2 } });
    const first = await wechatToken(base);
    expect(first).toEqual({ access_token: expect.any(String), expires_in: 20 });
    expect(first.access_token).toMatch(/^[\w-]+$/);
    const second = await wechatToken(base);
    expect(second.access_token).not.toBe(first.access_token);

    clock += 1999;
    expect(await callbackIpErrcode(base, first.access_token)).toBe(0);
    clock += 1;
    expect(await callbackIpErrcode(base, first.access_token)).toBe(40001);
    expect(await callbackIpErrcode(base, second.access_token)).toBe(0);

    const third = await wechatToken(base);
    clock += 1999;
    expect(await callbackIpErrcode(base, second.access_token)).toBe(0);
    clock += 1;
    expect(await callbackIpErrcode(base, second.access_token)).toBe(40001);
    expect(await callbackIpErrcode(base, first.access_token)).toBe(40001);
    expect(await callbackIpErrcode(base, third.access_token)).toBe(0);

    const { body } = await getJson(
      `${base}/cgi-bin/getcallbackip?access_token=${first.access_token}`,
    );
    expect(body).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential, access_token is invalid or not latest',
    });
    expect(sandbox.counters().apps[APP]).toMatchObject({
      tokenCalls: 3,
      tokenGrants: 3,
      grants: 3,
      grantsByKind: { credentials: 3, refresh: 0, stable: 0, force: 0 },
      apiCalls: 8,
      apiRejected: { 40001: 4 },
      invalidTokenCalls: 4,
      quotaUsedToday: 3,
    });
  });

  it('kills the previous token after the overlap in real time too (compressed to 300 ms)', async () => {
    sandbox = new QingtuiSandbox({ tokenTtlSeconds: 20, wechatRules: { overlapSeconds: 0.3 } });
    base = await sandbox.start();
    const first = await wechatToken(base);
    const second = await wechatToken(base);
    expect(await callbackIpErrcode(base, first.access_token)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await callbackIpErrcode(base, first.access_token)).toBe(40001);
    expect(await callbackIpErrcode(base, second.access_token)).toBe(0);
  });

  it('with overlap 0 the previous token dies at once', async () => {
    await start({ wechatRules: { overlapSeconds: 0 } });
    const first = await wechatToken(base);
    await wechatToken(base);
    expect(await callbackIpErrcode(base, first.access_token)).toBe(40001);
  });

  it('ends a token at its own expiry, overlap or not, with 42001 from then on', async () => {
    await start({ tokenTtlSeconds: 5 });
    const first = await wechatToken(base);
    clock += 4000;
    const second = await wechatToken(base); // first would overlap 300 s, but expires at 5 s
    clock += 1000;
    expect(await callbackIpErrcode(base, first.access_token)).toBe(42001);
    expect(await callbackIpErrcode(base, second.access_token)).toBe(0);
    clock += 4000;
    expect(await callbackIpErrcode(base, second.access_token)).toBe(42001);
    // Still recognised as expired once the platform has swept its records (every 512 issues).
    for (let i = 0; i < 520; i++) await wechatToken(base);
    expect(await callbackIpErrcode(base, first.access_token)).toBe(42001);
  });

  it('answers 41001 without a token, 40014 for a malformed one or one of another platform', async () => {
    await start();
    expect((await getJson(`${base}/cgi-bin/getcallbackip`)).body.errcode).toBe(41001);
    expect(await callbackIpErrcode(base, 'not-a-token')).toBe(40014);
    const wecom = await getJson(
      `${base}/cgi-bin/gettoken?corpid=ww-demo-corp-id&corpsecret=ww-demo-app-secret`,
    );
    expect(await callbackIpErrcode(base, wecom.body.access_token as string)).toBe(40014);
    const qingtui = await getJson(
      `${base}/v1/token?grant_type=client_credential&appid=demo-app-id&secret=demo-app-secret`,
    );
    expect(await callbackIpErrcode(base, qingtui.body.access_token as string)).toBe(40014);
    expect((await postJson(`${base}/cgi-bin/getcallbackip?access_token=x`)).body.errcode).toBe(
      43001,
    );
    expect(sandbox.counters().platforms['wechat-mp']).toMatchObject({
      apiCalls: 5,
      invalidTokenCalls: 5, // the POST carried a malformed token too
      apiRejected: { 41001: 1, 40014: 3, 43001: 1 },
    });
  });

  it('gets 40001 for revoked tokens; the next call issues a working one', async () => {
    await start();
    const token = await wechatToken(base);
    sandbox.revokeTokens(APP);
    expect(await callbackIpErrcode(base, token.access_token)).toBe(40001);
    const fresh = await wechatToken(base);
    expect(await callbackIpErrcode(base, fresh.access_token)).toBe(0);
    expect(sandbox.isTokenValid(fresh.access_token)).toBe(true);
    expect(sandbox.currentToken(APP)).toBe(fresh.access_token);
  });

  it('refuses calls beyond the daily quota with 45009 until the next day in Beijing', async () => {
    await start({ wechatRules: { dailyTokenQuota: 3 } });
    for (let i = 0; i < 3; i++) await wechatToken(base);
    const refused = await getJson(wechatTokenUrl(base));
    expect(refused.body).toMatchObject({ errcode: 45009 });
    expect(refused.body.errmsg).toContain('3 calls a day');
    clock = Date.UTC(2025, 0, 1, 15, 59, 59); // 23:59:59 in Beijing
    expect((await getJson(wechatTokenUrl(base))).body.errcode).toBe(45009);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      tokenCalls: 5,
      tokenGrants: 3,
      tokenRejected: { 45009: 2 },
      quotaUsedToday: 3,
    });
    clock = Date.UTC(2025, 0, 1, 16, 0, 0); // midnight in Beijing
    await wechatToken(base);
    expect(sandbox.counters().apps[APP].quotaUsedToday).toBe(1);
  });

  it('allows 2000 calls a day by default: exactly 2000 grants, then 45009', async () => {
    await start();
    const errcodes: number[] = [];
    for (let batch = 0; batch < 41; batch++) {
      const answers = await Promise.all(
        Array.from({ length: batch === 40 ? 1 : 50 }, () => getJson(wechatTokenUrl(base))),
      );
      errcodes.push(...answers.map(({ body }) => (body.errcode as number | undefined) ?? 0));
    }
    expect(errcodes.filter((code) => code === 0)).toHaveLength(2000);
    expect(errcodes.filter((code) => code === 45009)).toHaveLength(1);
    expect(sandbox.counters().apps[APP]).toMatchObject({ grants: 2000, quotaUsedToday: 2000 });
  });

  it('rejects bad requests with WeChat errcodes, counted and never charged', async () => {
    await start();
    const url = (query: string) => `${base}/cgi-bin/token?${query}`;
    const errcode = async (query: string) => (await getJson(url(query))).body.errcode as number;
    expect(await errcode('grant_type=client_credential&secret=s')).toBe(41002);
    expect(await errcode(`grant_type=client_credential&appid=${APP}`)).toBe(41004);
    expect(await errcode(`grant_type=password&appid=${APP}&secret=wx-demo-app-secret`)).toBe(40002);
    expect(await errcode('grant_type=client_credential&appid=wx-ghost&secret=s')).toBe(40013);
    expect(await errcode(`grant_type=client_credential&appid=${APP}&secret=wrong`)).toBe(40125);
    expect((await postJson(wechatTokenUrl(base))).body.errcode).toBe(43001);
    expect((await getJson(wechatTokenUrl(base, APP, 'wrong'))).body).toEqual({
      errcode: 40125,
      errmsg: 'invalid appsecret',
    });
    const { tokenRejected, quotaUsedToday, grants } = sandbox.counters().platforms['wechat-mp'];
    expect(tokenRejected).toEqual({ 41002: 1, 41004: 1, 40002: 1, 40013: 1, 40125: 2, 43001: 1 });
    expect({ quotaUsedToday, grants }).toEqual({ quotaUsedToday: 0, grants: 0 });
  });

  it.each([
    [40164, 'invalid ip, not in whitelist'],
    [89503, 'risky ip, the call needs the administrator to confirm'],
    [40243, 'AppSecret is frozen'],
    [-1, 'system error'],
  ])('refuses token fetches with %i while the control API says so', async (code, errmsg) => {
    await start();
    const control = (body: object) => postJson(`${base}/__sandbox/token-refusal`, body);
    expect((await control({ appId: APP, errcode: code })).body).toEqual({ ok: true });
    expect((await getJson(wechatTokenUrl(base))).body).toEqual({ errcode: code, errmsg });
    expect((await getJson(wechatTokenUrl(base))).body.errcode).toBe(code);
    // Wrong credentials are still told apart first.
    expect((await getJson(wechatTokenUrl(base, APP, 'wrong'))).body.errcode).toBe(40125);
    await control({ appId: APP, errcode: null });
    await wechatToken(base);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      tokenCalls: 4,
      tokenGrants: 1,
      tokenRejected: { [code]: 2, 40125: 1 },
      quotaUsedToday: 1,
    });
  });

  it('applies faults to WeChat paths: after handling, a lost answer has still superseded the previous token', async () => {
    await start({ wechatRules: { overlapSeconds: 1 } });
    const held = await wechatToken(base);
    sandbox.addFault({ kind: 'reset', path: '/cgi-bin/token', times: 1, afterHandling: true });
    await expect(fetch(wechatTokenUrl(base))).rejects.toThrow();
    clock += 1000;
    expect(await callbackIpErrcode(base, held.access_token)).toBe(40001);
    sandbox.addFault({ kind: 'http500', path: '/cgi-bin/token', times: 1 });
    expect((await fetch(wechatTokenUrl(base))).status).toBe(500);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      tokenCalls: 3,
      tokenGrants: 2,
      grants: 2,
      quotaUsedToday: 2,
    });
  });

  it('serves the URLs the npm peers build from their public prefix property', async () => {
    await start();
    // co-wechat-api: this.prefix = 'https://api.weixin.qq.com/cgi-bin/'; wechat-api: this.endpoint + '/cgi-bin/'
    const prefix = `${base}/cgi-bin/`;
    const { appId, appSecret } = SANDBOX_DEMO_WECHAT_APP;
    const tokenResponse = await fetch(
      `${prefix}token?grant_type=client_credential&appid=${appId}&secret=${appSecret}`,
    );
    expect(tokenResponse.status).toBe(200);
    expect(tokenResponse.headers.get('content-type')).toContain('application/json');
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const ipResponse = await fetch(`${prefix}getcallbackip?access_token=${token}`);
    expect(ipResponse.headers.get('content-type')).toContain('application/json');
    expect(await ipResponse.json()).toEqual({
      ip_list: ['192.0.2.10', '198.51.100.20', '203.0.113.30'],
    });
  });
});
