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
}

/**
 * Reads an app's secret at the moment it is needed. Held by the token fetcher alone: never part
 * of the resolved options, which the module exports to the application.
 */
export type SecretReader = () => Promise<string>;

/** Module options with every default applied (see `resolveQingtuiOptions`). */
export interface ResolvedQingtuiOptions {
  mode: 'central' | 'consumer';
  apps: ResolvedApp[];
  defaultApp: string;
  /** Base URL of each platform's API, by platform name (defaults applied). */
  baseUrls: Readonly<Record<string, string>>;
  centralServer?: { url: string; apiKey: string };
  store?: Cache;
  redisUrl?: string;
  keyPrefix: string;
  refresh: {
    ratio: number;
    minValidityMs: number;
    jitterRatio: number;
    sweepIntervalMs: number;
  };
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  httpTimeoutMs: number;
  prefetch: boolean;
  redisOptional: boolean;
  redisTimeoutMs: number;
  staleReportProbeTtlMs: number;
  /** Whether a refresh_token encryption key was configured (the key itself stays with the fetcher). */
  hasEncryptionKey: boolean;
}
