import type { QingtuiDailyQuota, QingtuiPlatformName, QingtuiRedisOptions } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import type { LogFormat, ServerLogLevel } from './observability-config.js';

/** Name of the app configured by `QINGTUI_APP_ID` / `QINGTUI_APP_SECRET`, and of the sandbox's Qingtui app. */
export const DEFAULT_APP_NAME = 'default';

/** A Qingtui app (`QINGTUI_APP_ID`, or an apps-file entry without `platform` or with `"qingtui"`). */
export interface QingtuiServerApp {
  platform: 'qingtui';
  name: string;
  appId: string;
  /** The AppSecret at start-up (a reloaded apps file may replace it: see `AppsFileReloader`). */
  appSecret: string;
  /** `QINGTUI_DAILY_QUOTA`, or `dailyQuota` of the apps file. */
  dailyQuota?: QingtuiDailyQuota;
  /** `jsSafeDomains` of the apps file: hosts whose pages may be signed. */
  jsSafeDomains?: string[];
}

/** A WeChat Official Account (`"platform": "wechat-mp"`). */
export interface WechatServerApp {
  platform: 'wechat-mp';
  name: string;
  appId: string;
  appSecret: string;
  /** `/cgi-bin/stable_token` instead of `/cgi-bin/token`. */
  stableToken: boolean;
  dailyQuota?: number;
  jsSafeDomains?: string[];
}

/** A WeCom app (`"platform": "wecom"`). */
export interface WecomServerApp {
  platform: 'wecom';
  name: string;
  corpId: string;
  /** Digits. */
  agentId: string;
  /** The app's secret (corpsecret). */
  secret: string;
  jsSafeDomains?: string[];
}

/**
 * One app as read from `QINGTUI_APP_ID` or an entry of `QINGTUI_APPS_FILE`, with its secret. Only
 * the configuration's readers hold these; the validated configuration keeps `ServerApp`.
 */
export type ServerAppEntry = QingtuiServerApp | WechatServerApp | WecomServerApp;

/** One app of the validated configuration: its public identity, without its secret. */
export type ServerApp = ServerAppEntry extends infer T
  ? T extends ServerAppEntry
    ? Omit<T, 'appSecret' | 'secret'>
    : never
  : never;

/**
 * The apps' secrets by app name (`ServerAppSecrets`): what the configuration holds instead of the
 * secrets themselves.
 */
export interface AppSecretVault {
  get(name: string): string | undefined;
  values(): string[];
}

/** The secret of an app entry, whatever its platform calls it. */
export function secretOf(app: ServerAppEntry): string {
  return app.platform === 'wecom' ? app.secret : app.appSecret;
}

/**
 * What identifies an app on its platform (never a secret): two entries with the same identity
 * would fetch tokens of one app twice; a changed identity needs a restart.
 */
export function identityOf(app: ServerApp): string {
  switch (app.platform) {
    case 'qingtui':
      return `qingtui:${app.appId}`;
    case 'wechat-mp':
      return `wechat-mp${app.stableToken ? '-stable' : ''}:${app.appId}`;
    case 'wecom':
      return `wecom:${app.corpId}/${app.agentId}`;
  }
}

/** The identity as an error message names it. */
export function describeIdentity(app: ServerApp): string {
  switch (app.platform) {
    case 'qingtui':
      return `the AppID of app "${app.name}"`;
    case 'wechat-mp':
      return `the WeChat AppID${app.stableToken ? ' (stableToken)' : ''} of app "${app.name}"`;
    case 'wecom':
      return `the WeCom corpId and agentId of app "${app.name}"`;
  }
}

