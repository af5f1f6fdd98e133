import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeEnvFile, readEnvFile } from './env-file.js';

const dirs: string[] = [];

function envFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'qingtui-env-'));
  dirs.push(dir);
  const path = join(dir, '.env');
  writeFileSync(path, content);
  return path;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('readEnvFile', () => {
  it('adds the variables of the file, the environment winning, and logs names only', () => {
    const path = envFile(
      '# credentials\nQINGTUI_APP_ID=from-file\nQINGTUI_APP_SECRET="s3cret value"\nPORT=4000\n',
    );
    const env: NodeJS.ProcessEnv = { PORT: '3000' };
    const result = readEnvFile(path, env);
    expect(env).toEqual({
      PORT: '3000',
      QINGTUI_APP_ID: 'from-file',
      QINGTUI_APP_SECRET: 's3cret value',
    });
    expect(result).toMatchObject({
      found: true,
      applied: ['QINGTUI_APP_ID', 'QINGTUI_APP_SECRET'],
      overridden: ['PORT'],
    });
    const line = describeEnvFile(result);
    expect(line).toBe(
      `Read ${path}: QINGTUI_APP_ID, QINGTUI_APP_SECRET (set in the environment, kept: PORT)`,
    );
    expect(line).not.toContain('s3cret');
  });

  it('is no error without a file, and says the environment alone is used', () => {
    const env: NodeJS.ProcessEnv = {};
    const result = readEnvFile(join(tmpdir(), 'no-such-dir-qingtui', '.env'), env);
    expect(result.found).toBe(false);
    expect(env).toEqual({});
    expect(describeEnvFile(result)).toMatch(
      /^No .*\.env: configuration from the environment only$/,
    );
  });
});
