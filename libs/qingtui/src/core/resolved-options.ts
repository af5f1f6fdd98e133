import type { Cache } from 'cache-manager';
import type { QuotaRules, TokenFetchSemantics } from './fetch-semantics.js';

/**
 * An app after validation, as the rest of the library sees it: public facts only (its secret
 * went to its token fetcher alone).
 */
export interface ResolvedApp {
  name: string;
  /** Its platform (`qingtui`, `wechat-mp`, `wecom`); in consumer mode, the one declared. */
  platform: string;
  /**
   * The app's public id on its platform: the AppID (Qingtui, WeChat), `corpId/agentId` (WeCom),
   * or its name on the central server (consumer mode). With `keyNamespace`, unique among the apps.
   */
  appId: string;
  /**
   * Namespace of its store keys (`prefix:<keyNamespace>:<appId>:<kind>`): its platform, or a
   * distinct one (WeChat's stable_token).
   */
  keyNamespace: string;
  /** How logs name it, e.g. `WeChat AppID wx123 (stable_token)`, `WeCom corpId ww1 agentId 1000002`. */
  label: string;
  /** Base URL of its platform's API (or of the sandbox). */
  baseUrl: string;
  /** How its platform's token endpoint behaves. */
  semantics: TokenFetchSemantics;
  /** Which calls count against its daily quota, and the quota. */
  quota: QuotaRules;
  /** Its platform's JS-SDK tickets and how pages sign with them; absent: none. */
  tickets?: TicketRules;
  /** Messages one member may receive from it (WeCom), per sliding minute and hour; absent: none. */
  messageLimits?: { perMemberMinute: number; perMemberHour: number };
}

/** An app's JS-SDK tickets (`jsapi`, `wx_card`, `agent_config`) and what its signatures carry. */
export interface TicketRules {
  /** The ticket kinds its platform issues. */
  kinds: readonly string[];
  /** What `wx.config` takes as `appId`: the AppID, or WeCom's corpId; undefined: not known here. */
  configAppId?: string;
  /** WeCom: what `wx.agentConfig` takes (`corpid`, `agentid`). */
  agent?: { corpId: string; agentId: string };
  /** The unit of the signature's timestamp (Qingtui: an option; WeChat and WeCom: seconds). */
  timestampUnit: 'seconds' | 'milliseconds';
  /** Hosts whose pages may be signed (the platforms' JS-safe domains); absent: any. */
  domains?: readonly string[];
  /** Ticket fetches allowed per hour (WeCom): per app, and per company across its apps. */
  hourlyLimits?: { app: number; corp: number };
}

/**
 * Reads an app's secret at the moment it is needed. Held by the token fetcher alone: never part
 * of the resolved options, which the module exports to the application.
 */
export type SecretReader = () => Promise<string>;

/** host and port of one Redis node (a sentinel, a cluster node). */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/**
 * Which Redis the store uses: one server by URL, a Sentinel-managed primary/replica set, or a
 * Redis Cluster. Holds passwords: never log it (`describeRedisTarget` gives a loggable form).
 */
export type ResolvedRedisTarget =
  | { kind: 'url'; url: string }
  | {
      kind: 'sentinel';
      sentinels: RedisNodeAddress[];
      name: string;
      sentinelPassword?: string;
      sentinelUsername?: string;
      password?: string;
      username?: string;
      tls: boolean;
    }
  | {
      kind: 'cluster';
      nodes: RedisNodeAddress[];
      password?: string;
      username?: string;
      tls: boolean;
    };

/** Module options with every default applied (see `resolveQingtuiOptions`). */
export interface ResolvedQingtuiOptions {
  mode: 'central' | 'consumer';
  apps: ResolvedApp[];
  defaultApp: string;
  /** Base URL of each platform's API, by platform name (defaults applied). */
  baseUrls: Readonly<Record<string, string>>;
  centralServer?: { url: string; apiKey: string };
  store?: Cache;
  /** The `redisUrl` of the options, or the URL of `redis: { url }`. */
  redisUrl?: string;
  /** The Redis of `redisUrl` / `redis`, when one was configured. */
  redis?: ResolvedRedisTarget;
  keyPrefix: string;
  refresh: {
    ratio: number;
    minValidityMs: number;
    jitterRatio: number;
    sweepIntervalMs: number;
    reconcilePerSecond: number;
  };
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  httpTimeoutMs: number;
  prefetch: boolean;
  /** Apps fetched at once by the start-up prefetch. */
  prefetchConcurrency: number;
  /** How long the start-up waits for the prefetch before it goes on in the background. */
  prefetchWaitMs: number;
  redisOptional: boolean;
  redisTimeoutMs: number;
  staleReportProbeTtlMs: number;
  /**
   * A ticket with less than this left is no longer handed out (a page signed with it must still
   * be able to call `wx.config`): callers wait for the next one instead.
   */
  ticketMarginMs: number;
  /** Whether a refresh_token encryption key was configured (the key itself stays with the fetcher). */
  hasEncryptionKey: boolean;
}
