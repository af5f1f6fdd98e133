import { describe, expect, it } from 'vitest';
import { QingtuiSandbox } from './sandbox.js';
import { resolveSandboxOptions, SANDBOX_DEMO_APP } from './sandbox.options.js';
import { fetchToken, getJson } from './testing/http-helpers.js';

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
      overlapSeconds: undefined,
      tokenLength: 600,
      dailyQuota: { 'free-unverified': 300, 'free-verified': 2000, enterprise: Infinity },
    });
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
});
