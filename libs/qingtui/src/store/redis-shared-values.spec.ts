import { createClient } from '@keyv/redis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QingtuiStoreError } from '../errors/qingtui-store.error.js';
import { RedisTokenBackend } from './redis-token.backend.js';

/* The shared values on a real Redis: atomic claims, compare-and-set, sliding windows. */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `shared-values-${randomUUID()}`;

describe('RedisSharedValues', () => {
  let a: RedisTokenBackend;
  let b: RedisTokenBackend;

  beforeAll(async () => {
    a = new RedisTokenBackend({ url: REDIS_URL, keyPrefix: prefix });
    b = new RedisTokenBackend({ url: REDIS_URL, keyPrefix: prefix });
    await Promise.all([a.connect(), b.connect()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(keys);
    await redis.close();
  });

  it('putIfAbsent: exactly one of 200 concurrent claims on two instances wins', async () => {
    const key = `${prefix}:claim`;
    const claims = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 === 0 ? a : b).values.putIfAbsent(key, `v${i}`, 10_000),
      ),
    );
    const winners = claims.filter((c) => c === undefined);
    expect(winners).toHaveLength(1);
    const stored = await a.values.get(key);
    expect(claims.filter((c) => c !== undefined).every((c) => c === stored)).toBe(true);
  });

  it('compareAndSet and compareAndDelete act only on the expected value', async () => {
    const key = `${prefix}:cas`;
    await a.values.putIfAbsent(key, 'one', 10_000);
    expect(await b.values.compareAndSet(key, 'other', 'two', 10_000)).toBe(false);
    expect(await b.values.compareAndSet(key, 'one', 'two', 10_000)).toBe(true);
    expect(await a.values.get(key)).toBe('two');
    expect(await a.values.compareAndDelete(key, 'one')).toBe(false);
    expect(await a.values.compareAndDelete(key, 'two')).toBe(true);
    expect(await a.values.get(key)).toBeUndefined();
  });

  it('values lapse after their TTL', async () => {
    const key = `${prefix}:ttl`;
    await a.values.putIfAbsent(key, 'x', 100);
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.values.get(key)).toBeUndefined();
  });

  it('a sliding window shared by instances: 30 places, the 31st refused until the oldest frees', async () => {
    const key = `${prefix}:window`;
    const taken = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b).values.takeFromWindow(key, 30, 1_000, `id-${i}`),
      ),
    );
    expect(taken.filter((wait) => wait === 0)).toHaveLength(30);
    const waits = taken.filter((wait) => wait > 0);
    expect(waits).toHaveLength(10);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_000);
    // Giving one back frees one place at once.
    const first = taken.findIndex((wait) => wait === 0);
    await a.values.giveBackToWindow(key, `id-${first}`);
    expect(await b.values.takeFromWindow(key, 30, 1_000, 'again')).toBe(0);
    expect(await b.values.takeFromWindow(key, 30, 1_000, 'again-2')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await b.values.takeFromWindow(key, 30, 1_000, 'later')).toBe(0);
  });

  it('an unreachable store refuses with QingtuiStoreError (no local fallback)', async () => {
    const down = new RedisTokenBackend({
      url: 'redis://127.0.0.1:1',
      keyPrefix: prefix,
      optional: true,
    });
    await down.connect(200);
    await expect(down.values.putIfAbsent(`${prefix}:x`, 'v', 1_000)).rejects.toBeInstanceOf(
      QingtuiStoreError,
    );
    await expect(down.values.takeFromWindow(`${prefix}:w`, 1, 1_000, 'i')).rejects.toBeInstanceOf(
      QingtuiStoreError,
    );
    await down.close();
  });
});
