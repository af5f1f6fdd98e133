import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { ConfigValidationError } from '../../src/config/config-validation.error.js';
import { validateEnvironment } from '../../src/config/validate-environment.js';
import { writeAppsFile } from '../support/central-server.harness.js';

const SECRET = 'app-secret-must-not-show-4242';
const KEY = 'client-key-must-not-show-4242';
const base = { QINGTUI_APP_ID: 'app-id', QINGTUI_APP_SECRET: SECRET, API_KEYS: KEY };

/** The error createApp rejects with, checked to be a ConfigValidationError that leaks nothing. */
async function configError(env: Record<string, string>): Promise<ConfigValidationError> {
  const error = await createApp(env, { logger: false }).then(
    () => expect.unreachable('createApp should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigValidationError);
  const message = (error as Error).message;
  expect(message).not.toContain(SECRET);
  expect(message).not.toContain(KEY);
  expect(message).not.toMatch(/\n\s+at /);
  return error as ConfigValidationError;
}

const cleanups: (() => void)[] = [];
function appsFile(content: unknown): string {
  const file = writeAppsFile(content);
  cleanups.push(file.cleanup);
  return file.path;
}
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('the validated configuration holds no AppSecret', () => {
  it('lists the apps without secrets; only the private vault knows them', async () => {
    const { inspect } = await import('node:util');
    const WECOM_SECRET = 'wecom-corpsecret-must-not-show-4242';
    const path = appsFile([
      { name: 'crm', appId: 'crm-id', appSecret: `${SECRET}-crm` },
      { name: 'work', platform: 'wecom', corpId: 'ww1', agentId: '1000002', secret: WECOM_SECRET },
    ]);
    const config = validateEnvironment({ ...base, QINGTUI_APPS_FILE: path });
    if (config.platform.mode !== 'platform') throw new Error('platform mode expected');
    const dumps = [JSON.stringify(config), inspect(config, { depth: 20, showHidden: true })];
    for (const dump of dumps) {
      for (const secret of [SECRET, WECOM_SECRET]) expect(dump).not.toContain(secret);
    }
    expect(config.platform.apps.map((a) => a.name)).toEqual(['default', 'crm', 'work']);
    expect(config.platform.apps.every((a) => !('appSecret' in a) && !('secret' in a))).toBe(true);
    expect(config.platform.secrets.get('default')).toBe(SECRET);
    expect(config.platform.secrets.get('crm')).toBe(`${SECRET}-crm`);
    expect(config.platform.secrets.get('work')).toBe(WECOM_SECRET);
  });
});

describe('configuration errors name the variable and never show a secret', () => {
  it('PORT must be an integer port', async () => {
    for (const PORT of ['abc', '70000', '-1', '3.5']) {
      const error = await configError({ ...base, PORT });
      expect(error.variable).toBe('PORT');
      expect(error.message).toMatch(
        /^Invalid configuration: PORT must be an integer between 0 and 65535/,
      );
    }
  });

  it('QINGTUI_APP_ID without QINGTUI_APP_SECRET names the missing secret', async () => {
    const error = await configError({ QINGTUI_APP_ID: 'app-id', API_KEYS: KEY });
    expect(error.variable).toBe('QINGTUI_APP_SECRET');
    expect(error.message).toContain('is required when QINGTUI_APP_ID is set');
  });

  it('QINGTUI_APP_SECRET without QINGTUI_APP_ID names the missing id, not the secret', async () => {
    const error = await configError({ QINGTUI_APP_SECRET: SECRET, API_KEYS: KEY });
    expect(error.variable).toBe('QINGTUI_APP_ID');
  });

  it('QINGTUI_BASE_URL must be an http(s) URL', async () => {
    for (const QINGTUI_BASE_URL of [
      'not a url',
      'ftp://open.qingtui.com',
      'https://user:pw@open.qingtui.com',
    ]) {
      const error = await configError({ ...base, QINGTUI_BASE_URL });
      expect(error.variable).toBe('QINGTUI_BASE_URL');
      expect(error.message).not.toContain('pw@');
    }
  });

  it('API_KEYS is required once an app is configured', async () => {
    const error = await configError({ QINGTUI_APP_ID: 'app-id', QINGTUI_APP_SECRET: SECRET });
    expect(error.variable).toBe('API_KEYS');
    expect(error.message).toContain('is required');
  });

  it('API_KEYS refuses short keys, naming the entry and not the key', async () => {
    const error = await configError({ ...base, API_KEYS: `${KEY},short-key-42` });
    expect(error.variable).toBe('API_KEYS');
    expect(error.message).toContain('entry 2');
    expect(error.message).toContain('at least 16');
    expect(error.message).not.toContain('short-key-42');
  });

  it('API_KEYS refuses unknown apps in a scope', async () => {
    const error = await configError({ ...base, API_KEYS: `${KEY}:default|crm` });
    expect(error.variable).toBe('API_KEYS');
    expect(error.message).toContain('unknown app "crm"');
    expect(error.message).toContain('configured apps: default');
  });

  it('API_KEYS never echoes a long unknown scope entry (it may be a misplaced key)', async () => {
    const error = await configError({ ...base, API_KEYS: `${KEY}:${KEY}x` });
    expect(error.message).toContain('unknown app number 1');
  });

  it('API_KEYS refuses empty scopes, repeated keys and separators inside keys', async () => {
    expect((await configError({ ...base, API_KEYS: `${KEY}:` })).message).toContain(
      'nothing after ":"',
    );
    expect((await configError({ ...base, API_KEYS: `${KEY},${KEY}` })).message).toContain(
      'entry 2 repeats the key of entry 1',
    );
    expect((await configError({ ...base, API_KEYS: `${KEY} with-space` })).message).toContain(
      'may only hold',
    );
    expect(
      (await configError({ ...base, API_KEYS: `${KEY},,other-client-key-123456` })).message,
    ).toContain('entry 2 is empty');
  });

  it('REDIS_URL must be a redis URL, and is never echoed (it may hold a password)', async () => {
    const cases: [string, string][] = [
      ['http://user:redis-password-77@localhost', 'must use the redis:// or rediss:// scheme'],
      // An unencoded "#" in the password: the WHATWG parser finds no valid host or port.
      ['redis://:redis#password-77@127.0.0.1:6379', 'is not a valid URL'],
      ['redis://:redis-password-77@127.0.0.1:99999', 'is not a valid URL'],
      ['redis://:redis-password-77@127.0.0.1:6379?db=2', 'has a "#" or "?" part'],
      ['redis://:redis-password-77@127.0.0.1:6379/two', 'may only have a database number'],
      ['redis://:redis%ZZpassword-77@127.0.0.1:6379', 'malformed percent-encoding'],
      ['redis://:redis%E0%A4password-77@127.0.0.1:6379', 'malformed percent-encoding'],
      ['redis-password-77', 'is not a valid URL'],
    ];
    for (const [REDIS_URL, expected] of cases) {
      const error = await configError({ ...base, REDIS_URL });
      expect(error.variable, REDIS_URL).toBe('REDIS_URL');
      expect(error.message, REDIS_URL).toContain(expected);
      expect(error.message).not.toContain('password-77');
      expect(error.message).not.toContain('127.0.0.1');
    }
    // Encoded, the same password is fine, and the URL is shown without it.
    const store = validateEnvironment({
      ...base,
      REDIS_URL: 'redis://:redis%23password-77@127.0.0.1:6380/2',
    }).store;
    expect(store.redisUrl).toBe('redis://:redis%23password-77@127.0.0.1:6380/2');
    expect(store.redisDisplay).toBe('redis://***@127.0.0.1:6380/2');
  });

  it('REDIS_OPTIONAL and REDIS_TIMEOUT_MS need REDIS_URL (or sentinels, cluster nodes), and valid values', async () => {
    expect((await configError({ ...base, REDIS_OPTIONAL: 'true' })).message).toBe(
      'Invalid configuration: REDIS_OPTIONAL has no effect without REDIS_URL, REDIS_SENTINELS or ' +
        'REDIS_CLUSTER_NODES: set both or neither',
    );
    expect((await configError({ ...base, REDIS_TIMEOUT_MS: '500' })).variable).toBe(
      'REDIS_TIMEOUT_MS',
    );
    const redis = { ...base, REDIS_URL: 'redis://127.0.0.1:1' };
    expect((await configError({ ...redis, REDIS_OPTIONAL: 'maybe' })).message).toContain(
      'REDIS_OPTIONAL must be true or false',
    );
    for (const REDIS_TIMEOUT_MS of ['10', '60001', '1.5', 'soon']) {
      const error = await configError({ ...redis, REDIS_TIMEOUT_MS });
      expect(error.message).toContain('REDIS_TIMEOUT_MS must be an integer between 50 and 60000');
    }
  });

  it('QINGTUI_HTTP_TIMEOUT_MS, QINGTUI_REFRESH_RATIO and SHUTDOWN_TIMEOUT_MS are range-checked', async () => {
    for (const [name, value, expected] of [
      ['QINGTUI_HTTP_TIMEOUT_MS', '50', 'between 100 and 120000'],
      ['QINGTUI_HTTP_TIMEOUT_MS', 'ten', 'between 100 and 120000'],
      ['QINGTUI_REFRESH_RATIO', '0.99', 'between 0.1 and 0.95'],
      ['QINGTUI_REFRESH_RATIO', 'half', 'between 0.1 and 0.95'],
      ['SHUTDOWN_TIMEOUT_MS', '-1', 'between 0 and 600000'],
      ['SHUTDOWN_TIMEOUT_MS', '700000', 'between 0 and 600000'],
    ]) {
      const error = await configError({ ...base, [name]: value });
      expect(error.variable).toBe(name);
      expect(error.message).toContain(expected);
    }
  });

  it('QINGTUI_DAILY_QUOTA is a number or an edition, for the QINGTUI_APP_ID app only', async () => {
    for (const QINGTUI_DAILY_QUOTA of ['0', '-5', '2.5', 'free', 'unlimited', '9999999999']) {
      const error = await configError({ ...base, QINGTUI_DAILY_QUOTA });
      expect(error.variable).toBe('QINGTUI_DAILY_QUOTA');
      expect(error.message).toContain('"free-unverified", "free-verified", "enterprise"');
    }
    const path = appsFile([{ name: 'crm', appId: 'crm-id', appSecret: SECRET }]);
    const error = await configError({
      QINGTUI_APPS_FILE: path,
      API_KEYS: KEY,
      QINGTUI_DAILY_QUOTA: '300',
    });
    expect(error.variable).toBe('QINGTUI_DAILY_QUOTA');
    expect(error.message).toContain('give apps of QINGTUI_APPS_FILE a "dailyQuota" field');
  });

  it('QINGTUI_ENCRYPTION_KEY must be long enough, and is never echoed', async () => {
    const error = await configError({ ...base, QINGTUI_ENCRYPTION_KEY: 'short-secret-key-99' });
    expect(error.variable).toBe('QINGTUI_ENCRYPTION_KEY');
    expect(error.message).toContain('must be 32 to 1024 characters long');
    expect(error.message).not.toContain('short-secret-key-99');
  });

  it('one encryption-key rule: the library refuses what the server refuses, with the same words', async () => {
    const { encryptionKeyProblem, QINGTUI_OPTION_RULES } = await import('nestjs-qingtui');
    expect(QINGTUI_OPTION_RULES.encryptionKey).toEqual({ minLength: 32, maxLength: 1024 });
    const short = 'k'.repeat(31);
    const server = await configError({ ...base, QINGTUI_ENCRYPTION_KEY: short });
    expect(server.message).toContain(encryptionKeyProblem(short)!);
    expect(encryptionKeyProblem('k'.repeat(32))).toBeUndefined();
    expect(encryptionKeyProblem('k'.repeat(1025))).toContain('32 to 1024');
  });

  describe('sandbox mode only when nothing of a deployment is configured', () => {
    it('refuses to start without an app when a deployment variable is set', async () => {
      const deployment: Record<string, string>[] = [
        { API_KEYS: KEY },
        { QINGTUI_BASE_URL: 'https://open.qingtui.com' },
        { REDIS_URL: 'redis://127.0.0.1:6379' },
        { QINGTUI_KEY_PREFIX: 'prod' },
        { QINGTUI_ENCRYPTION_KEY: 'k'.repeat(40) },
      ];
      for (const env of deployment) {
        const error = await configError(env);
        expect(error.variable).toBe('QINGTUI_APP_ID');
        expect(error.message).toContain(`${Object.keys(env)[0]} is set, as for a real deployment`);
        expect(error.message).toContain('QINGTUI_SANDBOX=true');
      }
      const both = await configError({
        API_KEYS: KEY,
        QINGTUI_BASE_URL: 'https://open.qingtui.com',
      });
      expect(both.message).toContain('API_KEYS, QINGTUI_BASE_URL are set');
    });

    it('QINGTUI_SANDBOX=false refuses to start without an app', async () => {
      const error = await configError({ QINGTUI_SANDBOX: 'false' });
      expect(error.variable).toBe('QINGTUI_APP_ID');
      expect(error.message).toContain('QINGTUI_SANDBOX is false');
    });

    it('QINGTUI_SANDBOX=true cannot be combined with an app, and must be a boolean', async () => {
      expect((await configError({ ...base, QINGTUI_SANDBOX: 'true' })).variable).toBe(
        'QINGTUI_SANDBOX',
      );
      expect((await configError({ QINGTUI_SANDBOX: 'yes' })).message).toBe(
        'Invalid configuration: QINGTUI_SANDBOX must be true or false',
      );
    });
  });

  it('QINGTUI_KEY_PREFIX must be a simple token', async () => {
    const error = await configError({ ...base, QINGTUI_KEY_PREFIX: 'bad prefix!' });
    expect(error.variable).toBe('QINGTUI_KEY_PREFIX');
  });

  describe('QINGTUI_APPS_FILE', () => {
    it('names the file when it cannot be read', async () => {
      const error = await configError({
        QINGTUI_APPS_FILE: '/nonexistent/apps.json',
        API_KEYS: KEY,
      });
      expect(error.variable).toBe('QINGTUI_APPS_FILE');
      expect(error.message).toContain('/nonexistent/apps.json');
      expect(error.message).toContain('ENOENT');
    });

    it('reports invalid JSON by position, without quoting the file', async () => {
      const path = appsFile(`[{"name": "crm", "appId": "x", "appSecret": ${SECRET}}]`);
      const error = await configError({ QINGTUI_APPS_FILE: path, API_KEYS: KEY });
      expect(error.message).toContain(path);
      expect(error.message).toContain('is not valid JSON');
    });

    it('names the index and the field of an invalid entry', async () => {
      const path = appsFile([
        { name: 'crm', appId: 'crm-id', appSecret: SECRET },
        { name: 'hr', appId: 'hr-id' },
      ]);
      const error = await configError({ QINGTUI_APPS_FILE: path, API_KEYS: KEY });
      expect(error.message).toContain(`(${path}) [1].appSecret must be a non-empty string`);
    });

    it('refuses a file that is not an array, an empty list, bad names and unknown fields', async () => {
      const cases: [unknown, string][] = [
        [{ name: 'crm' }, 'must hold a JSON array'],
        [
          [{ name: 'crm', appId: 'a', appSecret: SECRET, dailyQuota: 'gold' }],
          '[0].dailyQuota must be a whole number of calls a day',
        ],
        [[{ name: 'crm', appId: 'a', appSecret: SECRET, dailyQuota: 0 }], '[0].dailyQuota must be'],
        [
          [{ name: 'crm', appId: 'a', appSecret: SECRET, dailyQuota: '300' }],
          '[0].dailyQuota must be',
        ],
        [[], 'lists no app'],
        [[{ name: 'bad name', appId: 'a', appSecret: SECRET }], '[0].name may only hold'],
        [
          [{ name: 'crm', appId: 'a', appSecret: SECRET, secret: SECRET }],
          '[0] has an unknown field "secret"',
        ],
        [['crm'], '[0] must be an object'],
      ];
      for (const [content, expected] of cases) {
        const error = await configError({ QINGTUI_APPS_FILE: appsFile(content), API_KEYS: KEY });
        expect(error.variable).toBe('QINGTUI_APPS_FILE');
        expect(error.message).toContain(expected);
      }
    });

    it('refuses a name used twice, and an AppID given two names', async () => {
      const twice = appsFile([{ name: 'default', appId: 'other', appSecret: SECRET }]);
      expect((await configError({ ...base, QINGTUI_APPS_FILE: twice })).message).toContain(
        '[0].name "default" is already used by QINGTUI_APP_ID',
      );
      const sameId = appsFile([{ name: 'crm', appId: 'app-id', appSecret: SECRET }]);
      expect((await configError({ ...base, QINGTUI_APPS_FILE: sameId })).message).toContain(
        '[0].appId is already the AppID of app "default"',
      );
    });
  });
});

const MAIN = 'dist/src/main.js';

describe.skipIf(!existsSync(MAIN))('the built server (node dist/src/main.js)', () => {
  it('exits with status 1 and one line naming the variable', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, QINGTUI_APP_SECRET: SECRET, API_KEYS: KEY, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status).toBe(1);
    expect(output).toContain(
      'Invalid configuration: QINGTUI_APP_ID is required when QINGTUI_APP_SECRET is set',
    );
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(KEY);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
