import { Logger } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { randomUUID } from 'node:crypto';
import type { TokenRecord } from '../token/token-record.interface.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import { isTokenRecord, recordTtlMs } from './record-ttl.js';
import type { BackendState, TokenBackend, TokenLease } from './token-backend.interface.js';

type RedisClient = ReturnType<typeof createClient>;

/**
 * Fenced write. cache-manager has no compare-and-set, so the write goes through this script,
 * in the very format Keyv reads (`{"value": <record JSON>, "expires": ms}`), and tells every
 * instance about it on the same atomic step.
 * KEYS[1] token key; ARGV: expected generation ('' = nothing stored), Keyv payload, TTL ms,
 * channel, notification.
 */
const FENCED_WRITE = `
local current = redis.call('GET', KEYS[1])
if current then
  local generation = -1
  local ok, envelope = pcall(cjson.decode, current)
  if ok and type(envelope) == 'table' and type(envelope.value) == 'string' then
    local ok2, record = pcall(cjson.decode, envelope.value)
    if ok2 and type(record) == 'table' and tonumber(record.generation) then
      generation = tonumber(record.generation)
    end
  end
  if ARGV[1] == '' or tonumber(ARGV[1]) ~= generation then return 0 end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

/** Extends the lock only if this owner still holds it. */
const EXTEND_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

/** Deletes the lock only if this owner still holds it. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisTokenBackendOptions {
  /** Redis URL; or pass `client`. */
  url?: string;
  /** An existing node-redis client (e.g. the one behind the application's `@keyv/redis` cache). Not closed by the backend. */
  client?: RedisClient;
  /** Prefix of the pub/sub channel (`<prefix>:token-events`). */
  keyPrefix: string;
  logger?: Logger;
}

/**
 * Shares token records between instances through Redis.
 * - Records are read through cache-manager over `@keyv/redis`, written by a fenced script.
 * - Renewals take a lock (SET NX PX, owner-checked release) whose lease outlasts a renewal.
 * - Every write is published; the other instances reload the record at once (pub/sub) and,
 *   as a backstop against a lost message, on TokenService's periodic sweep.
 * - If Redis cannot be reached, every operation falls back to this process alone (degraded
 *   mode): tokens keep being served from memory and renewed with local single-flight. The
 *   transition is logged once each way, and the client reconnects by itself.
 */
export class RedisTokenBackend implements TokenBackend {
  readonly kind = 'redis' as const;
  private readonly logger: Logger;
  /** Identifies this instance in lock owners and change notifications. */
  readonly instanceId = randomUUID();
  private readonly channel: string;
  private readonly client: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly cache: Cache;
  private readonly local = new CacheTokenBackend();
  private readonly listeners: ((key: string) => void)[] = [];
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly recoveryListeners: (() => void)[] = [];
  private readonly ownsClient: boolean;
  private readonly watchdogs = new Set<NodeJS.Timeout>();
  private degraded = false;
  private closed = false;

  constructor(private readonly options: RedisTokenBackendOptions) {
    this.logger = options.logger ?? new Logger('QingtuiRedisStore');
    this.channel = `${options.keyPrefix}:token-events`;
    const socket = {
      connectTimeout: 2_000,
      // Keep trying forever, at most every 2 s: recovery needs no restart.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
    };
    // Fail fast while disconnected instead of queueing: a token read must never hang on Redis.
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ?? createClient({ url: options.url, socket, disableOfflineQueue: true });
    this.subscriber = this.client.duplicate();
    for (const [name, c] of [
      ['client', this.client],
      ['subscriber', this.subscriber],
    ] as const) {
      c.on('error', (error: Error) => this.markDegraded(`${name}: ${error.message}`));
      c.on('ready', () => this.markRecovered());
    }
    const keyv = new Keyv({ store: new KeyvRedis(this.client), useKeyPrefix: false });
    keyv.namespace = undefined;
    this.cache = createCache({ stores: [keyv] });
    this.cache.on('get', ({ error }) => {
      if (error) this.markDegraded(String((error as Error).message ?? error));
    });
  }

  /**
   * Connects both connections, waiting at most `waitMs`. Resolves even if Redis is down: the
   * backend is then degraded, and the clients keep reconnecting in the background.
   */
  async connect(waitMs = 2_000): Promise<void> {
    this.subscriber.on('ready', () => void this.ensureSubscribed());
    const connecting = Promise.allSettled([
      this.client.isOpen ? Promise.resolve() : this.client.connect(),
      this.subscriber.connect(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([connecting, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    if (!this.client.isReady) this.markDegraded('not connected');
    await this.ensureSubscribed();
  }

  private subscribed = false;

  private async ensureSubscribed(): Promise<void> {
    if (this.subscribed || !this.subscriber.isReady) return;
    this.subscribed = true;
    try {
      // node-redis re-subscribes by itself after a reconnection.
      await this.subscriber.subscribe(this.channel, (message) => this.onMessage(message));
    } catch (error) {
      this.subscribed = false;
      this.markDegraded(`subscribe: ${(error as Error).message}`);
    }
  }

  async read(key: string): Promise<TokenRecord | undefined> {
    if (!this.client.isReady) return this.local.read(key);
    const value = await this.cache.get<unknown>(key);
    const parsed = typeof value === 'string' ? safeParse(value) : value;
    if (isTokenRecord(parsed)) return parsed;
    return this.degraded ? this.local.read(key) : undefined;
  }

  async write(
    key: string,
    record: TokenRecord,
    expectedGeneration: number | undefined,
  ): Promise<boolean> {
    // The local copy always follows, so a Redis outage later still has something to serve.
    await this.local.put(key, record).catch(() => undefined);
    if (!this.client.isReady) return true;
    const now = Date.now();
    const ttl = recordTtlMs(record, now);
    const payload = JSON.stringify({ value: JSON.stringify(record), expires: now + ttl });
    try {
      const written = await this.client.eval(FENCED_WRITE, {
        keys: [key],
        arguments: [
          expectedGeneration === undefined ? '' : String(expectedGeneration),
          payload,
          String(ttl),
          this.channel,
          `${this.instanceId}|${key}`,
        ],
      });
      return written === 1;
    } catch (error) {
      this.markDegraded(`write: ${(error as Error).message}`);
      return true;
    }
  }

  async tryLock(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    if (!this.client.isReady) return this.local.tryLock();
    const owner = `${this.instanceId}:${randomUUID()}`;
    try {
      const ok = await this.client.set(key, owner, { NX: true, PX: leaseMs });
      if (ok !== 'OK') return undefined;
    } catch (error) {
      this.markDegraded(`lock: ${(error as Error).message}`);
      return this.local.tryLock();
    }
    // Watchdog: a live holder keeps extending its short lease, so a holder that dies (SIGKILL)
    // blocks the others for at most one lease, not for the longest renewal imaginable.
    const watchdog = setInterval(() => {
      this.client
        .eval(EXTEND_LOCK, { keys: [key], arguments: [owner, String(leaseMs)] })
        .catch(() => undefined);
    }, Math.max(50, Math.floor(leaseMs / 3)));
    watchdog.unref();
    this.watchdogs.add(watchdog);
    return {
      release: async () => {
        clearInterval(watchdog);
        this.watchdogs.delete(watchdog);
        try {
          await this.client.eval(RELEASE_LOCK, { keys: [key], arguments: [owner] });
        } catch {
          // The lease lapses by itself.
        }
      },
    };
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  onRemoteChange(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  /** Called when Redis is reachable again after an outage. */
  onRecovered(listener: () => void): void {
    this.recoveryListeners.push(listener);
  }

  async reserveCall(key: string, intervalMs: number): Promise<number> {
    if (!this.client.isReady) return this.local.reserveCall(key, intervalMs);
    try {
      const ok = await this.client.set(key, this.instanceId, { NX: true, PX: intervalMs });
      if (ok === 'OK') return 0;
      const left = await this.client.pTTL(key);
      return left > 0 ? left : 1;
    } catch (error) {
      this.markDegraded(`reserve: ${(error as Error).message}`);
      return this.local.reserveCall(key, intervalMs);
    }
  }

  state(): BackendState {
    return this.degraded || !this.client.isReady ? 'degraded' : 'ok';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const watchdog of this.watchdogs) clearInterval(watchdog);
    await Promise.allSettled([
      this.subscriber.close(),
      this.ownsClient ? this.client.close() : Promise.resolve(),
    ]);
  }

  private onMessage(message: string): void {
    const sep = message.indexOf('|');
    const from = message.slice(0, sep);
    const key = message.slice(sep + 1);
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
    if (from === this.instanceId) return;
    for (const listener of this.listeners) listener(key);
  }

  private markDegraded(reason: string): void {
    if (this.closed || this.degraded) return;
    this.degraded = true;
    this.logger.warn(
      `Redis unreachable (${reason}): serving tokens from memory and renewing locally until it is back`,
    );
  }

  private markRecovered(): void {
    if (this.closed || !this.degraded) return;
    if (!this.client.isReady || !this.subscriber.isReady) return;
    this.degraded = false;
    this.logger.log('Redis reachable again: tokens are shared and renewals coordinated again');
    for (const listener of this.recoveryListeners) listener();
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
