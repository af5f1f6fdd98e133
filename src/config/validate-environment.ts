import {
  encryptionKeyProblem,
  QINGTUI_OPTION_RULES,
  type QingtuiPlatformName,
} from 'nestjs-qingtui';
import { resolve } from 'node:path';
import { parseApiKeys } from '../auth/api-keys.parser.js';
import { readAppsFile } from './apps-file.js';
import { RELAY_DEFAULT_RATE_LIMIT } from '../relay/relay-rate-limit.js';
import { publicApp, ServerAppSecrets } from './app-secrets.js';
import { ConfigValidationError } from './config-validation.error.js';
import { DAILY_QUOTA_EXPECTED, parseDailyQuota } from './daily-quota.js';
import { envApp, mergeApps } from './merge-apps.js';
import { loggingConfig, metricsKeyDigest, sandboxTokenTtl } from './observability-config.js';
import { parseRedisTopology } from './redis-topology.js';
import { parseRedisUrl } from './redis-url.js';
import { appNamesOf, type PlatformConfig, type ServerConfig } from './server-config.interface.js';

/** The environment variables the server reads (each is documented in the README). */
export const SERVER_VARIABLES = [
  'PORT',
  'SHUTDOWN_TIMEOUT_MS',
  'QINGTUI_SANDBOX',
  'QINGTUI_BASE_URL',
  'WECHAT_BASE_URL',
  'WECOM_BASE_URL',
  'QINGTUI_APP_ID',
  'QINGTUI_APP_SECRET',
  'QINGTUI_DAILY_QUOTA',
  'QINGTUI_APPS_FILE',
  'API_KEYS',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_SENTINEL_PASSWORD',
  'REDIS_CLUSTER_NODES',
  'REDIS_PASSWORD',
  'REDIS_USERNAME',
  'REDIS_TLS',
  'REDIS_OPTIONAL',
  'REDIS_TIMEOUT_MS',
  'QINGTUI_KEY_PREFIX',
  'QINGTUI_ENCRYPTION_KEY',
  'QINGTUI_HTTP_TIMEOUT_MS',
  'QINGTUI_PREFETCH_CONCURRENCY',
  'QINGTUI_REFRESH_RATIO',
  'WECHAT_TOKEN_OVERLAP_MS',
  'WECHAT_STABLE_WINDOW_MS',
  'WECOM_TICKET_HOURLY_LIMIT_APP',
  'WECOM_MEMBER_MESSAGES_PER_MINUTE',
  'WECOM_MEMBER_MESSAGES_PER_HOUR',
  'WECOM_TICKET_HOURLY_LIMIT_CORP',
  'RELAY_RATE_LIMIT',
  'BENCH_BARE_ENDPOINT',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'METRICS_KEY',
  'QINGTUI_SANDBOX_TOKEN_TTL',
] as const;

/** One of the variables the server reads. */
export type ServerVariable = (typeof SERVER_VARIABLES)[number];
/** The environment, trimmed, empty values dropped. */
export type ServerEnvironment = Partial<Record<ServerVariable, string>>;

/**
 * Variables that only make sense for a real deployment: with any of them set and no app
 * configured, the server refuses to start instead of serving sandbox tokens to real clients.
 */
const DEPLOYMENT_VARIABLES: readonly ServerVariable[] = [
  'API_KEYS',
  'QINGTUI_BASE_URL',
  'WECHAT_BASE_URL',
  'WECOM_BASE_URL',
  'QINGTUI_DAILY_QUOTA',
  'REDIS_URL',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_SENTINEL_PASSWORD',
  'REDIS_CLUSTER_NODES',
  'REDIS_PASSWORD',
  'REDIS_USERNAME',
  'REDIS_TLS',
  'REDIS_OPTIONAL',
  'REDIS_TIMEOUT_MS',
  'QINGTUI_KEY_PREFIX',
  'QINGTUI_ENCRYPTION_KEY',
];

/**
 * The base URL variable of each platform (a platform added to the library needs one line here:
 * the compiler asks for it).
 */
const BASE_URL_VARIABLES: Record<QingtuiPlatformName, ServerVariable> = {
  qingtui: 'QINGTUI_BASE_URL',
  'wechat-mp': 'WECHAT_BASE_URL',
  wecom: 'WECOM_BASE_URL',
};

/** Examples of each platform's base URL, for messages. */
const BASE_URL_EXAMPLES: Record<QingtuiPlatformName, string> = {
  qingtui: 'https://open.qingtui.cn',
  'wechat-mp': 'https://api.weixin.qq.com',
  wecom: 'https://qyapi.weixin.qq.com',
};

export const DEFAULT_PORT = 3000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;
const RULES = QINGTUI_OPTION_RULES;

/**
 * The `validate` function given to `ConfigModule`: turns the raw environment into a typed
 * `ServerConfig`, or throws a `ConfigValidationError` that names the variable and what to fix.
 * Values of secret variables (AppSecrets, client keys, the Redis URL, the encryption key) never
 * appear in a message.
 */
