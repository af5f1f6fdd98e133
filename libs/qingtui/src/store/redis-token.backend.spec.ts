import { createClient } from '@keyv/redis';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { TokenRecord } from '../core/credential-record.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import { RedisTokenBackend } from './redis-token.backend.js';
import { tokenKey } from '../core/store-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const backends: RedisTokenBackend[] = [];

const prefixes = new Set<string>();

async function backend(prefix: string): Promise<RedisTokenBackend> {
  prefixes.add(prefix);
  const b = new RedisTokenBackend({ url: REDIS_URL, keyPrefix: prefix });
  await b.connect();
  backends.push(b);
  return b;
}

/** An optional Redis store pointed at a port nothing listens on: degraded from the start. */
async function unreachableOptional(prefix: string): Promise<RedisTokenBackend> {
  const b = new RedisTokenBackend({
    url: 'redis://127.0.0.1:1',
    keyPrefix: prefix,
    optional: true,
  });
  backends.push(b);
  await b.connect();
  return b;
}

function record(generation: number, token = `tok-${generation}`): TokenRecord {
  const now = Date.now();
  return {
    accessToken: token,
    issuedAt: now,
    expiresAt: now + 60_000,
    generation,
    origin: 'credentials',
  };
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(keys);
  }
  await redis.close();
  prefixes.clear();
});

