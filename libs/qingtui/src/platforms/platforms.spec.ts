import { describe, expect, it } from 'vitest';
import { resolveAppSecrets, resolveQingtuiOptions } from '../config/resolve-options.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { platformNamed, TOKEN_PLATFORMS } from './platforms.registry.js';

const qingtui = platformNamed('qingtui');
const wechat = platformNamed('wechat-mp');
const wecom = platformNamed('wecom');

const SECRETS = ['qt-secret-DO-NOT-LOG', 'wx-secret-DO-NOT-LOG', 'ww-secret-DO-NOT-LOG'];

const ALL: QingtuiModuleOptions = {
  apps: [
    { name: 'crm', appId: 'qt-1', appSecret: SECRETS[0] },
    { name: 'wx', platform: 'wechat-mp', appId: 'wx-1', appSecret: SECRETS[1] },
    { name: 'wxs', platform: 'wechat-mp', appId: 'wx-1', appSecret: SECRETS[1], stableToken: true },
    { name: 'oa', platform: 'wecom', corpId: 'ww-1', agentId: 1000002, secret: SECRETS[2] },
    { name: 'hr', platform: 'wecom', corpId: 'ww-1', agentId: '1000003', secret: () => 'x' },
  ],
};

function configError(options: QingtuiModuleOptions): string {
  try {
    resolveQingtuiOptions(options);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('the platform registry', () => {
  it('registers Qingtui first (the platform of an app that names none), then WeChat and WeCom', () => {
    expect(TOKEN_PLATFORMS.map((p) => p.name)).toEqual(['qingtui', 'wechat-mp', 'wecom']);
  });
});

describe('errcode classes per platform and endpoint', () => {
  it('Qingtui: 40001 is a credential error on /v1/token, a rejected token elsewhere', () => {
    expect(qingtui.classify(40001, '/v1/token', '')).toBe('credential');
    expect(qingtui.classify(40001, '/v1/app/followers', '')).toBe('token-invalid');
    expect(qingtui.classify(40402, '/auth/autoRefreshToken', '')).toBe('refresh-token');
  });

  it('WeChat: 40001 is a credential error on token calls, "invalid or not latest" elsewhere', () => {
    expect(wechat.classify(40001, '/cgi-bin/token', 'invalid credential')).toBe('credential');
    expect(wechat.classify(40001, '/cgi-bin/getcallbackip', 'not latest')).toBe('token-invalid');
    for (const code of [40014, 42001, 41001]) {
      expect(wechat.classify(code, '/cgi-bin/message/custom/send', '')).toBe('token-invalid');
    }
    for (const code of [40013, 40125, 40164, 40243, 89503, 41002, 41004]) {
      expect(wechat.classify(code, '/cgi-bin/token', '')).toBe('credential');
      expect(wechat.classify(code, '/cgi-bin/stable_token', '')).toBe('credential');
    }
    expect(wechat.classify(-1, '/cgi-bin/token', 'system error')).toBe('transient');
  });

  it('WeChat: tells the daily quota 45009 from a frequency limit by its errmsg', () => {
    expect(wechat.classify(45009, '/cgi-bin/token', 'reach max api daily quota limit')).toBe(
      'quota',
    );
    expect(wechat.classify(45009, '/cgi-bin/token', 'api freq out of limit')).toBe('rate-limit');
    expect(wechat.classify(45011, '/cgi-bin/stable_token', 'api minute-quota reach limit')).toBe(
      'rate-limit',
    );
    expect(wechat.classify(48006, '/cgi-bin/clear_quota/v2', 'forbid to clear quota')).toBe(
      'quota',
    );
  });

  it('WeChat: holds token calls an hour after a rejected risky IP (89507), a day after two (89506), ten minutes after 40243; 89503 (awaiting the admin) keeps the credential back-off', () => {
    const error = (errcode: number) => ({ errcode }) as never;
    expect(wechat.minHoldMs!(error(89503))).toBeUndefined();
    expect(wechat.minHoldMs!(error(89501))).toBeUndefined();
    expect(wechat.minHoldMs!(error(89507))).toBe(3_600_000);
    expect(wechat.minHoldMs!(error(89506))).toBe(86_400_000);
    expect(wechat.minHoldMs!(error(40243))).toBe(600_000);
    expect(wechat.minHoldMs!(error(40125))).toBeUndefined();
  });

  it("Qingtui: a 45009 on /v1/token is a rate limit whatever its text; elsewhere the day's quota only when it says so (issue 13.9)", () => {
    const classify = qingtui.classify.bind(qingtui);
    expect(classify(45009, '/v1/token', 'reach max api daily quota limit')).toBe('rate-limit');
    expect(classify(45009, '/v1/token', 'api freq out of limit')).toBe('rate-limit');
    expect(classify(45009, '/auth/autoRefreshToken', 'reach max api daily quota limit')).toBe(
      'quota',
    );
    expect(classify(45009, '/v1/message/text/send', 'api freq out of limit')).toBe('rate-limit');
  });

  it('WeCom: a 45009 on gettoken holds token calls for the minute block (60 s), not 2-5 s (issue 13.9)', () => {
    const hold = (errcode: number, endpoint: string) =>
      wecom.minHoldMs!({ errcode, endpoint } as never);
    expect(hold(45009, '/cgi-bin/gettoken')).toBe(60_000);
    expect(hold(45009, '/cgi-bin/message/send')).toBeUndefined();
    expect(hold(40001, '/cgi-bin/gettoken')).toBeUndefined();
  });

  it('WeCom: 40001 is a wrong secret everywhere; 40014 and 42001 a rejected token', () => {
    expect(wecom.classify(40001, '/cgi-bin/gettoken', 'invalid credential')).toBe('credential');
    expect(wecom.classify(40001, '/cgi-bin/user/get', 'invalid credential')).toBe('credential');
    expect(wecom.classify(60020, '/cgi-bin/gettoken', 'not allow to access from your ip')).toBe(
      'credential',
    );
    expect(wecom.classify(40014, '/cgi-bin/get_api_domain_ip', '')).toBe('token-invalid');
    expect(wecom.classify(42001, '/cgi-bin/get_api_domain_ip', '')).toBe('token-invalid');
    expect(wecom.classify(45009, '/cgi-bin/gettoken', 'api freq out of limit')).toBe('rate-limit');
    expect(wecom.classify(-1, '/cgi-bin/gettoken', 'system busy')).toBe('transient');
  });
});

describe('apps of every platform in one module', () => {
  it('resolves each app with its platform identity, store namespace, base URL and quota', () => {
    const resolved = resolveQingtuiOptions({
      ...ALL,
      baseUrls: { 'wechat-mp': 'http://127.0.0.1:9/', wecom: 'http://127.0.0.1:8' },
    });
    const byName = Object.fromEntries(resolved.apps.map((a) => [a.name, a]));
    expect(byName.crm).toMatchObject({
      platform: 'qingtui',
      appId: 'qt-1',
      keyNamespace: 'qingtui',
      baseUrl: 'https://open.qingtui.cn',
      quota: { counted: ['token', 'refresh', 'api'], limit: undefined },
    });
    expect(byName.wx).toMatchObject({
      platform: 'wechat-mp',
      keyNamespace: 'wechat-mp',
      baseUrl: 'http://127.0.0.1:9',
      semantics: { supersedes: { overlapMs: 300_000 } },
      quota: { counted: ['token'], limit: 2000 },
    });
    expect(byName.wxs).toMatchObject({
      keyNamespace: 'wechat-mp-stable',
      semantics: {
        rotationWindowMs: 300_000,
        forceRefresh: { dailyLimit: 20, minIntervalMs: 30_000 },
      },
      quota: { limit: 500_000 },
    });
    expect(byName.oa).toMatchObject({
      platform: 'wecom',
      appId: 'ww-1/1000002',
      baseUrl: 'http://127.0.0.1:8',
      semantics: { repeatsWhileValid: 'same-answer' },
      quota: { counted: [] },
    });
    // Two agents of one company: two identities, two tokens.
    expect(byName.hr.appId).toBe('ww-1/1000003');
  });

  it('keeps every secret out of the resolved options, and hands each to its reader', async () => {
    const resolved = resolveQingtuiOptions(ALL);
    for (const secret of SECRETS) expect(JSON.stringify(resolved)).not.toContain(secret);
    const secrets = resolveAppSecrets(ALL);
    await expect(secrets.get('oa')!()).resolves.toBe(SECRETS[2]);
    await expect(secrets.get('wx')!()).resolves.toBe(SECRETS[1]);
  });

  it('refuses two apps with the same platform identity, naming both without a secret', () => {
    const sameAgent = configError({
      apps: [
        { name: 'oa', platform: 'wecom', corpId: 'ww-1', agentId: 7, secret: SECRETS[2] },
        { name: 'oa2', platform: 'wecom', corpId: 'ww-1', agentId: '7', secret: 'other' },
      ],
    });
    expect(sameAgent).toContain('"apps[1]" is the same app as "oa" (WeCom corpId ww-1 agentId 7)');
    const sameAccount = configError({
      apps: [
        { name: 'a', platform: 'wechat-mp', appId: 'wx', appSecret: SECRETS[1] },
        { name: 'b', platform: 'wechat-mp', appId: 'wx', appSecret: SECRETS[1] },
      ],
    });
    expect(sameAccount).toContain('"apps[1]" is the same app as "a"');
    for (const message of [sameAgent, sameAccount]) {
      for (const secret of SECRETS) expect(message).not.toContain(secret);
    }
  });

  it('names the field of an invalid entry of each platform', () => {
    const cases: [unknown, string][] = [
      [
        { name: 'x', platform: 'dingtalk', appId: 'a', appSecret: 's' },
        '"apps[0].platform" must be one of qingtui, wechat-mp, wecom',
      ],
      [
        { name: 'x', platform: 'wechat-mp', appId: 'a' },
        '"apps[0].appSecret" must be a non-empty string',
      ],
      [
        { name: 'x', platform: 'wechat-mp', appId: 'a', appSecret: 's', stableToken: 'yes' },
        '"apps[0].stableToken" must be true or false',
      ],
      [
        { name: 'x', platform: 'wecom', corpId: 'c', agentId: 'one', secret: 's' },
        '"apps[0].agentId" must be a whole number',
      ],
      [
        { name: 'x', platform: 'wecom', corpId: 'c/d', agentId: 1, secret: 's' },
        '"apps[0].corpId" may only hold',
      ],
      [
        { name: 'x', platform: 'wecom', corpId: 'c', agentId: 1, secret: 's', dailyQuota: 100 },
        '"apps[0].dailyQuota" does not apply to WeCom apps',
      ],
      [
        { name: 'x', platform: 'wecom', corpId: 'c', agentId: 1, appSecret: 's' },
        '"apps[0].appSecret" is not a field of this app',
      ],
      [
        { name: 'x', appId: 'a', appSecret: 's', stableToken: true },
        '"apps[0].stableToken" is not a field of this app',
      ],
    ];
    for (const [app, expected] of cases) {
      expect(configError({ apps: [app as never] })).toContain(expected);
    }
  });

  it('validates base URLs and platform rules by platform name', () => {
    expect(configError({ ...ALL, baseUrls: { wecom: 'ftp://x' } })).toContain(
      '"baseUrls.wecom" must be an absolute http(s) URL',
    );
    expect(configError({ ...ALL, baseUrls: { feishu: 'http://x' } as never })).toContain(
      '"baseUrls.feishu" must be one of',
    );
    expect(
      configError({ ...ALL, baseUrl: 'http://a', baseUrls: { qingtui: 'http://b' } }),
    ).toContain('"baseUrl" and "baseUrls.qingtui" disagree');
    expect(
      configError({ ...ALL, platformRules: { 'wechat-mp': { tokenOverlapMs: -1 } } }),
    ).toContain(
      '"platformRules.wechat-mp.tokenOverlapMs" must be an integer between 0 and 3600000',
    );
    expect(
      configError({ ...ALL, platformRules: { 'wechat-mp': { overlap: 1 } as never } }),
    ).toContain('"platformRules.wechat-mp.overlap" is not a field');
    const tuned = resolveQingtuiOptions({
      ...ALL,
      platformRules: { 'wechat-mp': { tokenOverlapMs: 2_000, forceRefreshDailyLimit: 3 } },
    });
    expect(tuned.apps[1].semantics.supersedes).toEqual({ overlapMs: 2_000 });
    expect(tuned.apps[2].semantics.forceRefresh).toEqual({ dailyLimit: 3, minIntervalMs: 30_000 });
  });

  it('WeCom per-member message limits: defaults 30 and 1000, tunable, checked', () => {
    const byName = (options: QingtuiModuleOptions) =>
      resolveQingtuiOptions(options).apps.find((a) => a.name === 'oa')!;
    expect(byName(ALL).messageLimits).toEqual({ perMemberMinute: 30, perMemberHour: 1000 });
    expect(
      byName({
        ...ALL,
        platformRules: { wecom: { memberMessagesPerMinute: 5, memberMessagesPerHour: 50 } },
      }).messageLimits,
    ).toEqual({ perMemberMinute: 5, perMemberHour: 50 });
    expect(resolveQingtuiOptions(ALL).apps[0].messageLimits).toBeUndefined();
    expect(
      configError({ ...ALL, platformRules: { wecom: { memberMessagesPerMinute: 0 } } }),
    ).toContain(
      '"platformRules.wecom.memberMessagesPerMinute" must be an integer between 1 and 100000',
    );
  });

  it('declares consumer-mode apps of other platforms with their platform', () => {
    const resolved = resolveQingtuiOptions({
      centralServer: {
        url: 'http://server',
        apiKey: 'key-0123456789abcdef',
        apps: ['default', { name: 'wechat', platform: 'wechat-mp' }],
      },
    });
    expect(resolved.apps.map((a) => [a.name, a.platform, a.baseUrl])).toEqual([
      ['default', 'qingtui', 'https://open.qingtui.cn'],
      ['wechat', 'wechat-mp', 'https://api.weixin.qq.com'],
    ]);
  });
});
