import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { getJson, postJson } from '../../testing/http-helpers.js';
import { apiDomainIpErrcode, wecomToken } from '../../testing/wecom-helpers.js';

const CORP = 'ww-corp';
const CRM = { corpId: CORP, agentId: 1000002, secret: 'crm-secret' };
const HR = { corpId: CORP, agentId: '1000003', secret: 'hr-secret' };
const OTHER_CORP = { corpId: 'ww-other', agentId: 1000002, secret: 'other-secret' };
const CRM_KEY = 'ww-corp/1000002';
const HR_KEY = 'ww-corp/1000003';
const START = Date.UTC(2025, 0, 1, 2, 0, 0);

describe('WeCom /cgi-bin/gettoken and /cgi-bin/get_api_domain_ip', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = START;

  async function start(options: SandboxOptions = {}): Promise<void> {
    clock = START;
    sandbox = new QingtuiSandbox({
      now: () => clock,
      wecomApps: [CRM, HR, OTHER_CORP],
      ...options,
    });
    base = await sandbox.start();
  }

  const token = async (app: { corpId: string; secret: string } = CRM) =>
    (await wecomToken(base, app.corpId, app.secret)).body;

  afterEach(async () => {
    await sandbox.stop();
  });

  it('answers the same token with the expires_in it was issued with, while it is valid', async () => {
    await start({ tokenTtlSeconds: 100 });
    const first = await token();
    expect(first).toEqual({
      errcode: 0,
      errmsg: 'ok',
      access_token: expect.stringMatching(/^[\w-]+$/),
      expires_in: 100,
    });
    clock += 60_000;
    expect(await token()).toEqual(first); // expires_in 100, not the 40 s left
    clock += 39_999;
    expect(await token()).toEqual(first);
    expect(await apiDomainIpErrcode(base, first.access_token)).toBe(0);

    clock += 1; // expired: a new token, and the old one gets 42001
    const second = await token();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expires_in).toBe(100);
    expect(await apiDomainIpErrcode(base, first.access_token)).toBe(42001);
    expect(await apiDomainIpErrcode(base, second.access_token)).toBe(0);
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      tokenCalls: 4,
      tokenGrants: 4,
      grants: 2,
      grantsByKind: { credentials: 2, refresh: 0, stable: 0, force: 0 },
      apiCalls: 3,
      apiRejected: { 42001: 1 },
      invalidTokenCalls: 1,
      quotaUsedToday: 0,
    });
  });

  it("with repeatedExpiresIn 'time-left', a repeated answer says the seconds the token has left", async () => {
    await start({ tokenTtlSeconds: 100, wecomRules: { repeatedExpiresIn: 'time-left' } });
    const first = await token();
    expect(first.expires_in).toBe(100);
    clock += 60_400;
    expect(await token()).toEqual({ ...first, expires_in: 39 });
    clock += 39_000; // 600 ms left: the exact fraction, never rounded up
    expect(await token()).toEqual({ ...first, expires_in: 0.6 });
    clock += 600;
    const second = await token();
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.expires_in).toBe(100);
  });

  it('keeps one token per app: apps of one company get their own', async () => {
    await start();
    const crm = await token(CRM);
    const hr = await token(HR);
    const other = await token(OTHER_CORP);
    expect(new Set([crm.access_token, hr.access_token, other.access_token]).size).toBe(3);
    expect(sandbox.currentToken(CRM_KEY)).toBe(crm.access_token);
    expect(sandbox.currentToken(HR_KEY)).toBe(hr.access_token);
    expect(sandbox.counters().apps[HR_KEY].grants).toBe(1);
  });

  it('invalidates a token early on request: 40014, and the next gettoken issues a new one', async () => {
    await start();
    const crm = await token(CRM);
    const hr = await token(HR);
    sandbox.revokeTokens(CRM_KEY);
    expect(await apiDomainIpErrcode(base, crm.access_token)).toBe(40014);
    expect(await apiDomainIpErrcode(base, hr.access_token)).toBe(0);
    const renewed = await token(CRM);
    expect(renewed.access_token).not.toBe(crm.access_token);
    expect(renewed.expires_in).toBe(7200);

    // Through the control API, naming the app by corpId and agentId.
    const revoke = await postJson(`${base}/__sandbox/revoke`, { corpId: CORP, agentId: 1000002 });
    expect(revoke.body).toEqual({ ok: true });
    expect(await apiDomainIpErrcode(base, renewed.access_token)).toBe(40014);
    expect(await apiDomainIpErrcode(base, hr.access_token)).toBe(0);
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      tokenCalls: 2,
      grants: 2,
      apiRejected: { 40014: 2 },
    });
  });

  it('answers gettoken errors with WeCom errcodes; a wrong secret is 40001', async () => {
    await start();
    const get = async (query: string) =>
      (await getJson(`${base}/cgi-bin/gettoken?${query}`)).body.errcode as number;
    expect(await get('corpsecret=x')).toBe(41002);
    expect(await get(`corpid=${CORP}`)).toBe(41004);
    expect(await get('corpid=ww-ghost&corpsecret=x')).toBe(40013);
    expect(await get(`corpid=${CORP}&corpsecret=wrong`)).toBe(40001);
    // The secret names the app within its company only.
    expect(await get(`corpid=${CORP}&corpsecret=${OTHER_CORP.secret}`)).toBe(40001);
    expect(
      (await postJson(`${base}/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${CRM.secret}`)).body
        .errcode,
    ).toBe(43001);
    expect((await wecomToken(base, CORP, 'wrong')).body).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential, the secret is invalid',
    });
    const { platforms, apps } = sandbox.counters();
    expect(platforms.wecom).toMatchObject({
      tokenCalls: 7,
      tokenGrants: 0,
      tokenRejected: { 41002: 1, 41004: 1, 40013: 1, 40001: 3, 43001: 1 },
    });
    // Only the POST named an app (by a right secret); the wrong secrets cannot be attributed.
    expect(apps[CRM_KEY]).toMatchObject({ tokenCalls: 1, tokenRejected: { 43001: 1 } });
  });

  it.each([
    [60020, 'not allow to access from your ip'],
    [-1, 'system busy'],
    [40001, 'invalid credential, the secret is invalid'],
  ])('refuses gettoken with %i while the control API says so', async (code, errmsg) => {
    await start();
    const refuse = (errcode: number | null) =>
      postJson(`${base}/__sandbox/token-refusal`, { corpId: CORP, agentId: '1000002', errcode });
    expect((await refuse(code)).body).toEqual({ ok: true });
    expect(await token(CRM)).toEqual({ errcode: code, errmsg });
    expect((await token(HR)).errcode).toBe(0);
    await refuse(null);
    expect((await token(CRM)).errcode).toBe(0);
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      tokenCalls: 2,
      tokenGrants: 1,
      tokenRejected: { [code]: 1 },
    });
  });

  it('limits gettoken per company and minute with 45009', async () => {
    await start({ wecomRules: { tokenCallsPerMinute: 3 } });
    await token(CRM);
    await token(HR);
    await token(CRM);
    const refused = await token(HR);
    expect(refused.errcode).toBe(45009);
    expect(refused.errmsg).toContain('3 calls a minute');
    expect((await token(OTHER_CORP)).errcode).toBe(0); // another company, its own allowance
    clock += 60_000;
    expect((await token(HR)).errcode).toBe(0);
    expect(sandbox.counters().apps[HR_KEY]).toMatchObject({
      tokenCalls: 3,
      tokenGrants: 2,
      tokenRejected: { 45009: 1 },
      grants: 1,
    });
  });

  it('judges tokens on get_api_domain_ip: 41001 missing, 40014 malformed, 0 with ip_list', async () => {
    await start();
    const { access_token: valid } = await token();
    expect((await getJson(`${base}/cgi-bin/get_api_domain_ip?access_token=${valid}`)).body).toEqual(
      {
        errcode: 0,
        errmsg: 'ok',
        ip_list: ['192.0.2.40', '198.51.100.50', '203.0.113.60'],
      },
    );
    expect((await getJson(`${base}/cgi-bin/get_api_domain_ip`)).body).toEqual({
      errcode: 41001,
      errmsg: 'access_token missing',
    });
    expect(await apiDomainIpErrcode(base, 'garbage')).toBe(40014);
    const wechat = await getJson(
      `${base}/cgi-bin/token?grant_type=client_credential&appid=wx-demo-app-id&secret=wx-demo-app-secret`,
    );
    expect(await apiDomainIpErrcode(base, wechat.body.access_token as string)).toBe(40014);
    expect(sandbox.counters().platforms.wecom).toMatchObject({
      apiCalls: 4,
      apiRejected: { 41001: 1, 40014: 2 },
      invalidTokenCalls: 3,
    });
  });
});
