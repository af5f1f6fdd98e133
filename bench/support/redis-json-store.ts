import { peerRequire } from '../workers/peer-require.js';

/** The part of an ioredis client the stores use. */
interface IoRedis {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ...args: (string | number)[]): Promise<unknown>;
  exists(key: string): Promise<number>;
  del(...keys: string[]): Promise<number>;
  keys(pattern: string): Promise<string[]>;
  quit(): Promise<unknown>;
}

type IoRedisConstructor = new (url: string, options: Record<string, unknown>) => IoRedis;

/**
 * String values in the shared Redis under this run's key prefix, with ioredis (the client
 * node-easywechat's README uses for its Redis cache). The peers' hooks are thin adapters on it.
 */
export class RedisJsonStore {
  private constructor(
    private readonly redis: IoRedis,
    private readonly prefix: string,
  ) {}

  static open(peersDir: string, redisUrl: string, prefix: string): RedisJsonStore {
    const Redis = peerRequire(peersDir)('ioredis') as IoRedisConstructor;
    return new RedisJsonStore(new Redis(redisUrl, { maxRetriesPerRequest: 1 }), prefix);
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(this.key(key));
  }

  async set(key: string, value: string, ttlSeconds = 0): Promise<void> {
    if (ttlSeconds > 0) await this.redis.set(this.key(key), value, 'EX', ttlSeconds);
    else await this.redis.set(this.key(key), value);
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.exists(this.key(key))) > 0;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  /** Deletes every key of this run (any of its processes may do it; DEL is idempotent). */
  async clear(): Promise<void> {
    const keys = await this.redis.keys(`${this.prefix}:*`);
    if (keys.length > 0) await this.redis.del(...keys);
  }

  async quit(): Promise<void> {
    await this.redis.quit();
  }

  private key(key: string): string {
    return `${this.prefix}:${key}`;
  }
}
