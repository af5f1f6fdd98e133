import type { QingtuiDailyQuota } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import type { LogFormat, ServerLogLevel } from './observability-config.js';

/** Name of the app configured by `QINGTUI_APP_ID` / `QINGTUI_APP_SECRET`, and of the sandbox app. */
export const DEFAULT_APP_NAME = 'default';

/** One app of the server's configuration (`QINGTUI_APP_ID` or an entry of `QINGTUI_APPS_FILE`). */
export interface ServerApp {
  name: string;
  appId: string;
  /** The AppSecret at start-up (a reloaded apps file may replace it: see `AppsFileReloader`). */
  appSecret: string;
  /** `QINGTUI_DAILY_QUOTA`, or `dailyQuota` of the apps file. */
  dailyQuota?: QingtuiDailyQuota;
}

/** Where tokens come from. */
export type PlatformConfig =
  | {
      /** Real credentials: tokens come from the platform at `baseUrl`. */
      mode: 'platform';
      baseUrl: string;
      apps: ServerApp[];
      /** Whether `apps[0]` is the app of `QINGTUI_APP_ID` (the others come from the file). */
      hasEnvApp: boolean;
      /** Absolute path of `QINGTUI_APPS_FILE`, when set: watched for AppSecret changes. */
      appsFile?: string;
    }
  | {
      /** No app configured: an embedded sandbox serves the demo app as `default`. */
      mode: 'sandbox';
      /** Set by `QINGTUI_SANDBOX=true` (rather than by an environment with nothing configured). */
      explicit: boolean;
      /** Set when `QINGTUI_BASE_URL` was given: it is ignored in sandbox mode. */
      ignoredBaseUrl: boolean;
      /** `QINGTUI_SANDBOX_TOKEN_TTL`: lifetime of the sandbox's tokens; its default (7200 s) when unset. */
      tokenTtlSeconds?: number;
    };

/**
 * The validated environment. Every top-level entry is an object, so that `ConfigModule` copies
 * nothing of it back into `process.env`; client keys are held as SHA-256 digests only.
 */
export interface ServerConfig {
  http: {
    /** TCP port to listen on; 0 picks a free one. */
    port: number;
    /** Longest wait for requests in flight after SIGTERM/SIGINT (`SHUTDOWN_TIMEOUT_MS`). */
    shutdownTimeoutMs: number;
  };
  platform: PlatformConfig;
  auth: {
    /** Configured client keys; empty only in sandbox mode (a development key is generated). */
    keys: ApiKeyEntry[];
  };
  logging: {
    /** `LOG_LEVEL`: the least severe level written. */
    level: ServerLogLevel;
    /** `LOG_FORMAT`. */
    format: LogFormat;
  };
  metrics: {
    /** SHA-256 of `METRICS_KEY`: when set, `GET /metrics` needs it as a bearer token. */
    keyDigest?: Buffer;
  };
  store: {
    /** `REDIS_URL`: holds the password, never log it (log `redisDisplay`). */
    redisUrl?: string;
    /** `REDIS_URL` without its credentials, for logs. */
    redisDisplay?: string;
    /** `REDIS_OPTIONAL`: start even if Redis cannot be used at start-up. */
    redisOptional: boolean;
    /** `REDIS_TIMEOUT_MS`: timeout of one Redis command; library default when unset. */
    redisTimeoutMs?: number;
    keyPrefix?: string;
    /** `QINGTUI_ENCRYPTION_KEY`: key of the refresh_token encryption at rest. Never logged. */
    encryptionKey?: string;
  };
  tuning: {
    /** Timeout of one platform call (`QINGTUI_HTTP_TIMEOUT_MS`); library default when unset. */
    httpTimeoutMs?: number;
    /** Fraction of a token's lifetime after which it is renewed (`QINGTUI_REFRESH_RATIO`). */
    refreshRatio?: number;
    /** Serve `GET /bench/bare`, a constant answer used as the benchmark's baseline. */
    benchBareEndpoint: boolean;
  };
}

/** Names of the apps a configuration serves. */
export function appNamesOf(platform: PlatformConfig): string[] {
  return platform.mode === 'sandbox' ? [DEFAULT_APP_NAME] : platform.apps.map((a) => a.name);
}
