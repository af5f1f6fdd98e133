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

  it('asks for the usage text on --help', () => {
    expect(parseSandboxCli(['--help'], {})).toEqual({ help: true });
    expect(parseSandboxCli(['-h'], {})).toEqual({ help: true });
  });
});
