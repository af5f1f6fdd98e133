import { QINGTUI_DEFAULT_BASE_URL, type QingtuiAppConfig } from 'nestjs-qingtui';
import { parseApiKeys } from '../auth/api-keys.parser.js';
import { readAppsFile } from './apps-file.js';
import { ConfigValidationError } from './config-validation.error.js';
import {
  appNamesOf,
  DEFAULT_APP_NAME,
  type PlatformConfig,
  type ServerConfig,
} from './server-config.interface.js';

/** The environment variables the server reads. */
export interface ServerEnvironment {
  PORT?: string;
  QINGTUI_BASE_URL?: string;
  QINGTUI_APP_ID?: string;
  QINGTUI_APP_SECRET?: string;
  QINGTUI_APPS_FILE?: string;
  API_KEYS?: string;
  REDIS_URL?: string;
  QINGTUI_KEY_PREFIX?: string;
  QINGTUI_HTTP_TIMEOUT_MS?: string;
  QINGTUI_REFRESH_RATIO?: string;
  BENCH_BARE_ENDPOINT?: string;
}

export const DEFAULT_PORT = 3000;
const KEY_PREFIX_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * The `validate` function given to `ConfigModule`: turns the raw environment into a typed
 * `ServerConfig`, or throws a `ConfigValidationError` that names the variable and what to fix.
 * Values of secret variables (AppSecrets, client keys, the Redis URL) never appear in a message.
 */
export function validateEnvironment(raw: Record<string, unknown>): ServerConfig {
  const env = readStrings(raw);
  const platform = platformConfig(env);
  return {
    http: { port: port(env.PORT) },
    platform,
    auth: { keys: apiKeys(env.API_KEYS, platform) },
    store: {
      redisUrl: redisUrl(env.REDIS_URL),
      keyPrefix: keyPrefix(env.QINGTUI_KEY_PREFIX),
    },
    tuning: {
      httpTimeoutMs: integerInRange(
        'QINGTUI_HTTP_TIMEOUT_MS',
        env.QINGTUI_HTTP_TIMEOUT_MS,
        100,
        120_000,
      ),
      refreshRatio: ratio(env.QINGTUI_REFRESH_RATIO),
      benchBareEndpoint: flag('BENCH_BARE_ENDPOINT', env.BENCH_BARE_ENDPOINT),
    },
  };
}

function integerInRange(
  name: keyof ServerEnvironment,
  value: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new ConfigValidationError(
      name,
      `must be an integer between ${min} and ${max} (got "${value.slice(0, 20)}")`,
    );
  }
  return n;
}

function ratio(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 0.95) {
    throw new ConfigValidationError(
      'QINGTUI_REFRESH_RATIO',
      `must be a number between 0.1 and 0.95 (got "${value.slice(0, 20)}")`,
    );
  }
  return n;
}

function flag(name: keyof ServerEnvironment, value: string | undefined): boolean {
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new ConfigValidationError(name, 'must be true or false');
}

/** Keeps the variables the server knows, trimmed; an empty value counts as unset. */
function readStrings(raw: Record<string, unknown>): ServerEnvironment {
  const names: (keyof ServerEnvironment)[] = [
    'PORT',
    'QINGTUI_BASE_URL',
    'QINGTUI_APP_ID',
    'QINGTUI_APP_SECRET',
    'QINGTUI_APPS_FILE',
    'API_KEYS',
    'REDIS_URL',
    'QINGTUI_KEY_PREFIX',
    'QINGTUI_HTTP_TIMEOUT_MS',
    'QINGTUI_REFRESH_RATIO',
    'BENCH_BARE_ENDPOINT',
  ];
  const env: ServerEnvironment = {};
  for (const name of names) {
    const value = raw[name];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new ConfigValidationError(name, 'must be a string');
    if (value.trim() !== '') env[name] = value.trim();
  }
  return env;
}

function port(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) {
    throw new ConfigValidationError(
      'PORT',
      `must be an integer between 0 and 65535 (got "${value.slice(0, 20)}")`,
    );
  }
  return n;
}

function platformConfig(env: ServerEnvironment): PlatformConfig {
  const { QINGTUI_APP_ID: appId, QINGTUI_APP_SECRET: appSecret, QINGTUI_APPS_FILE: file } = env;
  if (appId !== undefined && appSecret === undefined) {
    throw new ConfigValidationError('QINGTUI_APP_SECRET', 'is required when QINGTUI_APP_ID is set');
  }
  if (appSecret !== undefined && appId === undefined) {
    throw new ConfigValidationError('QINGTUI_APP_ID', 'is required when QINGTUI_APP_SECRET is set');
  }
  if (appId === undefined && file === undefined) {
    return { mode: 'sandbox', ignoredBaseUrl: env.QINGTUI_BASE_URL !== undefined };
  }

  const apps: QingtuiAppConfig[] = [];
  if (appId !== undefined) apps.push({ name: DEFAULT_APP_NAME, appId, appSecret: appSecret! });
  if (file !== undefined) {
    readAppsFile(file).forEach((app, index) => {
      const clash = apps.find((a) => a.name === app.name);
      if (clash) {
        const owner =
          clash.name === DEFAULT_APP_NAME && appId !== undefined
            ? 'QINGTUI_APP_ID'
            : 'another entry';
        throw new ConfigValidationError(
          'QINGTUI_APPS_FILE',
          `[${index}].name "${app.name}" is already used by ${owner}`,
        );
      }
      const sameId = apps.find((a) => a.appId === app.appId);
      if (sameId) {
        // Two names for one AppID would mean two fetchers for one app, overwriting each other's tokens.
        throw new ConfigValidationError(
          'QINGTUI_APPS_FILE',
          `[${index}].appId is already the AppID of app "${sameId.name}": give each app one name`,
        );
      }
      apps.push(app);
    });
  }
  return { mode: 'platform', baseUrl: baseUrl(env.QINGTUI_BASE_URL), apps };
}

function baseUrl(value: string | undefined): string {
  if (value === undefined) return QINGTUI_DEFAULT_BASE_URL;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigValidationError(
      'QINGTUI_BASE_URL',
      'must be an absolute http(s) URL, e.g. https://open.qingtui.com',
    );
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigValidationError(
      'QINGTUI_BASE_URL',
      'must not hold credentials, a query string or a fragment',
    );
  }
  return value.replace(/\/+$/, '');
}

function apiKeys(
  value: string | undefined,
  platform: PlatformConfig,
): ServerConfig['auth']['keys'] {
  if (value === undefined) {
    if (platform.mode === 'sandbox') return [];
    throw new ConfigValidationError(
      'API_KEYS',
      'is required when an app is configured: comma-separated client keys of at least 16 characters ' +
        '("key" for every app, "key:app1|app2" for some apps)',
    );
  }
  return parseApiKeys(value, appNamesOf(platform));
}

function redisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // The URL may carry a password: describe the problem, never the value.
  if (!/^rediss?:\/\/[^\s]+$/.test(value)) {
    throw new ConfigValidationError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  return value;
}

function keyPrefix(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!KEY_PREFIX_PATTERN.test(value)) {
    throw new ConfigValidationError(
      'QINGTUI_KEY_PREFIX',
      'may only hold letters, digits, "_", "-" and "." (at most 64 characters)',
    );
  }
  return value;
}
