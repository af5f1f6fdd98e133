import type { QingtuiAnyAppConfig, QingtuiModuleOptions } from 'nestjs-qingtui';
import type { EmbeddedSandbox } from '../sandbox/embedded-sandbox.js';
import type { AppsFileReloader } from './apps-file.reloader.js';
import type { ServerApp, ServerConfig } from './server-config.interface.js';

function domainsOf(app: ServerApp): { jsSafeDomains?: string[] } {
  return app.jsSafeDomains === undefined ? {} : { jsSafeDomains: app.jsSafeDomains };
}

/** One configured app as the library takes it, its secret read through the reloader. */
function libraryApp(app: ServerApp, secrets: AppsFileReloader): QingtuiAnyAppConfig {
  const secret = secrets.secret(app.name);
  switch (app.platform) {
    case 'qingtui':
      return {
        name: app.name,
        appId: app.appId,
        appSecret: secret,
        ...(app.dailyQuota === undefined ? {} : { dailyQuota: app.dailyQuota }),
        ...domainsOf(app),
      };
    case 'wechat-mp':
      return {
        name: app.name,
        platform: 'wechat-mp',
        appId: app.appId,
        appSecret: secret,
        stableToken: app.stableToken,
        ...(app.dailyQuota === undefined ? {} : { dailyQuota: app.dailyQuota }),
        ...domainsOf(app),
      };
    case 'wecom':
      return {
        name: app.name,
        platform: 'wecom',
        corpId: app.corpId,
        agentId: app.agentId,
        secret,
        ...domainsOf(app),
      };
  }
}

/**
 * Options of `QingtuiModule`, from the validated configuration: the configured apps of every
 * platform (secrets through the reloader's providers) or the sandbox's three demo apps, the
 * base URLs, the store, the tuning.
 */
export function qingtuiOptions(
  config: Pick<ServerConfig, 'platform' | 'store' | 'tuning'>,
  sandbox: EmbeddedSandbox,
  secrets: AppsFileReloader,
): QingtuiModuleOptions {
  const { platform, store, tuning } = config;
  const apps: QingtuiAnyAppConfig[] =
    platform.mode === 'sandbox'
      ? sandbox.apps
      : platform.apps.map((app) => libraryApp(app, secrets));
  const wechatRules = {
    ...(tuning.wechatTokenOverlapMs === undefined
      ? {}
      : { tokenOverlapMs: tuning.wechatTokenOverlapMs }),
    ...(tuning.wechatStableWindowMs === undefined
      ? {}
      : { stableRefreshWindowMs: tuning.wechatStableWindowMs }),
  };
  return {
    apps,
    baseUrls:
      platform.mode === 'sandbox'
        ? { qingtui: sandbox.url, 'wechat-mp': sandbox.url, wecom: sandbox.url }
        : platform.baseUrls,
    platformRules: {
      'wechat-mp': wechatRules,
      wecom: {
        ...(tuning.wecomTicketHourlyLimitApp === undefined
          ? {}
          : { ticketHourlyLimitApp: tuning.wecomTicketHourlyLimitApp }),
        ...(tuning.wecomTicketHourlyLimitCorp === undefined
          ? {}
          : { ticketHourlyLimitCorp: tuning.wecomTicketHourlyLimitCorp }),
        ...(tuning.wecomMemberMessagesPerMinute === undefined
          ? {}
          : { memberMessagesPerMinute: tuning.wecomMemberMessagesPerMinute }),
        ...(tuning.wecomMemberMessagesPerHour === undefined
          ? {}
          : { memberMessagesPerHour: tuning.wecomMemberMessagesPerHour }),
      },
    },
    redisUrl: store.redisUrl,
    redis: store.redis,
    redisOptional: store.redisOptional,
    redisTimeoutMs: store.redisTimeoutMs,
    keyPrefix: store.keyPrefix,
    encryptionKey: store.encryptionKey,
    httpTimeoutMs: tuning.httpTimeoutMs,
    prefetchConcurrency: tuning.prefetchConcurrency,
    refresh: tuning.refreshRatio === undefined ? undefined : { ratio: tuning.refreshRatio },
  };
}
