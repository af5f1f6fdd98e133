import { RedisJsonStore } from '../../support/redis-json-store.js';
import type { WechatWorkerConfig } from '../wechat-loop.protocol.js';
import { peerRequire } from '../peer-require.js';
import { WechatCallError } from './wechat-call.error.js';
import type { WechatClient } from './wechat-client.interface.js';

/** co-wechat-api's token object: the token and an absolute local-clock expiry (ms). */
type CoToken = { accessToken: string; expireTime: number } | null;

/** The part of co-wechat-api 3.x's `API` the bench uses. */
interface CoWechatApi {
  /** Base of every `/cgi-bin/` URL; public, default `https://api.weixin.qq.com/cgi-bin/`. */
  prefix: string;
  getIp(): Promise<unknown>;
}

type CoWechatApiConstructor = new (
  appid: string,
  appsecret: string,
  getToken?: () => Promise<CoToken | undefined>,
  saveToken?: (token: CoToken) => Promise<void>,
) => CoWechatApi;

/** Key of the shared token, as in the README's example (one token object per app). */
const TOKEN_KEY = 'access_token';

/**
 * co-wechat-api 3.x through its public API: `new API(appid, secret[, getToken, saveToken])`, then
 * `api.prefix` pointed at the sandbox. `memory`: its default store (a field of the instance);
 * `redis`: the README's cluster recipe, the token object as JSON in Redis.
 */
export async function coWechatApiClient(
  config: WechatWorkerConfig,
  store: 'memory' | 'redis',
): Promise<WechatClient> {
  const API = peerRequire(config.peersDir)('co-wechat-api') as CoWechatApiConstructor;
  const redis =
    store === 'redis'
      ? RedisJsonStore.open(config.peersDir, config.redisUrl, config.keyPrefix)
      : undefined;
  const api = redis
    ? new API(
        config.appId,
        config.appSecret,
        async () => JSON.parse((await redis.get(TOKEN_KEY)) ?? 'null') as CoToken,
        async (token) => redis.set(TOKEN_KEY, JSON.stringify(token)),
      )
    : new API(config.appId, config.appSecret);
  api.prefix = `${config.sandboxUrl}/cgi-bin/`;
  return {
    // getIp() throws on an errcode answer, after its own retries of 40001 / 42001.
    callbackIp: async () => WechatCallError.expectIpList(await api.getIp()),
    close: async () => redis?.quit(),
  };
}
