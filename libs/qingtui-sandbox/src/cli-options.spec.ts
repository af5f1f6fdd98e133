import { describe, expect, it } from 'vitest';
import { DEFAULT_STANDALONE_PORT, parseSandboxCli, type SandboxCliConfig } from './cli-options.js';

function config(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  files: Record<string, string> = {},
): SandboxCliConfig {
  const result = parseSandboxCli(argv, env, (path) => {
    if (!(path in files)) throw new Error(`ENOENT: ${path}`);
    return files[path];
  });
  if (result.help) throw new Error('unexpected help');
  return result.config;
}

describe('parseSandboxCli', () => {
  it('defaults to 127.0.0.1:4010, the demo app and the platform defaults', () => {
    expect(config([])).toEqual({
      port: DEFAULT_STANDALONE_PORT,
      host: '127.0.0.1',
      log: false,
      options: {},
    });
    expect(DEFAULT_STANDALONE_PORT).toBe(4010);
  });

  it('reads flags', () => {
    const apps = [{ appId: 'a', appSecret: 's', followers: ['openid-x'] }];
    const parsed = config(
      [
        '--port',
        '0',
        '--host',
        '0.0.0.0',
        '--token-ttl',
        '3',
        '--refresh-ttl',
        '60',
        '--token-interval',
        '200',
        '--overlap',
        '5',
        '--token-length',
        '700',
        '--apps-file',
        'apps.json',
        '--log',
      ],
      {},
      { 'apps.json': JSON.stringify(apps) },
    );
    expect(parsed).toEqual({
      port: 0,
      host: '0.0.0.0',
      log: true,
      options: {
        tokenTtlSeconds: 3,
        refreshTokenTtlSeconds: 60,
        tokenIntervalMs: 200,
        overlapSeconds: 5,
        tokenLength: 700,
        apps,
      },
    });
  });

  it('reads the environment, with flags taking precedence', () => {
    const env = {
      SANDBOX_PORT: '5000',
      SANDBOX_TOKEN_TTL: '10',
      SANDBOX_HOST: '::1',
      SANDBOX_LOG: '1',
    };
    expect(config([], env)).toMatchObject({
      port: 5000,
      host: '::1',
      log: true,
      options: { tokenTtlSeconds: 10 },
    });
    expect(config(['--port', '6000'], env).port).toBe(6000);
  });

  it('rejects invalid values with a readable message', () => {
    expect(() => config(['--port', 'abc'])).toThrow(/--port/);
    expect(() => config(['--port', '70000'])).toThrow(/--port/);
    expect(() => config(['--token-ttl', '-1'])).toThrow(/--token-ttl/);
    expect(() => config(['--apps-file', 'missing.json'])).toThrow(/missing\.json/);
    expect(() => config(['--apps-file', 'a.json'], {}, { 'a.json': '{}' })).toThrow(/JSON array/);
    expect(() => config(['--nope'])).toThrow();
  });

  it('reads WeChat and WeCom apps and rules from flags', () => {
    const parsed = config([
      '--wechat-app',
      'wx1:secret-1',
      '--wechat-app',
      'wx2:se:cret',
      '--wecom-app',
      'ww1:1000002:corp-secret',
      '--token-ttl',
      '20',
      '--wechat-overlap',
      '2',
      '--wechat-token-quota',
      '50',
      '--stable-window',
      '1',
      '--force-interval',
      '3',
      '--wecom-token-rate',
      '10',
    ]);
    expect(parsed.options).toEqual({
      tokenTtlSeconds: 20,
      wechatApps: [
        { appId: 'wx1', appSecret: 'secret-1' },
        { appId: 'wx2', appSecret: 'se:cret' },
      ],
      wecomApps: [{ corpId: 'ww1', agentId: '1000002', secret: 'corp-secret' }],
      wechatRules: {
        overlapSeconds: 2,
        dailyTokenQuota: 50,
        stableRefreshWindowSeconds: 1,
        forceRefreshIntervalSeconds: 3,
      },
      wecomRules: { tokenCallsPerMinute: 10 },
    });
  });

  it('reads WeChat and WeCom apps from the environment, flags winning', () => {
    const env = {
      SANDBOX_WECHAT_APPS: 'wx1:s1, wx2:s2',
      SANDBOX_WECOM_APPS: 'ww1:1:s',
      SANDBOX_WECHAT_OVERLAP: '5',
    };
    expect(config([], env).options).toEqual({
      wechatApps: [
        { appId: 'wx1', appSecret: 's1' },
        { appId: 'wx2', appSecret: 's2' },
      ],
      wecomApps: [{ corpId: 'ww1', agentId: '1', secret: 's' }],
      wechatRules: { overlapSeconds: 5 },
    });
    expect(config(['--wechat-app', 'wx9:s9'], env).options.wechatApps).toEqual([
      { appId: 'wx9', appSecret: 's9' },
    ]);
  });

  it('reads all three platforms from an apps file object', () => {
    const file = {
      apps: [{ appId: 'q', appSecret: 's' }],
      wechatApps: [{ appId: 'wx', appSecret: 's' }],
      wecomApps: [{ corpId: 'ww', agentId: 7, secret: 's' }],
    };
    expect(
      config(['--apps-file', 'apps.json'], {}, { 'apps.json': JSON.stringify(file) }).options,
    ).toEqual(file);
  });

  it('rejects malformed app specs without echoing their secret', () => {
    const message = (argv: string[], files: Record<string, string> = {}) => {
      try {
        config(argv, {}, files);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message(['--wechat-app', 'lonely-secret-value'])).toMatch(/--wechat-app.*appid:secret/);
    expect(message(['--wechat-app', 'lonely-secret-value'])).not.toContain('lonely-secret-value');
    expect(message(['--wechat-app', 'wx:'])).toMatch(/--wechat-app/);
    expect(message(['--wecom-app', 'ww:hidden-secret'])).toMatch(/corpid:agentid:secret/);
    expect(message(['--wecom-app', 'ww:hidden-secret'])).not.toContain('hidden-secret');
    expect(message(['--wecom-app', 'ww::x'])).toMatch(/--wecom-app/);
    const file = { 'a.json': JSON.stringify({ wechatApps: [{ appId: 'a', appSecret: 'b' }] }) };
    expect(message(['--apps-file', 'a.json', '--wechat-app', 'x:y'], file)).toMatch(/one place/);
    expect(message(['--apps-file', 'a.json'], { 'a.json': '{"wechatApps": {}}' })).toMatch(
      /"wechatApps" must be an array/,
    );
    expect(message(['--apps-file', 'a.json'], { 'a.json': '{"wechat": []}' })).toMatch(
      /unknown key/,
    );
    expect(message(['--wechat-overlap', '-1'])).toMatch(/--wechat-overlap/);
  });

  it('reads the ticket options from flags and the environment', () => {
    expect(
      config([
        '--ticket-ttl',
        '30',
        '--ticket-repeat',
        'new',
        '--wecom-ticket-app-limit',
        '5',
        '--wecom-ticket-corp-limit',
        '8',
      ]).options,
    ).toEqual({
      ticketTtlSeconds: 30,
      ticketRepeat: 'new',
      wecomRules: { ticketHourlyLimitApp: 5, ticketHourlyLimitCorp: 8 },
    });
    const env = {
      SANDBOX_TICKET_TTL: '40',
      SANDBOX_TICKET_REPEAT: 'same',
      SANDBOX_WECOM_TICKET_CORP_LIMIT: '9',
      SANDBOX_WECOM_TOKEN_RATE: '7',
    };
    expect(config([], env).options).toEqual({
      ticketTtlSeconds: 40,
      ticketRepeat: 'same',
      wecomRules: { tokenCallsPerMinute: 7, ticketHourlyLimitCorp: 9 },
    });
    expect(() => config(['--ticket-repeat', 'always'])).toThrow(/--ticket-repeat.*same or new/);
    expect(() => config(['--ticket-ttl', 'x'])).toThrow(/--ticket-ttl/);
  });

  it('asks for the usage text on --help', () => {
    expect(parseSandboxCli(['--help'], {})).toEqual({ help: true });
    expect(parseSandboxCli(['-h'], {})).toEqual({ help: true });
  });
});
