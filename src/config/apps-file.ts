import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigValidationError } from './config-validation.error.js';
import { DAILY_QUOTA_EXPECTED, parseDailyQuota } from './daily-quota.js';
import { QINGTUI_OPTION_RULES, type QingtuiPlatformName } from 'nestjs-qingtui';
import type { ServerAppEntry } from './server-config.interface.js';

/** App names the library accepts: letters, digits, `_`, `-`, `.`; at most 64. */
export const APP_NAME_PATTERN = QINGTUI_OPTION_RULES.appName.pattern;

/** The fields of each platform's entries: required strings, then optional fields. */
const SHAPES = {
  qingtui: {
    required: ['name', 'appId', 'appSecret'],
    optional: ['platform', 'dailyQuota', 'jsSafeDomains'],
  },
  'wechat-mp': {
    required: ['name', 'platform', 'appId', 'appSecret'],
    optional: ['stableToken', 'dailyQuota', 'jsSafeDomains'],
  },
  wecom: {
    required: ['name', 'platform', 'corpId', 'secret'],
    optional: ['agentId', 'jsSafeDomains'],
  },
} as const satisfies Record<
  QingtuiPlatformName,
  { required: readonly string[]; optional: readonly string[] }
>;

type ShapeName = keyof typeof SHAPES;
const PLATFORMS = Object.keys(SHAPES) as ShapeName[];

/** The three shapes, for messages. */
const EXPECTED =
  '{ "name", "appId", "appSecret", "dailyQuota"? } (Qingtui), ' +
  '{ "name", "platform": "wechat-mp", "appId", "appSecret", "stableToken"?, "dailyQuota"? } or ' +
  '{ "name", "platform": "wecom", "corpId", "agentId", "secret" }';

/**
 * Reads `QINGTUI_APPS_FILE`: a JSON array of apps, each in one of three shapes:
 * - Qingtui: `{ "name", "appId", "appSecret", "dailyQuota"? }` (`"platform": "qingtui"` optional;
 *   `dailyQuota`: a number of calls a day, or `"free-unverified"`, `"free-verified"`, `"enterprise"`);
 * - WeChat Official Account: `{ "name", "platform": "wechat-mp", "appId", "appSecret",
 *   "stableToken"?: true, "dailyQuota"? }`;
 * - WeCom: `{ "name", "platform": "wecom", "corpId", "agentId", "secret" }`.
 * Errors name the file, the index and the field; they never quote the file's content (a
 * JSON parser's message would show a piece of it, possibly a secret).
 * @throws ConfigValidationError naming `QINGTUI_APPS_FILE`
 */
export function readAppsFile(path: string, cwd = process.cwd()): ServerAppEntry[] {
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
  if (!Array.isArray(parsed)) return fail(`must hold a JSON array of apps: ${EXPECTED}`);
  if (parsed.length === 0) return fail('lists no app');
  return parsed.map((item: unknown, index) => readApp(item, `[${index}]`, fail));
}

function readApp(item: unknown, at: string, fail: (problem: string) => never): ServerAppEntry {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return fail(`${at} must be an object: ${EXPECTED}`);
  }
  const record = item as Record<string, unknown>;
  const platform = record.platform ?? 'qingtui';
  if (typeof platform !== 'string' || !(PLATFORMS as string[]).includes(platform)) {
    return fail(`${at}.platform must be one of ${PLATFORMS.map((p) => `"${p}"`).join(', ')}`);
  }
  const shape = SHAPES[platform as ShapeName];
  const fields: readonly string[] = [...shape.required, ...shape.optional];
  for (const field of Object.keys(record)) {
    if (!fields.includes(field)) {
      fail(`${at} has an unknown field "${field.slice(0, 40)}" (expected ${fields.join(', ')})`);
    }
  }
  for (const field of shape.required) {
    const value = record[field];
    if (typeof value !== 'string' || value.trim() === '') {
      fail(`${at}.${field} must be a non-empty string`);
    }
  }
  const text = (field: string) => (record[field] as string).trim();
  const name = text('name');
  if (!APP_NAME_PATTERN.test(name)) {
    fail(
      `${at}.name may only hold letters, digits, "_", "-" and "." (at most 64, starting with a letter or digit)`,
    );
  }
  const quota = () => {
    if (record.dailyQuota === undefined) return {};
    const dailyQuota = parseDailyQuota(record.dailyQuota, 'json');
    if (dailyQuota === undefined) fail(`${at}.dailyQuota must be ${DAILY_QUOTA_EXPECTED}`);
    return { dailyQuota };
  };
  const domains = (): { jsSafeDomains?: string[] } => {
    const value = record.jsSafeDomains;
    if (value === undefined) return {};
    const ok =
      Array.isArray(value) &&
      value.length > 0 &&
      value.length <= 100 &&
      value.every((d) => typeof d === 'string' && d.trim() !== '' && d.length <= 253);
    if (!ok) fail(`${at}.jsSafeDomains must be a list of 1 to 100 host names`);
    return { jsSafeDomains: (value as string[]).map((d) => d.trim()) };
  };
  switch (platform as ShapeName) {
    case 'qingtui':
      return {
        platform: 'qingtui',
        name,
        appId: text('appId'),
        appSecret: text('appSecret'),
        ...quota(),
        ...domains(),
      };
    case 'wechat-mp': {
      if (record.stableToken !== undefined && typeof record.stableToken !== 'boolean') {
        fail(`${at}.stableToken must be true or false`);
      }
      const { dailyQuota } = quota();
      if (dailyQuota !== undefined && typeof dailyQuota !== 'number') {
        fail(
          `${at}.dailyQuota of a WeChat app must be a whole number of calls a day (editions are Qingtui's)`,
        );
      }
      return {
        platform: 'wechat-mp',
        name,
        appId: text('appId'),
        appSecret: text('appSecret'),
        stableToken: record.stableToken === true,
        ...(typeof dailyQuota === 'number' ? { dailyQuota } : {}),
        ...domains(),
      };
    }
    case 'wecom': {
      const agentId =
        typeof record.agentId === 'number' &&
        Number.isSafeInteger(record.agentId) &&
        record.agentId >= 0
          ? String(record.agentId)
          : typeof record.agentId === 'string' && /^\d{1,20}$/.test(record.agentId.trim())
            ? record.agentId.trim()
            : undefined;
      if (agentId === undefined) {
        return fail(`${at}.agentId must be a whole number (the app's agentid)`);
      }
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(text('corpId'))) {
        fail(`${at}.corpId may only hold letters, digits, "_" and "-"`);
      }
      return {
        platform: 'wecom',
        name,
        corpId: text('corpId'),
        agentId,
        secret: text('secret'),
        ...domains(),
      };
    }
  }
}

/** " (line L, column C)" from a JSON.parse error, without any of the text around it. */
function jsonErrorPosition(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(error instanceof Error ? error.message : '');
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` (line ${before.length}, column ${before[before.length - 1].length + 1})`;
}
