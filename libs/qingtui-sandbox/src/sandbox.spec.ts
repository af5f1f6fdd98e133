import { describe, expect, it } from 'vitest';
import { QingtuiSandbox } from './sandbox.js';
import {
  resolveSandboxOptions,
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
} from './sandbox.options.js';
import { fetchToken, getJson } from './testing/http-helpers.js';
import { clearQuota, stableToken, wechatToken } from './testing/wechat-mp-helpers.js';
import { wecomToken } from './testing/wecom-helpers.js';

describe('QingtuiSandbox lifecycle', () => {
  it('starts on a free port, stops, and can start again', async () => {
    const sandbox = new QingtuiSandbox();
    expect(() => sandbox.url).toThrow(/not started/);
    const url = await sandbox.start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.url).toBe(url);
    await expect(sandbox.start()).rejects.toThrow(/already started/);
    const { access_token: token } = await fetchToken(url);
    await sandbox.stop();
    await sandbox.stop(); // idempotent
    await expect(fetch(`${url}/v1/token`)).rejects.toThrow();

    // Platform state survives a restart.
    const again = await sandbox.start();
    expect(sandbox.isTokenValid(token)).toBe(true);
    await sandbox.stop();
    expect(again).toMatch(/^http:/);
  });

  it('rejects start() when the port is taken', async () => {
    const first = new QingtuiSandbox();
    const port = Number(new URL(await first.start()).port);
    try {
      await expect(new QingtuiSandbox().start(port)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await first.stop();
    }
  });

  it('logs the requests of every platform without a secret or a token', async () => {
    const lines: string[] = [];
    const sandbox = new QingtuiSandbox({ log: (line) => lines.push(line) });
    const url = await sandbox.start();
    const tokens: string[] = [];
    try {
      const wechat = await wechatToken(url);
      const stable = await stableToken(url, true);
      await clearQuota(url);
      const wecom = await wecomToken(url);
      tokens.push(wechat.access_token, stable.body.access_token, wecom.body.access_token);
      await getJson(`${url}/cgi-bin/getcallbackip?access_token=${tokens[0]}`);
    } finally {
      await sandbox.stop();
    }
    expect(lines).toEqual([
      expect.stringMatching(/^GET \/cgi-bin\/token 200 errcode=- [\d.]+ms$/),
      expect.stringMatching(/^POST \/cgi-bin\/stable_token 200 errcode=- [\d.]+ms$/),
      expect.stringMatching(/^POST \/cgi-bin\/clear_quota\/v2 200 errcode=0 [\d.]+ms$/),
      expect.stringMatching(/^GET \/cgi-bin\/gettoken 200 errcode=0 [\d.]+ms$/),
      expect.stringMatching(/^GET \/cgi-bin\/getcallbackip 200 errcode=- [\d.]+ms$/),
    ]);
    const text = lines.join('\n');
    for (const secret of [
      SANDBOX_DEMO_WECHAT_APP.appSecret,
      SANDBOX_DEMO_WECOM_APP.secret,
      ...tokens,
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs one line per platform request, without query strings', async () => {
    const lines: string[] = [];
    const sandbox = new QingtuiSandbox({ log: (line) => lines.push(line) });
    const url = await sandbox.start();
    try {
      await fetchToken(url);
      await getJson(`${url}/v1/app/followers?access_token=secret-ish`);
      sandbox.addFault({ kind: 'errcode', times: 1 });
      await getJson(`${url}/v1/app/followers`);
    } finally {
      await sandbox.stop();
    }
    expect(lines).toEqual([
      expect.stringMatching(/^GET \/v1\/token 200 errcode=- [\d.]+ms$/),
      expect.stringMatching(/^GET \/v1\/app\/followers 200 errcode=40014 [\d.]+ms$/),
      expect.stringMatching(/^GET \/v1\/app\/followers 200 errcode=-1 fault=errcode [\d.]+ms$/),
    ]);
    expect(lines.join('\n')).not.toContain(SANDBOX_DEMO_APP.appSecret);
  });
});

describe('resolveSandboxOptions', () => {
  it('applies the documented defaults', () => {
    const options = resolveSandboxOptions();
    expect([...options.apps.keys()]).toEqual(['demo-app-id']);
    expect(options.apps.get('demo-app-id')).toMatchObject({
      appSecret: 'demo-app-secret',
      edition: 'enterprise',
      followers: ['openid-alice', 'openid-bob', 'openid-carol'],
    });
    expect(options).toMatchObject({
      tokenTtlSeconds: 7200,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      tokenIntervalMs: 2000,
      tokenIntervalRefusalsRestart: false,
      overlapSeconds: undefined,
      tokenLength: 600,
      dailyQuota: { 'free-unverified': 300, 'free-verified': 2000, enterprise: Infinity },
      tickets: { ticketTtlSeconds: 7200, ticketRepeat: 'same' },
    });
    expect([...options.wechatApps.values()]).toEqual([
      { appId: 'wx-demo-app-id', appSecret: 'wx-demo-app-secret' },
    ]);
    expect([...options.wecomApps.values()]).toEqual([
      {
        key: 'ww-demo-corp-id/1000002',
        corpId: 'ww-demo-corp-id',
        agentId: '1000002',
        secret: 'ww-demo-app-secret',
      },
    ]);
    expect(options.wechatRules).toEqual({
      tokenTtlSeconds: 7200,
      overlapSeconds: 300,
      dailyTokenQuota: 2000,
      stableRefreshWindowSeconds: 300,
      forceRefreshDailyLimit: 20,
      forceRefreshIntervalSeconds: 30,
      forceRefreshKillsAtOnce: false,
      stableMinuteLimit: 10_000,
      stableDailyLimit: 500_000,
      clearQuotaMonthlyLimit: 10,
      ticketTtlSeconds: 7200,
      ticketRepeat: 'same',
    });
    expect(options.wecomRules).toEqual({
      tokenTtlSeconds: 7200,
      tokenCallsPerMinute: 1000,
      repeatedExpiresIn: 'as-issued',
      ticketTtlSeconds: 7200,
      ticketRepeat: 'same',
      ticketHourlyLimitApp: 100,
      ticketHourlyLimitCorp: 400,
      messagesPerMemberMinute: 30,
      messagesPerMemberHour: 1000,
    });
    // Compressed time: the stable window scales with the lifetime unless given.
    expect(resolveSandboxOptions({ tokenTtlSeconds: 72 }).wechatRules).toMatchObject({
      tokenTtlSeconds: 72,
      stableRefreshWindowSeconds: 3,
    });
    expect(
      resolveSandboxOptions({ tokenTtlSeconds: 72, wecomRules: { tokenTtlSeconds: 5 } }).wecomRules
        .tokenTtlSeconds,
    ).toBe(5);
    expect(resolveSandboxOptions({ wechatApps: [], wecomApps: [] }).wechatApps.size).toBe(0);
    expect(
      resolveSandboxOptions({ apps: [{ appId: 'a', appSecret: 'b' }] }).apps.get('a'),
    ).toMatchObject({
      edition: 'enterprise',
      followers: [],
    });
  });

  it('rejects invalid options, naming them', () => {
    expect(() => resolveSandboxOptions({ tokenTtlSeconds: 0 })).toThrow(/tokenTtlSeconds/);
    expect(() => resolveSandboxOptions({ tokenIntervalMs: -1 })).toThrow(/tokenIntervalMs/);
    expect(() => resolveSandboxOptions({ overlapSeconds: Number.NaN })).toThrow(/overlapSeconds/);
    expect(() => resolveSandboxOptions({ tokenLength: 600.5 })).toThrow(/tokenLength/);
    expect(() => resolveSandboxOptions({ dailyQuota: { enterprise: -1 } })).toThrow(/dailyQuota/);
    expect(() => resolveSandboxOptions({ apps: [{ appId: '', appSecret: 'x' }] })).toThrow(/appId/);
    expect(() => resolveSandboxOptions({ apps: [{ appId: 'a', appSecret: '' }] })).toThrow(
      /appSecret/,
    );
    expect(() =>
      resolveSandboxOptions({
        apps: [
          { appId: 'a', appSecret: 'x' },
          { appId: 'a', appSecret: 'y' },
        ],
      }),
    ).toThrow(/duplicate/);
    expect(() =>
      resolveSandboxOptions({ apps: [{ appId: 'a', appSecret: 'x', followers: [''] }] }),
    ).toThrow(/followers/);
  });

  it('rejects invalid WeChat and WeCom options, naming them and never a secret', () => {
    const error = (options: Parameters<typeof resolveSandboxOptions>[0]) => {
      try {
        resolveSandboxOptions(options);
      } catch (thrown) {
        return (thrown as Error).message;
      }
      throw new Error('no error');
    };
    expect(error({ wechatApps: [{ appId: '', appSecret: 'x' }] })).toMatch(/wechatApps: appId/);
    expect(error({ wechatApps: [{ appId: 'wx', appSecret: '' }] })).toMatch(
      /wechatApps\["wx"\]: appSecret/,
    );
    expect(
      error({
        wechatApps: [
          { appId: 'wx', appSecret: 'top-secret-1' },
          { appId: 'wx', appSecret: 'top-secret-2' },
        ],
      }),
    ).toMatch(/duplicate appId "wx"/);
    expect(error({ wechatApps: {} as never })).toMatch(/wechatApps must be an array/);
    expect(error({ wecomApps: [{ corpId: 'c', agentId: 'x1', secret: 's' }] })).toMatch(/agentId/);
    expect(error({ wecomApps: [{ corpId: 'c/d', agentId: 1, secret: 's' }] })).toMatch(/corpId/);
    expect(error({ wecomApps: [{ corpId: 'c', agentId: 1, secret: '' }] })).toMatch(/c\/1.*secret/);
    expect(
      error({
        wecomApps: [
          { corpId: 'c', agentId: 1, secret: 'shared-secret' },
          { corpId: 'c', agentId: '1', secret: 'other-secret' },
        ],
      }),
    ).toMatch(/duplicate app "c\/1"/);
    const sameSecret = error({
      wecomApps: [
        { corpId: 'c', agentId: 1, secret: 'shared-secret' },
        { corpId: 'c', agentId: 2, secret: 'shared-secret' },
      ],
    });
    expect(sameSecret).toMatch(/same secret/);
    expect(sameSecret).not.toContain('shared-secret');
    expect(
      error({
        apps: [{ appId: 'x', appSecret: 's' }],
        wechatApps: [{ appId: 'x', appSecret: 's' }],
      }),
    ).toMatch(/wechatApps: "x" is already the name of an app in apps/);
    expect(error({ wechatRules: { overlapSeconds: -1 } })).toMatch(/wechatRules.overlapSeconds/);
    expect(error({ wechatRules: { dailyTokenQuota: 1.5 } })).toMatch(/wechatRules.dailyTokenQuota/);
    expect(error({ wechatRules: { forceRefreshDailyLimit: -1 } })).toMatch(
      /forceRefreshDailyLimit/,
    );
    expect(error({ tokenTtlSeconds: 10, wechatRules: { stableRefreshWindowSeconds: 10 } })).toMatch(
      /stableRefreshWindowSeconds \(10\) must be shorter than the token lifetime \(10 s\)/,
    );
    expect(error({ wechatRules: { tokenTtlSeconds: 0 } })).toMatch(/wechatRules.tokenTtlSeconds/);
    expect(error({ tokenIntervalRefusalsRestart: 'yes' as never })).toMatch(
      /tokenIntervalRefusalsRestart must be true or false/,
    );
    expect(error({ wechatRules: { forceRefreshKillsAtOnce: 1 as never } })).toMatch(
      /wechatRules.forceRefreshKillsAtOnce must be true or false/,
    );
    expect(error({ wecomRules: { repeatedExpiresIn: 'remaining' as never } })).toMatch(
      /wecomRules.repeatedExpiresIn must be one of "as-issued", "time-left"/,
    );
    expect(error({ wecomRules: { tokenCallsPerMinute: -3 } })).toMatch(
      /wecomRules.tokenCallsPerMinute/,
    );
  });
});