export function validateEnvironment(raw: Record<string, unknown>): ServerConfig {
  const env = readStrings(raw);
  const platform = platformConfig(env);
  return {
    http: {
      port: port(env.PORT),
      shutdownTimeoutMs:
        integerInRange('SHUTDOWN_TIMEOUT_MS', env.SHUTDOWN_TIMEOUT_MS, 0, 600_000) ??
        DEFAULT_SHUTDOWN_TIMEOUT_MS,
    },
    platform,
    auth: { keys: apiKeys(env.API_KEYS, platform) },
    logging: loggingConfig(env.LOG_LEVEL, env.LOG_FORMAT),
    metrics: { keyDigest: metricsKeyDigest(env.METRICS_KEY) },
    store: storeConfig(env),
    tuning: {
      httpTimeoutMs: integerInRange(
        'QINGTUI_HTTP_TIMEOUT_MS',
        env.QINGTUI_HTTP_TIMEOUT_MS,
        RULES.httpTimeoutMs.min,
        RULES.httpTimeoutMs.max,
      ),
      refreshRatio: ratio(env.QINGTUI_REFRESH_RATIO),
      prefetchConcurrency: integerInRange(
        'QINGTUI_PREFETCH_CONCURRENCY',
        env.QINGTUI_PREFETCH_CONCURRENCY,
        RULES.prefetchConcurrency.min,
        RULES.prefetchConcurrency.max,
      ),
      wechatTokenOverlapMs: integerInRange(
        'WECHAT_TOKEN_OVERLAP_MS',
        env.WECHAT_TOKEN_OVERLAP_MS,
        0,
        3_600_000,
      ),
      wechatStableWindowMs: integerInRange(
        'WECHAT_STABLE_WINDOW_MS',
        env.WECHAT_STABLE_WINDOW_MS,
        100,
        3_600_000,
      ),
      wecomTicketHourlyLimitApp: integerInRange(
        'WECOM_TICKET_HOURLY_LIMIT_APP',
        env.WECOM_TICKET_HOURLY_LIMIT_APP,
        1,
        100_000,
      ),
      wecomTicketHourlyLimitCorp: integerInRange(
        'WECOM_TICKET_HOURLY_LIMIT_CORP',
        env.WECOM_TICKET_HOURLY_LIMIT_CORP,
        1,
        100_000,
      ),
      wecomMemberMessagesPerMinute: integerInRange(
        'WECOM_MEMBER_MESSAGES_PER_MINUTE',
        env.WECOM_MEMBER_MESSAGES_PER_MINUTE,
        1,
        100_000,
      ),
      wecomMemberMessagesPerHour: integerInRange(
        'WECOM_MEMBER_MESSAGES_PER_HOUR',
        env.WECOM_MEMBER_MESSAGES_PER_HOUR,
        1,
        1_000_000,
      ),
      relayRateLimit:
        integerInRange('RELAY_RATE_LIMIT', env.RELAY_RATE_LIMIT, 1, 100_000) ??
        RELAY_DEFAULT_RATE_LIMIT,
      benchBareEndpoint: flag('BENCH_BARE_ENDPOINT', env.BENCH_BARE_ENDPOINT) ?? false,
    },
  };
}

function integerInRange(
  name: ServerVariable,
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
  const { min, max } = RULES.refreshRatio;
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ConfigValidationError(
      'QINGTUI_REFRESH_RATIO',
      `must be a number between ${min} and ${max} (got "${value.slice(0, 20)}")`,
    );
  }
  return n;
}

/** `true`/`1`, `false`/`0`, or undefined when unset. */
function flag(name: ServerVariable, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new ConfigValidationError(name, 'must be true or false');
}

