import type { QingtuiAppConfig, QingtuiModuleOptions } from 'nestjs-qingtui';
import type { EmbeddedSandbox } from '../sandbox/embedded-sandbox.js';
import type { AppsFileReloader } from './apps-file.reloader.js';
import type { ServerConfig } from './server-config.interface.js';

/**
 * Options of `QingtuiModule`, from the validated configuration: the configured apps (AppSecrets
 * through the reloader's providers) or the sandbox's demo app, the store, the tuning.
 */
export function qingtuiOptions(
  config: Pick<ServerConfig, 'platform' | 'store' | 'tuning'>,
  sandbox: EmbeddedSandbox,
  secrets: AppsFileReloader,
): QingtuiModuleOptions {
  const { platform, store, tuning } = config;
  const apps: QingtuiAppConfig[] =
    platform.mode === 'sandbox'
      ? [sandbox.app]
      : platform.apps.map((app) => ({
          name: app.name,
          appId: app.appId,
          appSecret: secrets.secret(app.name),
          ...(app.dailyQuota === undefined ? {} : { dailyQuota: app.dailyQuota }),
        }));
  return {
    apps,
    baseUrl: platform.mode === 'sandbox' ? sandbox.url : platform.baseUrl,
    redisUrl: store.redisUrl,
    redisOptional: store.redisOptional,
    redisTimeoutMs: store.redisTimeoutMs,
    keyPrefix: store.keyPrefix,
    encryptionKey: store.encryptionKey,
    httpTimeoutMs: tuning.httpTimeoutMs,
    refresh: tuning.refreshRatio === undefined ? undefined : { ratio: tuning.refreshRatio },
  };
}
