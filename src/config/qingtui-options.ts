import type { QingtuiModuleOptions } from 'nestjs-qingtui';
import type { EmbeddedSandbox } from '../sandbox/embedded-sandbox.js';
import type { ServerConfig } from './server-config.interface.js';

/** Options of `QingtuiModule`: the configured apps, or the sandbox's demo app in sandbox mode. */
export function qingtuiOptions(
  platform: ServerConfig['platform'],
  store: ServerConfig['store'],
  sandbox: EmbeddedSandbox,
  tuning: ServerConfig['tuning'] = { benchBareEndpoint: false },
): QingtuiModuleOptions {
  const source =
    platform.mode === 'sandbox'
      ? { apps: [sandbox.app], baseUrl: sandbox.url }
      : { apps: platform.apps, baseUrl: platform.baseUrl };
  return {
    ...source,
    redisUrl: store.redisUrl,
    keyPrefix: store.keyPrefix,
    httpTimeoutMs: tuning.httpTimeoutMs,
    refresh: tuning.refreshRatio === undefined ? undefined : { ratio: tuning.refreshRatio },
  };
}