/** Keeps the variables the server knows, trimmed; an empty value counts as unset. */
function readStrings(raw: Record<string, unknown>): ServerEnvironment {
  const env: ServerEnvironment = {};
  for (const name of SERVER_VARIABLES) {
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
  if (env.QINGTUI_DAILY_QUOTA !== undefined && appId === undefined) {
    throw new ConfigValidationError(
      'QINGTUI_DAILY_QUOTA',
      'is the quota of the QINGTUI_APP_ID app and needs it set; give apps of QINGTUI_APPS_FILE a "dailyQuota" field',
    );
  }
  const sandbox = flag('QINGTUI_SANDBOX', env.QINGTUI_SANDBOX);
  const configured = appId !== undefined || file !== undefined;
  const tokenTtlSeconds = sandboxTokenTtl(
    env.QINGTUI_SANDBOX_TOKEN_TTL,
    !configured && sandbox !== false,
  );
  const baseUrls = platformBaseUrls(env);

  if (!configured) {
    if (sandbox === true) {
      return {
        mode: 'sandbox',
        explicit: true,
        ignoredBaseUrls: Object.values(BASE_URL_VARIABLES).filter(
          (name) => env[name] !== undefined,
        ),
        tokenTtlSeconds,
      };
    }
    const deployment = DEPLOYMENT_VARIABLES.filter((name) => env[name] !== undefined);
    if (sandbox === false || deployment.length > 0) {
      const why =
        sandbox === false
          ? 'QINGTUI_SANDBOX is false'
          : `${deployment.join(', ')} ${deployment.length === 1 ? 'is' : 'are'} set, as for a real deployment`;
      throw new ConfigValidationError(
        'QINGTUI_APP_ID',
        `(with QINGTUI_APP_SECRET) or QINGTUI_APPS_FILE is required: no app is configured and ${why}. ` +
          'Configure an app, or set QINGTUI_SANDBOX=true to serve the embedded sandbox on purpose',
      );
    }
    return { mode: 'sandbox', explicit: false, ignoredBaseUrls: [], tokenTtlSeconds };
  }
  if (sandbox === true) {
    throw new ConfigValidationError(
      'QINGTUI_SANDBOX',
      'cannot be true while an app is configured (QINGTUI_APP_ID or QINGTUI_APPS_FILE): unset one or the other',
    );
  }

  const single =
    appId === undefined
      ? undefined
      : envApp(appId, appSecret!, dailyQuota(env.QINGTUI_DAILY_QUOTA));
  const appsFile = file === undefined ? undefined : resolve(file);
  const entries = mergeApps(single, appsFile === undefined ? [] : readAppsFile(appsFile));
  return {
    mode: 'platform',
    baseUrls,
    apps: entries.map(publicApp),
    secrets: ServerAppSecrets.of(entries),
    hasEnvApp: single !== undefined,
    appsFile,
  };
}

function dailyQuota(value: string | undefined): ReturnType<typeof parseDailyQuota> {
  if (value === undefined) return undefined;
  const quota = parseDailyQuota(value, 'env');
  if (quota === undefined) {
    throw new ConfigValidationError(
      'QINGTUI_DAILY_QUOTA',
      `must be ${DAILY_QUOTA_EXPECTED} (got "${value.slice(0, 20)}")`,
    );
  }
  return quota;
}

/** The base URLs given, by platform (validated even in sandbox mode, where they are ignored). */
function platformBaseUrls(env: ServerEnvironment): Partial<Record<QingtuiPlatformName, string>> {
  const urls: Partial<Record<QingtuiPlatformName, string>> = {};
  for (const [platform, name] of Object.entries(BASE_URL_VARIABLES) as [
    QingtuiPlatformName,
    ServerVariable,
  ][]) {
    const value = env[name];
    if (value !== undefined) urls[platform] = baseUrl(name, value, BASE_URL_EXAMPLES[platform]);
  }
  return urls;
}

function baseUrl(name: ServerVariable, value: string, example: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigValidationError(name, `must be an absolute http(s) URL, e.g. ${example}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigValidationError(
      name,
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

function storeConfig(env: ServerEnvironment): ServerConfig['store'] {
  const topology = parseRedisTopology(env);
  const url = env.REDIS_URL === undefined ? undefined : parseRedisUrl(env.REDIS_URL);
  const redis = url ?? topology;
  const redisOptional = flag('REDIS_OPTIONAL', env.REDIS_OPTIONAL);
  const redisTimeoutMs = integerInRange(
    'REDIS_TIMEOUT_MS',
    env.REDIS_TIMEOUT_MS,
    RULES.redisTimeoutMs.min,
    RULES.redisTimeoutMs.max,
  );
  // Settings of a Redis that is not configured would silently do nothing: refuse them.
  for (const [name, value] of [
    ['REDIS_OPTIONAL', redisOptional],
    ['REDIS_TIMEOUT_MS', redisTimeoutMs],
  ] as const) {
    if (value !== undefined && redis === undefined) {
      throw new ConfigValidationError(
        name,
        'has no effect without REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES: set both or neither',
      );
    }
  }
  return {
    redisUrl: url?.url,
    redis: topology?.options,
    redisVariable: topology?.variable ?? (url === undefined ? undefined : 'REDIS_URL'),
    redisDisplay: redis?.display,
    redisOptional: redisOptional ?? false,
    redisTimeoutMs,
    keyPrefix: keyPrefix(env.QINGTUI_KEY_PREFIX),
    encryptionKey: encryptionKey(env.QINGTUI_ENCRYPTION_KEY),
  };
}

function keyPrefix(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!RULES.keyPrefix.pattern.test(value)) {
    throw new ConfigValidationError(
      'QINGTUI_KEY_PREFIX',
      `may only hold ${RULES.keyPrefix.description}`,
    );
  }
  return value;
}

function encryptionKey(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = encryptionKeyProblem(value);
  if (problem !== undefined) throw new ConfigValidationError('QINGTUI_ENCRYPTION_KEY', problem);
  return value;
}
