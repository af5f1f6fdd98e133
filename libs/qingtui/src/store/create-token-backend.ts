import { createCache, type Cache } from 'cache-manager';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import type { TokenBackend } from '../core/store.js';

/** The optional peers of the Redis backend: installed by the applications that use Redis only. */
const REDIS_PACKAGES = ['@keyv/redis', 'keyv'];

/**
 * The node-redis client behind a cache-manager cache built on `@keyv/redis`, if any. Only such a
 * cache holds a `KeyvRedis` adapter: when `@keyv/redis` is not installed, the cache is not one.
 */
async function redisClientOf(cache: Cache | undefined): Promise<unknown> {
  const adapter = cache?.stores?.[0]?.store as unknown;
  if (adapter === undefined) return undefined;
  const keyvRedis = await import('@keyv/redis').catch(() => undefined);
  return keyvRedis !== undefined && adapter instanceof keyvRedis.default
    ? adapter.client
    : undefined;
}

/**
 * The Redis backend, loaded only when Redis is asked for, so that an application without the
 * optional `@keyv/redis` compiles and runs with the in-memory store.
 */
async function loadRedisBackend(field: string): Promise<typeof import('./redis-token.backend.js')> {
  try {
    return await import('./redis-token.backend.js');
  } catch (error) {
    const missing =
      (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
      REDIS_PACKAGES.find((name) => String((error as Error).message).includes(`'${name}'`));
    if (!missing) throw error;
    throw new QingtuiConfigError(
      field,
      `needs the optional package @keyv/redis, which is not installed (${missing} cannot be ` +
        'loaded): npm install @keyv/redis',
    );
  }
}

/**
 * Picks the backend the options ask for: Redis (shared, locked, fenced) when `redisUrl` or `redis` is set
 * or the given cache is a `@keyv/redis` one; otherwise the given cache, in-memory by default.
 * Consumer mode keeps its copy of the server's tokens in process: the server coordinates.
 */
export async function createTokenBackend(options: ResolvedQingtuiOptions): Promise<TokenBackend> {
  if (options.mode === 'consumer') return new CacheTokenBackend(createCache());
  const client = await redisClientOf(options.store);
  if (options.redis !== undefined || client !== undefined) {
    const { RedisTokenBackend } = await loadRedisBackend(
      options.redisUrl === undefined && options.redis !== undefined ? 'redis' : 'redisUrl',
    );
    const backend = new RedisTokenBackend({
      target: options.redis,
      field: options.redisUrl === undefined && options.redis !== undefined ? 'redis' : 'redisUrl',
      client: options.redis === undefined ? (client as never) : undefined,
      keyPrefix: options.keyPrefix,
      commandTimeoutMs: options.redisTimeoutMs,
      optional: options.redisOptional,
    });
    await backend.connect();
    return backend;
  }
  return new CacheTokenBackend(options.store ?? createCache());
}
