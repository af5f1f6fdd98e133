import type { WechatClientKind } from '../workers/wechat-loop.protocol.js';

/** One library with one token store, run with N = 1, 3 and 5 processes. */
export interface WechatVariant {
  client: WechatClientKind;
  /** The npm package (installed in bench/peers) whose version the table names; none for ours. */
  packageName?: string;
  /** Label when there is no package version to read. */
  label?: string;
  /** Where its processes keep the token, as the table says. */
  store: string;
  /** Variants of one batch run at the same time, each with its own app on the sandbox. */
  batch: string;
}

/** The npm SDKs, each with its default store and with its documented way to share the token. */
export const PEER_VARIANTS: readonly WechatVariant[] = [
  {
    client: 'co-wechat-api/memory',
    packageName: 'co-wechat-api',
    store: 'in-memory (default)',
    batch: 'co-wechat-api',
  },
  {
    client: 'co-wechat-api/redis',
    packageName: 'co-wechat-api',
    store: 'getToken/saveToken on Redis',
    batch: 'co-wechat-api',
  },
  {
    client: 'wechat-api/memory',
    packageName: 'wechat-api',
    store: 'in-memory (default)',
    batch: 'wechat-api',
  },
  {
    client: 'wechat-api/redis',
    packageName: 'wechat-api',
    store: 'getToken/saveToken on Redis',
    batch: 'wechat-api',
  },
  {
    client: 'node-easywechat/file',
    packageName: 'node-easywechat',
    store: 'file cache (default), one folder per process',
    batch: 'node-easywechat',
  },
  {
    client: 'node-easywechat/redis',
    packageName: 'node-easywechat',
    store: 'CacheInterface on Redis',
    batch: 'node-easywechat',
  },
];

/** This project: N small Nest apps with `QingtuiModule.forRoot` sharing Redis. */
export const OURS_VARIANT: WechatVariant = {
  client: 'nestjs-qingtui/redis',
  label: 'nestjs-qingtui (ours)',
  store: 'Redis (lock, fencing, pub/sub)',
  batch: 'ours',
};

/** What the section runs. */
export const REGISTERED_VARIANTS: readonly WechatVariant[] = [...PEER_VARIANTS, OURS_VARIANT];

/** Libraries considered and not run, with the reason the section prints. */
export const NOT_RUN: readonly { name: string; reason: string }[] = [
  {
    name: 'nest-wechat 0.2.50',
    reason:
      'its hosts cannot be set: every URL is a string literal `https://api.weixin.qq.com/...` in ' +
      '`dist/wechat.service.js` (7 of them, e.g. `getAccountAccessToken`: `https://api.weixin.qq.com/cgi-bin/token?...`, ' +
      '`getStableAccessToken`: `https://api.weixin.qq.com/cgi-bin/stable_token`), requested with the global ' +
      '`axios` instance, and `WeChatModuleOptions` (appId, secret, token, encodingAESKey, cacheAdapter, debug) has no ' +
      'host or base URL. Pointing it at the sandbox would mean patching it. It would not meet these rules anyway: ' +
      'its `getToken()` always uses `stable_token` (normal mode), cached 7100 s whatever `expires_in` says, and it has ' +
      'no `getcallbackip` call.',
  },
];
