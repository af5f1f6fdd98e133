import type { Cache } from 'cache-manager';

/** An app after validation, as the rest of the library sees it. */
export interface ResolvedApp {
  name: string;
  /** AppID (central mode) or the app's name on the central server (consumer mode). */
  appId: string;
  /** Daily call quota; undefined when unlimited (or unknown, in consumer mode). */
  dailyQuota?: number;
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
  baseUrl: string;
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
