import type { AxiosInstance } from 'axios';
import { encryptionKey, resolveAppSecrets } from '../../config/resolve-options.js';
import type { ResolvedQingtuiOptions } from '../../core/resolved-options.js';
import type { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import type { QingtuiEvents } from '../../events/qingtui-events.service.js';
import type { QingtuiModuleOptions } from '../../interfaces/qingtui-module-options.interface.js';
import type { TokenFetcher } from '../../platforms/platform.interface.js';
import { platformNamed } from '../../platforms/platforms.registry.js';
import type { TokenBackend } from '../../core/store.js';
import { appKey } from '../../core/store-keys.js';
import type { PlatformUsage } from '../../quotas/platform-usage.js';
import { PlatformTokenSource } from './platform-token.source.js';

/** What the module hands to the token fetchers besides the options. */
export interface PlatformSourceDeps {
  http: AxiosInstance;
  backend: TokenBackend;
  usage: PlatformUsage;
  onRefreshTokenRejected?: (app: string, error: QingtuiApiError) => void;
  /** Told of every platform call (`qingtui.platform.call`). */
  events?: QingtuiEvents;
}

/**
 * Builds the central mode's token source: for each app, the fetcher of its platform, given the
 * app's secret reader (read from the raw options here, and handed to that fetcher only) and a
 * token-call gate keyed by the app's own identity (two apps of one WeCom company never share one).
 */
export function createPlatformTokenSource(
  options: ResolvedQingtuiOptions,
  raw: QingtuiModuleOptions,
  deps: PlatformSourceDeps,
): PlatformTokenSource {
  const secrets = resolveAppSecrets(raw);
  const key = encryptionKey(raw.encryptionKey);
  const fetchers = new Map<string, TokenFetcher>();
  for (const app of options.apps) {
    const gate = appKey(options.keyPrefix, app, 'token-call');
    const fetcher = platformNamed(app.platform).createFetcher(
      {
        http: deps.http,
        timeoutMs: options.httpTimeoutMs,
        usage: deps.usage,
        reserveTokenCall: (intervalMs) => deps.backend.reserveCall(gate, intervalMs),
        encryptionKey: key,
        now: Date.now,
        onRefreshTokenRejected: (error) => deps.onRefreshTokenRejected?.(app.name, error),
        events: deps.events,
      },
      app,
      secrets.get(app.name)!,
    );
    fetchers.set(app.name, fetcher);
  }
  return new PlatformTokenSource(fetchers);
}
