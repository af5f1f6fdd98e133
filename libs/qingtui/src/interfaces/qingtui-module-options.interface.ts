import type { Cache } from 'cache-manager';
import type { QingtuiMetricsOptions } from '../metrics/qingtui-metrics-options.interface.js';
import type {
  PlatformAppConfigs,
  PlatformRulesByName,
  QingtuiPlatformName,
} from '../platforms/platforms.registry.js';

export type { QingtuiDailyQuota, QingtuiSecret } from '../core/app-config.js';

/**
 * One app of any supported platform, told apart by `platform`:
 * - Qingtui (`platform` omitted or `'qingtui'`): `{ name, appId, appSecret, dailyQuota? }`;
 * - WeChat Official Account: `{ name, platform: 'wechat-mp', appId, appSecret, stableToken?, dailyQuota? }`;
 * - WeCom: `{ name, platform: 'wecom', corpId, agentId, secret }`.
 */
export type QingtuiAnyAppConfig = PlatformAppConfigs[QingtuiPlatformName];

/** When and how tokens are renewed before they expire. */
export interface QingtuiRefreshOptions {
  /**
   * Fraction of a token's lifetime (`expires_in`) after which it is renewed in the background.
   * 0.8 renews a 7200 s token after 5760 s and a 3 s token after 2.4 s.
   * @default 0.8
   */
  ratio?: number;
  /**
   * A token with less than this left is no longer handed out: callers wait for the renewal instead.
   * Capped at 10% of the token's lifetime so that short-lived tokens stay usable.
   * @default 30_000 (ms)
   */
  minValidityMs?: number;
  /**
   * Random delay added to each scheduled renewal, as a fraction of the lifetime, so that several
   * instances do not all wake at the same instant (the first one to take the lock does the work).
   * @default 0.02
   */
  jitterRatio?: number;
  /**
   * Period of the safety-net sweep that catches any app whose precise renewal timer was missed
   * (in memory: it sends no store command). The sweep is a `@Cron` job of `@nestjs/schedule`
   * ticking every second (run by the application's `ScheduleModule.forRoot()`), so the period is
   * honoured to the second; at least 1_000.
   * @default 5_000 (ms)
   */
  sweepIntervalMs?: number;
  /**
   * With a shared store, how many records the backstop sweep re-reads each second (per
   * credential kind, in turn, with one batched read), and a fifth of it for the apps' shared call
   * counts. Instances converge at once on the store's notifications (another instance's write, a
   * reconnection); this only covers a lost notification or a FLUSHALL, each record being re-read
   * every `apps / reconcilePerSecond` seconds. The store commands of an idle instance stay the
   * same whatever the number of apps. Between 1 and 10,000.
   * @default 10
   */
  reconcilePerSecond?: number;
}

/** Bounded retries of transient failures (network errors, HTTP 5xx, malformed answers, errcode -1). */
export interface QingtuiRetryOptions {
  /** Attempts per renewal, the first one included. @default 3 */
  attempts?: number;
  /** Delay before the second attempt; doubles each time, with jitter. @default 200 (ms) */
  baseDelayMs?: number;
  /** Upper bound of one backoff delay. @default 30_000 (ms) */
  maxDelayMs?: number;
}

/**
 * Consumer mode: the module holds no AppSecret and gets its tokens from a central control
 * server (this project's sample server, or one with the same HTTP contract).
 */
export interface QingtuiCentralServerOptions {
  /** Base URL of the central control server, e.g. `http://token-server:3000`. */
  url: string;
  /** Client key sent as `Authorization: Bearer <key>`. Never logged. */
  apiKey: string;
  /**
   * The apps to use, by their names on the server. An app of another platform than Qingtui is
   * given with its platform (`{ name: 'wechat', platform: 'wechat-mp' }`), so that raw calls
   * go to that platform's base URL and its errcodes are understood.
   */
  apps: (string | { name: string; platform?: QingtuiPlatformName })[];
}