/** Where tokens come from. */
export type PlatformConfig =
  | {
      /** Real credentials: tokens come from each app's platform. */
      mode: 'platform';
      /**
       * Base URL of each platform: `QINGTUI_BASE_URL`, `WECHAT_BASE_URL`, `WECOM_BASE_URL`; a
       * platform without one uses the library's default (its production host).
       */
      baseUrls: Partial<Record<QingtuiPlatformName, string>>;
      /** The apps, without their secrets. */
      apps: ServerApp[];
      /** Their secrets, by app name, out of reach of any dump of the configuration. */
      secrets: AppSecretVault;
      /** Whether `apps[0]` is the app of `QINGTUI_APP_ID` (the others come from the file). */
      hasEnvApp: boolean;
      /** Absolute path of `QINGTUI_APPS_FILE`, when set: watched for AppSecret changes. */
      appsFile?: string;
    }
  | {
      /**
       * No app configured: an embedded sandbox serves its three demo apps, as `default`
       * (Qingtui), `wechat` (WeChat Official Account) and `wecom` (WeCom).
       */
      mode: 'sandbox';
      /** Set by `QINGTUI_SANDBOX=true` (rather than by an environment with nothing configured). */
      explicit: boolean;
      /** The base URL variables given: they are ignored in sandbox mode. */
      ignoredBaseUrls: string[];
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
    /**
     * `REDIS_SENTINELS` (with `REDIS_SENTINEL_NAME`, `REDIS_SENTINEL_PASSWORD`) or
     * `REDIS_CLUSTER_NODES`, with `REDIS_PASSWORD` / `REDIS_USERNAME`: the library's `redis`
     * option. Holds passwords: never log it (log `redisDisplay`).
     */
    redis?: QingtuiRedisOptions;
    /** The variable that chose the Redis, for messages. */
    redisVariable?: 'REDIS_URL' | 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES';
    /** The Redis (URL, sentinels, cluster nodes) without any credential, for logs. */
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
    /** `WECHAT_TOKEN_OVERLAP_MS`: how long WeChat keeps the previous classic token alive. */
    wechatTokenOverlapMs?: number;
    /** `WECOM_TICKET_HOURLY_LIMIT_APP`: WeCom JS-SDK ticket fetches per app and hour. */
    wecomTicketHourlyLimitApp?: number;
    /** `WECOM_TICKET_HOURLY_LIMIT_CORP`: WeCom JS-SDK ticket fetches per company and hour. */
    wecomTicketHourlyLimitCorp?: number;
    /** `WECOM_MEMBER_MESSAGES_PER_MINUTE`: messages one app may send one member per sliding minute. */
    wecomMemberMessagesPerMinute?: number;
    /** `WECOM_MEMBER_MESSAGES_PER_HOUR`: the same per sliding hour. */
    wecomMemberMessagesPerHour?: number;
    /** `WECHAT_STABLE_WINDOW_MS`: stable_token's rotation window. */
    wechatStableWindowMs?: number;
    /** Timeout of one platform call (`QINGTUI_HTTP_TIMEOUT_MS`); library default when unset. */
    httpTimeoutMs?: number;
    /** `QINGTUI_PREFETCH_CONCURRENCY`: apps fetched at once at start-up (library default 32). */
    prefetchConcurrency?: number;
    /** Fraction of a token's lifetime after which it is renewed (`QINGTUI_REFRESH_RATIO`). */
    refreshRatio?: number;
    /** `RELAY_RATE_LIMIT`: relayed calls a second per caller and instance (429 beyond). */
    relayRateLimit: number;
    /** Serve `GET /bench/bare`, a constant answer used as the benchmark's baseline. */
    benchBareEndpoint: boolean;
  };
}

/** Names of the sandbox's demo apps in sandbox mode: Qingtui, WeChat, WeCom. */
export const SANDBOX_APP_NAMES = [DEFAULT_APP_NAME, 'wechat', 'wecom'] as const;

/** Names of the apps a configuration serves. */
export function appNamesOf(platform: PlatformConfig): string[] {
  return platform.mode === 'sandbox' ? [...SANDBOX_APP_NAMES] : platform.apps.map((a) => a.name);
}
