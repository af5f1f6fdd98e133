import KeyvRedis from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import type { ResolvedQingtuiOptions } from '../config/resolved-options.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import { RedisTokenBackend } from './redis-token.backend.js';
import type { TokenBackend } from './token-backend.interface.js';

/** The node-redis client behind a cache-manager cache built on `@keyv/redis`, if any. */
function redisClientOf(cache: Cache | undefined): KeyvRedis<unknown>['client'] | undefined {
  const adapter = cache?.stores?.[0]?.store as unknown;
  return adapter instanceof KeyvRedis ? adapter.client : undefined;
}

/**
 * Picks the backend the options ask for: Redis (shared, locked, fenced) when `redisUrl` is set
 * or the given cache is a `@keyv/redis` one; otherwise the given cache, in-memory by default.
 * Consumer mode keeps its copy of the server's tokens in process: the server coordinates.
 */
export async function createTokenBackend(options: ResolvedQingtuiOptions): Promise<TokenBackend> {
  if (options.mode === 'consumer') return new CacheTokenBackend(createCache());
  const client = redisClientOf(options.store);
  if (options.redisUrl !== undefined || client !== undefined) {
    const backend = new RedisTokenBackend({
      url: options.redisUrl,
      client: options.redisUrl === undefined ? (client as never) : undefined,
      keyPrefix: options.keyPrefix,
      commandTimeoutMs: options.redisTimeoutMs,
      optional: options.redisOptional,
    });
    await backend.connect();
    return backend;
  }
  return new CacheTokenBackend(options.store ?? createCache());
}
