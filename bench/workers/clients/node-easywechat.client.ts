import { RedisJsonStore } from '../../support/redis-json-store.js';
import type { WechatWorkerConfig } from '../wechat-loop.protocol.js';
import { peerRequire } from '../peer-require.js';
import { WechatCallError } from './wechat-call.error.js';
import type { WechatClient } from './wechat-client.interface.js';

/** node-easywechat's `CacheInterface` (lifetime in seconds, 0: none). */
interface EasyWechatCache {
  get(key: string): Promise<unknown>;
  has(key: string): Promise<boolean>;
  set(key: string, data?: unknown, lifetime?: number): Promise<boolean>;
  delete(key: string): Promise<boolean>;
}

/** The part of node-easywechat 3.x's `OfficialAccount` the bench uses. */
interface OfficialAccount {
  setCache(cache: EasyWechatCache): OfficialAccount;
  getClient(): { get(url: string): Promise<{ toObject(): unknown }> };
}

type OfficialAccountConstructor = new (config: Record<string, unknown>) => OfficialAccount;

/**
 * node-easywechat 3.x (`OfficialAccount`) through its documented configuration: `http` is axios's
 * request config, so `http.baseURL` points it at the sandbox. `file`: its default cache (files
 * under `file_cache.path`; one folder per process, as on separate hosts); `redis`: the README's
 * Redis cache (`CacheInterface` on ioredis), set with `setCache()` (the README names it
 * `setCacher`, which 3.6 does not have).
 */
export async function nodeEasyWechatClient(
  config: WechatWorkerConfig,
  store: 'file' | 'redis',
): Promise<WechatClient> {
  const { OfficialAccount } = peerRequire(config.peersDir)('node-easywechat') as {
    OfficialAccount: OfficialAccountConstructor;
  };
  const app = new OfficialAccount({
    app_id: config.appId,
    secret: config.appSecret,
    http: { baseURL: `${config.sandboxUrl}/` },
    file_cache: { path: config.scratchDir },
  });
  const redis =
    store === 'redis'
      ? RedisJsonStore.open(config.peersDir, config.redisUrl, config.keyPrefix)
      : undefined;
  if (redis) {
    app.setCache({
      get: (key) => redis.get(key),
      has: (key) => redis.has(key),
      set: async (key, data = null, lifetime = 0) => {
        await redis.set(key, String(data), lifetime);
        return true;
      },
      delete: async (key) => {
        await redis.delete(key);
        return true;
      },
    });
  }
  const client = app.getClient();
  return {
    // An errcode answer comes back as data (`http.throw` only covers HTTP statuses).
    callbackIp: async () =>
      WechatCallError.expectIpList((await client.get('cgi-bin/getcallbackip')).toObject()),
    close: async () => redis?.quit(),
  };
}
