import { RedisJsonStore } from '../../support/redis-json-store.js';
import type { WechatWorkerConfig } from '../wechat-loop.protocol.js';
import { peerRequire } from '../peer-require.js';
import { WechatCallError } from './wechat-call.error.js';
import type { WechatClient } from './wechat-client.interface.js';

type Callback<T> = (error: Error | null, value?: T) => void;

/** wechat-api's token object: the token and an absolute local-clock expiry (ms). */
type WechatApiToken = { accessToken: string; expireTime: number } | null;

/** The part of wechat-api 1.x's `API` the bench uses. */
interface WechatApi {
  /**
   * Scheme and host of every platform URL; public, default `https://api.weixin.qq.com`.
   * (`setEndpoint(domain)` would force https, so the property is set directly.)
   */
  endpoint: string;
  getIp(callback: Callback<unknown>): void;
}

type WechatApiConstructor = new (
  appid: string,
  appsecret: string,
  getToken?: (callback: Callback<WechatApiToken>) => void,
  saveToken?: (token: WechatApiToken, callback: Callback<void>) => void,
) => WechatApi;

const TOKEN_KEY = 'access_token';

/**
 * wechat-api 1.x through its public API: `new API(appid, secret[, getToken, saveToken])` with
 * callback hooks, and `api.endpoint` pointed at the sandbox. `memory`: its default store;
 * `redis`: the README's cluster recipe, the token object as JSON in Redis.
 */
export async function wechatApiClient(
  config: WechatWorkerConfig,
  store: 'memory' | 'redis',
): Promise<WechatClient> {
  const API = peerRequire(config.peersDir)('wechat-api') as WechatApiConstructor;
  const redis =
    store === 'redis'
      ? RedisJsonStore.open(config.peersDir, config.redisUrl, config.keyPrefix)
      : undefined;
  const api = redis
    ? new API(
        config.appId,
        config.appSecret,
        (callback) => {
          redis.get(TOKEN_KEY).then(
            (raw) => callback(null, JSON.parse(raw ?? 'null') as WechatApiToken),
            (error: Error) => callback(error),
          );
        },
        (token, callback) => {
          redis.set(TOKEN_KEY, JSON.stringify(token)).then(
            () => callback(null),
            (error: Error) => callback(error),
          );
        },
      )
    : new API(config.appId, config.appSecret);
  api.endpoint = config.sandboxUrl;
  return {
    callbackIp: () =>
      new Promise<void>((resolve, reject) => {
        // wechat-api turns an errcode answer into an error with `code` (after one retry on 40001).
        api.getIp((error, answer) => {
          const failure = error ?? WechatCallError.of(answer);
          if (failure) reject(failure);
          else resolve();
        });
      }),
    close: async () => redis?.quit(),
  };
}
