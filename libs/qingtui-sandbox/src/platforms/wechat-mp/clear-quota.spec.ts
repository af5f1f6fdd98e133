import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { getJson, postJson } from '../../testing/http-helpers.js';
import { clearQuota, wechatToken, wechatTokenUrl } from '../../testing/wechat-mp-helpers.js';
import { SANDBOX_DEMO_WECHAT_APP } from './wechat-mp.options.js';

const APP = SANDBOX_DEMO_WECHAT_APP.appId;
/** 10:00 in Beijing (02:00 UTC), 31 January. */
const START = Date.UTC(2025, 0, 31, 2, 0, 0);

describe('WeChat /cgi-bin/clear_quota/v2', () => {
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

  it('gives the day’s token calls back even when they are used up', async () => {
    await start({ wechatRules: { dailyTokenQuota: 2 } });
    await wechatToken(base);
    await wechatToken(base);
    expect((await getJson(wechatTokenUrl(base))).body.errcode).toBe(45009);
    expect(sandbox.counters().apps[APP].quotaUsedToday).toBe(2);

    expect((await clearQuota(base)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(sandbox.counters().apps[APP].quotaUsedToday).toBe(0);
    await wechatToken(base);
    await wechatToken(base);
    expect((await getJson(wechatTokenUrl(base))).body.errcode).toBe(45009);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      tokenCalls: 6,
      tokenGrants: 4,
      tokenRejected: { 45009: 2 },
      quotaResetCalls: 1,
      quotaResets: 1,
      quotaUsedToday: 2,
    });
  });

  it('allows 10 resets a calendar month in Beijing, then 48006', async () => {
    await start();
    for (let i = 0; i < 10; i++) expect((await clearQuota(base)).body.errcode).toBe(0);
    const refused = await clearQuota(base);
    expect(refused.body).toMatchObject({ errcode: 48006 });
    expect(refused.body.errmsg).toContain('10 resets a month');
    clock = Date.UTC(2025, 0, 31, 15, 59, 59); // 23:59:59 on 31 January in Beijing
    expect((await clearQuota(base)).body.errcode).toBe(48006);
    clock = Date.UTC(2025, 0, 31, 16, 0, 0); // 1 February in Beijing
    expect((await clearQuota(base)).body.errcode).toBe(0);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      quotaResetCalls: 13,
      quotaResets: 11,
      quotaResetRejected: { 48006: 2 },
    });
  });

  it('rejects bad requests without using a reset', async () => {
    await start({ wechatRules: { clearQuotaMonthlyLimit: 1 } });
    const url = `${base}/cgi-bin/clear_quota/v2`;
    expect((await getJson(url)).body.errcode).toBe(43002);
    expect((await postJson(url, '{')).body.errcode).toBe(47001);
    expect((await postJson(url, { appsecret: 'x' })).body.errcode).toBe(41002);
    expect((await postJson(url, { appid: APP })).body.errcode).toBe(41004);
    expect((await clearQuota(base, 'wx-ghost', 'x')).body.errcode).toBe(40013);
    expect((await clearQuota(base, APP, 'wrong')).body.errcode).toBe(40125);
    expect((await clearQuota(base)).body.errcode).toBe(0);
    expect(sandbox.counters().platforms['wechat-mp']).toMatchObject({
      quotaResetCalls: 7,
      quotaResets: 1,
      quotaResetRejected: { 43002: 1, 47001: 1, 41002: 1, 41004: 1, 40013: 1, 40125: 1 },
    });
  });
});
