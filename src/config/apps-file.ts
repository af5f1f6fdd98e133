import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigValidationError } from './config-validation.error.js';
import { DAILY_QUOTA_EXPECTED, parseDailyQuota } from './daily-quota.js';
import type { ServerApp } from './server-config.interface.js';

/** App names the library accepts: letters, digits, `_`, `-`, `.`; at most 64. */
export const APP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const REQUIRED = ['name', 'appId', 'appSecret'] as const;
const FIELDS = [...REQUIRED, 'dailyQuota'] as const;

/**
 * Reads `QINGTUI_APPS_FILE`: a JSON array of `{ "name", "appId", "appSecret", "dailyQuota"? }`
 * (`dailyQuota`: a number of calls a day, or `"free-unverified"`, `"free-verified"`, `"enterprise"`).
 * Errors name the file, the index and the field; they never quote the file's content (a
 * JSON parser's message would show a piece of it, possibly a secret).
 * @throws ConfigValidationError naming `QINGTUI_APPS_FILE`
 */
export function readAppsFile(path: string, cwd = process.cwd()): ServerApp[] {
  const file = resolve(cwd, path);
  const fail = (problem: string): never => {
    throw new ConfigValidationError('QINGTUI_APPS_FILE', `(${file}) ${problem}`);
  };

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    return fail(`cannot be read (${code})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`is not valid JSON${jsonErrorPosition(text, error)}`);
  }
  if (!Array.isArray(parsed)) {
    return fail('must hold a JSON array of { "name", "appId", "appSecret" } objects');
  }
  if (parsed.length === 0) return fail('lists no app');

  return parsed.map((item: unknown, index) => {
    const at = `[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return fail(`${at} must be an object { "name", "appId", "appSecret", "dailyQuota"? }`);
    }
    const record = item as Record<string, unknown>;
    for (const field of Object.keys(record)) {
      if (!(FIELDS as readonly string[]).includes(field)) {
        fail(`${at} has an unknown field "${field.slice(0, 40)}" (expected ${FIELDS.join(', ')})`);
      }
    }
    for (const field of REQUIRED) {
      const value = record[field];
      if (typeof value !== 'string' || value.trim() === '') {
        fail(`${at}.${field} must be a non-empty string`);
      }
    }
    const name = (record.name as string).trim();
    if (!APP_NAME_PATTERN.test(name)) {
      fail(
        `${at}.name may only hold letters, digits, "_", "-" and "." (at most 64, starting with a letter or digit)`,
      );
    }
    const app: ServerApp = {
      name,
      appId: (record.appId as string).trim(),
      appSecret: (record.appSecret as string).trim(),
    };
    if (record.dailyQuota !== undefined) {
      const quota = parseDailyQuota(record.dailyQuota, 'json');
      if (quota === undefined) fail(`${at}.dailyQuota must be ${DAILY_QUOTA_EXPECTED}`);
      app.dailyQuota = quota;
    }
    return app;
  });
}

/** " (line L, column C)" from a JSON.parse error, without any of the text around it. */
function jsonErrorPosition(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