describe('RedisTokenBackend (real Redis)', () => {
  it('fences writes: a write based on an old generation is refused', async () => {
    const prefix = `test-${randomUUID()}`;
    const key = tokenKey(prefix, 'qingtui', 'app', 'token');
    const a = await backend(prefix);
    expect(await a.write(key, record(1), undefined)).toBe(true);
    expect(await a.write(key, record(2), 1)).toBe(true);
    // A slow renewal that started from generation 1 must not overwrite generation 2.
    expect(await a.write(key, record(2, 'late'), 1)).toBe(false);
    expect(await a.write(key, record(1, 'fresh-start'), undefined)).toBe(false);
    expect((await a.read(key))?.accessToken).toBe('tok-2');
    expect(a.state()).toBe('ok');
  });

  it('grants the lock to one holder and releases only the owner', async () => {
    const prefix = `test-${randomUUID()}`;
    const key = tokenKey(prefix, 'qingtui', 'app', 'lock');
    const [a, b] = [await backend(prefix), await backend(prefix)];
    const lease = await a.tryLock(key, 5_000);
    expect(lease).toBeDefined();
    expect(await b.tryLock(key, 5_000)).toBeUndefined();
    await lease!.release();
    const second = await b.tryLock(key, 5_000);
    expect(second).toBeDefined();
    await lease!.release(); // a stale release must not free b's lock
    expect(await a.tryLock(key, 5_000)).toBeUndefined();
    await second!.release();
  });

  it("keeps a live holder's lease, and lets a dead holder's lease lapse", async () => {
    const prefix = `test-${randomUUID()}`;
    const key = tokenKey(prefix, 'qingtui', 'app', 'lock');
    const [a, b] = [await backend(prefix), await backend(prefix)];
    expect(await a.tryLock(key, 150)).toBeDefined();
    await new Promise((r) => setTimeout(r, 400));
    expect(await b.tryLock(key, 150)).toBeUndefined(); // extended by a's watchdog
    await a.close(); // the holder dies without releasing
    await new Promise((r) => setTimeout(r, 250));
    expect(await b.tryLock(key, 150)).toBeDefined();
  });

  it('spaces reserved calls across instances', async () => {
    const prefix = `test-${randomUUID()}`;
    const key = tokenKey(prefix, 'qingtui', 'app', 'token-call');
    const [a, b] = [await backend(prefix), await backend(prefix)];
    expect(await a.reserveCall(key, 2_000)).toBe(0);
    const wait = await b.reserveCall(key, 2_000);
    expect(wait).toBeGreaterThan(1_500);
    expect(wait).toBeLessThanOrEqual(2_000);
  });

  it('tells other instances about a write, and wakes waiters', async () => {
    const prefix = `test-${randomUUID()}`;
    const key = tokenKey(prefix, 'qingtui', 'app', 'token');
    const [a, b] = [await backend(prefix), await backend(prefix)];
    const seen: string[] = [];
    b.onRemoteChange((k) => seen.push(k));
    const ownSeen: string[] = [];
    a.onRemoteChange((k) => ownSeen.push(k));
    const started = Date.now();
    const waiting = b.waitForChange(key, 5_000);
    await a.write(key, record(1), undefined);
    await waiting;
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([key]);
    expect(ownSeen).toEqual([]);
  });

  it('publishes from the client once a fenced write went through, and never for a refused one', async () => {
    const prefix = `test-${randomUUID()}`;
    const key = tokenKey(prefix, 'qingtui', 'app', 'token');
    const a = await backend(prefix);
    const listener = createClient({ url: REDIS_URL });
    await listener.connect();
    const messages: string[] = [];
    await listener.subscribe(`${prefix}:token-events`, (m) => messages.push(m));
    try {
      expect(await a.write(key, record(1), undefined)).toBe(true);
      expect(await a.write(key, record(2), 7)).toBe(false);
      expect(await a.write(key, record(2), undefined)).toBe(false);
      await new Promise((r) => setTimeout(r, 100));
      expect(messages).toEqual([`${a.instanceId}|${key}`]);
      // Keyv's envelope, as a cache-manager cache over @keyv/redis reads it.
      const raw = JSON.parse(
        (await listener
          .duplicate()
          .connect()
          .then(async (c) => {
            try {
              return await c.get(key);
            } finally {
              c.destroy();
            }
          }))!,
      ) as { value: string; expires: number };
      expect(JSON.parse(raw.value)).toMatchObject({ accessToken: 'tok-1', generation: 1 });
      expect(raw.expires).toBeGreaterThan(Date.now());
    } finally {
      listener.destroy();
    }
  });

  it('refuses to start when Redis cannot be used, naming redisUrl without the password', async () => {
    const b = new RedisTokenBackend({
      url: 'redis://user:s3cret-pass@127.0.0.1:1/0',
      keyPrefix: `test-${randomUUID()}`,
    });
    const error = await b.connect().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/"redisUrl" does not lead to a usable Redis \(127\.0\.0\.1:1/);
    expect(error?.message).not.toContain('s3cret-pass');
  });

  it('reports degraded and falls back to memory when an optional Redis cannot be reached', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = await unreachableOptional(prefix);
    const key = tokenKey(prefix, 'qingtui', 'app', 'token');
    expect(b.state()).toBe('degraded');
    expect(await b.write(key, record(1), undefined)).toBe(true);
    expect((await b.read(key))?.accessToken).toBe('tok-1');
    expect(await b.tryLock(key, 1_000)).toBeDefined();
  });

  it('keeps a local copy of a record or a counter only where an outage needs one', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = await backend(prefix);
    const local = (b as unknown as { local: CacheTokenBackend }).local;
    const key = tokenKey(prefix, 'qingtui', 'app', 'token');
    // Written to Redis: the engine holds the record it serves, no second copy here.
    expect(await b.write(key, record(1), undefined)).toBe(true);
    expect(await local.read(key)).toBeUndefined();
    // A counter read that finds nothing creates nothing; one counted is mirrored (an outage
    // later counts on from it).
    const marks = `${prefix}:{qingtui:app}:quota-exhausted:2026-12-07`;
    const calls = `${prefix}:{qingtui:app}:calls:2026-12-07`;
    expect(await b.addToCounter(marks, 0, 60_000)).toBe(0);
    expect(local.peekCounter(marks)).toBeUndefined();
    expect(await b.addToCounter(calls, 2, 60_000)).toBe(2);
    expect(await b.addToCounter(calls, 0, 60_000)).toBe(2);
    expect(local.peekCounter(calls)).toBe(2);
  });

  it('waits for an unreachable store as long as the failover wait says, less once hurried', async () => {
    const prefix = `test-${randomUUID()}`;
    const b = await unreachableOptional(prefix);
    expect(b.state()).toBe('degraded');
    const key = tokenKey(prefix, 'qingtui', 'app', 'lock');
    const timed = async (
      wait: Parameters<RedisTokenBackend['tryLock']>[2],
      hurry?: { controller: AbortController; afterMs: number },
    ) => {
      const startedAt = Date.now();
      if (hurry) setTimeout(() => hurry.controller.abort(), hurry.afterMs);
      const lease = await b.tryLock(key, 1_000, wait);
      expect(lease).toBeDefined(); // the instance's own, the store being unreachable
      await lease?.release();
      return Date.now() - startedAt;
    };
    // Capped by atMostMs, whatever the grace.
    const capped = await timed({ graceMs: 60_000, atMostMs: 600 });
    expect(capped).toBeGreaterThanOrEqual(550);
    expect(capped).toBeLessThan(3_000);
    // A grace already past: no wait.
    expect(await timed({ graceMs: 0, atMostMs: 60_000 })).toBeLessThan(200);
    // Hurried 300 ms in: the shorter grace (already past here) ends the wait at once.
    const first = new AbortController();
    const hurried = await timed(
      { graceMs: 60_000, atMostMs: 60_000, hurry: { signal: first.signal, graceMs: 0 } },
      { controller: first, afterMs: 300 },
    );
    expect(hurried).toBeGreaterThanOrEqual(250);
    expect(hurried).toBeLessThan(2_000);
    // Hurried to a grace that is still running: it waits for that one.
    const second = new AbortController();
    const outageMs = Date.now() - startedOutage(b);
    const shortened = await timed(
      {
        graceMs: 60_000,
        atMostMs: 60_000,
        hurry: { signal: second.signal, graceMs: outageMs + 1_000 },
      },
      { controller: second, afterMs: 100 },
    );
    expect(shortened).toBeGreaterThanOrEqual(900);
    expect(shortened).toBeLessThan(3_000);
  }, 15_000);
});

/** When the backend's store became unreachable (epoch ms), from its own account. */
function startedOutage(b: RedisTokenBackend): number {
  return Date.now() - (b as unknown as { conn: { degradedForMs(): number } }).conn.degradedForMs();
}
