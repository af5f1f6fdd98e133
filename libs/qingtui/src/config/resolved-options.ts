import type { Cache } from 'cache-manager';

/** An app after validation, as the rest of the library sees it. */
export interface ResolvedApp {
  name: string;
  /** AppID (central mode) or the app's name on the central server (consumer mode). */
  appId: string;
  /** Present in central mode only. */
  appSecret?: string;
}

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
}