/** Options of `QingtuiModule.forRoot()` / `forRootAsync()`. */
export interface QingtuiModuleOptions {
  /**
   * The apps whose tokens this module fetches and renews (central mode), of any platform (see
   * `QingtuiAnyAppConfig`). The first one is the default app of `getToken()`; the first Qingtui
   * app is the default of `@InjectQingtuiClient()`. Two apps with the same platform identity
   * (Qingtui or WeChat AppID, WeCom corpId and agentId) are refused.
   * Either `apps` or `centralServer` must be given.
   */
  apps?: QingtuiAnyAppConfig | QingtuiAnyAppConfig[];
  /** Consumer mode: read tokens from a central control server instead of the platform. */
  centralServer?: QingtuiCentralServerOptions;
  /**
   * Base URL of the Qingtui open platform (or of the sandbox). Same as `baseUrls.qingtui`.
   * @default 'https://open.qingtui.cn'
   */
  baseUrl?: string;
  /**
   * Base URL of each platform's API (or of a sandbox), by platform name: `qingtui`,
   * `'wechat-mp'`, `wecom`.
   * @default the production hosts: `https://open.qingtui.cn`, `https://api.weixin.qq.com`,
   *   `https://qyapi.weixin.qq.com`
   */
  baseUrls?: Partial<Record<QingtuiPlatformName, string>>;
  /**
   * The platforms' documented timings, by platform name, for a platform that changes them or a
   * sandbox with compressed time: `{ 'wechat-mp': { tokenOverlapMs, stableRefreshWindowMs,
   * forceRefreshDailyLimit, forceRefreshMinIntervalMs } }`.
   * @default the documented values (WeChat: 300_000, 300_000, 20, 30_000)
   */
  platformRules?: PlatformRulesByName;
  /**
   * Where token records are kept: a cache-manager `Cache`. In-memory by default. Pass a cache
   * built on `@keyv/redis` (or set `redisUrl`) to share tokens between instances.
   * @default an in-memory cache
   */
  store?: Cache;
  /**
   * Redis URL: tokens are kept in Redis, renewals are locked and fenced across instances and
   * every instance learns of a new token through pub/sub.
   */
  redisUrl?: string;
  /**
   * The Redis of the store, when it is not one server given by `redisUrl`: exactly one of
   * `{ url }` (as `redisUrl`), `{ sentinel }` (a Sentinel-managed primary/replica set: the client
   * asks the sentinels for the primary and follows failovers) or `{ cluster }` (Redis Cluster:
   * every key of an app carries the app's hash tag, so that each app's keys live in one slot).
   * Not together with `redisUrl`.
   */
  redis?: QingtuiRedisOptions;
  /**
   * With `redisUrl` (or a `@keyv/redis` store): start even if Redis cannot be reached or refuses
   * the credentials at start-up, serving tokens from memory until it is back. Off by default:
   * a wrong password, DB or host is a start-up error.
   * @default false
   */
  redisOptional?: boolean;
  /**
   * Timeout of one Redis command; a command that takes longer marks the store `degraded` and the
   * renewal goes on with local single-flight.
   * @default 2_000 (ms)
   */
  redisTimeoutMs?: number;
  /**
   * Passive refresh (a caller reports the current token as rejected): before spending a token
   * call, the library confirms the rejection with one cheap platform read (a probe) using that
   * token. Probes of one token follow two schedules, whoever reports it: reporters already told
   * "still accepted" are checked again after 12 s, then 24 s, 48 s... and reporters not yet told
   * after 1 s, 2 s, 4 s...; both up to this spacing. Any report pattern from any number of keys
   * and instances then costs at most 9 probes in its first minute and 2 per this period after
   * that, for as long as it goes on. 0 checks every report.
   * @default 60_000 (ms)
   */
  staleReportProbeTtlMs?: number;
  /**
   * JS-SDK tickets (`TicketService`): a ticket with less than this left is no longer handed out,
   * so that a page signed with it can still call `wx.config`; callers then wait for the next
   * ticket, which the platforms issue only once the current one has expired (about this long,
   * once per ticket lifetime). Capped at 10% of the ticket's lifetime.
   * @default 5_000 (ms)
   */
  ticketMarginMs?: number;
  /**
   * Key of the refresh_token encryption at rest (AES-256-GCM). Without it the key is derived from
   * the app's AppSecret (HKDF), so only holders of the AppSecret can use a stored refresh_token.
   */
  encryptionKey?: string;
  /**
   * Prefix of every store key (`prefix:platform:appId:kind`). Give test runs their own.
   * @default 'qingtui'
   */
  keyPrefix?: string;
  /** Renewal policy. */
  refresh?: QingtuiRefreshOptions;
  /** Retries of transient failures. */
  retry?: QingtuiRetryOptions;
  /** Timeout of one HTTP call to the platform. @default 10_000 (ms) */
  httpTimeoutMs?: number;
  /**
   * Fetch every app's token at start-up instead of on first use.
   * @default true
   */
  prefetch?: boolean;
  /**
   * How many apps the start-up prefetch fetches at once. The others wait their turn, so that
   * thousands of apps neither stall the event loop nor hit the platform in one burst; a request
   * for an app not fetched yet fetches it at once. Between 1 and 1,000.
   * @default 32
   */
  prefetchConcurrency?: number;
  /**
   * How long the start-up (`onApplicationBootstrap`) waits for the prefetch. Past it, the apps not
   * fetched yet are fetched in the background and, until their turn, a read of one of them fails
   * at once (`QingtuiApiError` of kind `transient`, `retryAfterMs` 2 s: the server's 503 with
   * `Retry-After`) instead of waiting for the platform. Between 0 and 600,000.
   * @default 10_000 (ms)
   */
  prefetchWaitMs?: number;
  /**
   * Prometheus metrics of the token lifecycle (`qingtui_*`, see `QINGTUI_METRICS`), added to
   * `metrics.registry` (prom-client's global `register` by default). Needs the optional package
   * `prom-client`. Off when absent.
   */
  metrics?: QingtuiMetricsOptions;
}

/** host and port of one Redis node. */
export interface QingtuiRedisNode {
  host: string;
  port: number;
}

/** The `redis` option: exactly one of `url`, `sentinel`, `cluster`. */
export interface QingtuiRedisOptions {
  /** One Redis server (or a proxy-mode cluster endpoint): redis:// or rediss://. */
  url?: string;
  sentinel?: {
    /** Some of the sentinels (3 is plenty): the client learns the others from them. */
    sentinels: QingtuiRedisNode[];
    /** The monitored primary's name (`sentinel monitor <name> ...`). */
    name: string;
    /** Password of the sentinels themselves (their `requirepass`), if any. */
    sentinelPassword?: string;
    /** ACL user of the sentinels, if any. */
    sentinelUsername?: string;
    /** Password of the data nodes (primary and replicas), if any. */
    password?: string;
    /** ACL user of the data nodes, if any. */
    username?: string;
    /** TLS to the sentinels and the data nodes. @default false */
    tls?: boolean;
  };
  cluster?: {
    /** Some nodes of the cluster (as `{ host, port }`); or `urls`. The client discovers the rest. */
    nodes?: QingtuiRedisNode[];
    /** Some nodes of the cluster as redis:// (or rediss://, TLS) URLs, without credentials. */
    urls?: string[];
    /** Password of the cluster's nodes, if any. */
    password?: string;
    /** ACL user of the cluster's nodes, if any. */
    username?: string;
    /** TLS to the nodes (implied by `rediss://` URLs). @default false */
    tls?: boolean;
  };
}
