import type { QingtuiAppConfig } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';

/** Name of the app configured by `QINGTUI_APP_ID` / `QINGTUI_APP_SECRET`, and of the sandbox app. */
export const DEFAULT_APP_NAME = 'default';

/** Where tokens come from. */
export type PlatformConfig =
  | {
      /** Real credentials: tokens come from the platform at `baseUrl`. */
      mode: 'platform';
      baseUrl: string;
      apps: QingtuiAppConfig[];
    }
  | {
      /** No app configured: an embedded sandbox serves the demo app as `default`. */
      mode: 'sandbox';
      /** Set when `QINGTUI_BASE_URL` was given: it is ignored in sandbox mode. */
      ignoredBaseUrl: boolean;
    };

/**
 * The validated environment. Every top-level entry is an object, so that `ConfigModule` copies
 * nothing of it back into `process.env`; client keys are held as SHA-256 digests only.
 */
export interface ServerConfig {
  http: {
    /** TCP port to listen on; 0 picks a free one. */
    port: number;
  };
  platform: PlatformConfig;
  auth: {
    /** Configured client keys; empty only in sandbox mode (a development key is generated). */
    keys: ApiKeyEntry[];
  };
  store: {
    redisUrl?: string;
    keyPrefix?: string;
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
