import type { SharedValueStore } from '../core/shared-values.js';
import { QingtuiStoreError } from '../errors/qingtui-store.error.js';
import { redactCredentials } from './redact-credentials.js';
import type { RedisConnection } from './redis-connection.js';

/* Each script touches the one key it is given, so each works on a Redis Cluster too. */

/** KEYS[1]; ARGV: value, TTL ms. The value already there, or nil when this one was stored. */
const PUT_IF_ABSENT = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;

/** KEYS[1]; ARGV: expected, value, TTL ms. */
const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

/** KEYS[1]; ARGV: expected. */
const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

/**
 * A sliding window as a sorted set of places scored by the time they were taken, on Redis's own
 * clock (instances' clocks may differ; Redis's is one). KEYS[1]; ARGV: limit, window ms, id.
 * 0 when taken, else the ms until the oldest place frees.
 */
const TAKE_FROM_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0`;

/** KEYS[1]; ARGV: id. */
const GIVE_BACK_TO_WINDOW = `return redis.call('ZREM', KEYS[1], ARGV[1])`;

/**
 * The shared values in Redis. No local fallback (see `SharedValueStore`): while the store is
 * degraded, or when a command fails or times out, the operation rejects with `QingtuiStoreError`.
 * A command that timed out may still have been applied; callers treat that as unknown.
 */
export class RedisSharedValues implements SharedValueStore {
  constructor(private readonly conn: RedisConnection) {}

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const current = await this.command('store a value', () =>
      this.conn.client.eval(PUT_IF_ABSENT, { keys: [key], arguments: [value, ms(ttlMs)] }),
    );
    return typeof current === 'string' ? current : undefined;
  }

  async get(key: string): Promise<string | undefined> {
    const value = await this.command('read a value', () => this.conn.client.get(key));
    return typeof value === 'string' ? value : undefined;
  }

  async compareAndSet(
    key: string,
    expected: string,
    value: string,
    ttlMs: number,
  ): Promise<boolean> {
    const done = await this.command('replace a value', () =>
      this.conn.client.eval(COMPARE_AND_SET, {
        keys: [key],
        arguments: [expected, value, ms(ttlMs)],
      }),
    );
    return Number(done) === 1;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    const done = await this.command('delete a value', () =>
      this.conn.client.eval(COMPARE_AND_DELETE, { keys: [key], arguments: [expected] }),
    );
    return Number(done) === 1;
  }

  async takeFromWindow(key: string, limit: number, windowMs: number, id: string): Promise<number> {
    const wait = await this.command('count a call', () =>
      this.conn.client.eval(TAKE_FROM_WINDOW, {
        keys: [key],
        arguments: [String(limit), ms(windowMs), id],
      }),
    );
    return Number(wait);
  }

  async giveBackToWindow(key: string, id: string): Promise<void> {
    await this.command('give back a call', () =>
      this.conn.client.eval(GIVE_BACK_TO_WINDOW, { keys: [key], arguments: [id] }),
    );
  }

  private async command<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (!this.conn.usable()) throw new QingtuiStoreError(operation, 'Redis is unreachable');
    try {
      return await this.conn.run(operation, run);
    } catch (error) {
      throw new QingtuiStoreError(operation, redactCredentials((error as Error).message));
    }
  }
}

function ms(value: number): string {
  return String(Math.max(1, Math.round(value)));
}
