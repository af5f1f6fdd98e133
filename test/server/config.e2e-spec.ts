import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.factory.js';
import { ConfigValidationError } from '../../src/config/config-validation.error.js';
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
    const error = await configError({
      ...base,
      REDIS_URL: 'http://user:redis-password-77@localhost',
    });
    expect(error.variable).toBe('REDIS_URL');
    expect(error.message).not.toContain('redis-password-77');
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
