import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { TokenRecord } from '../core/credential-record.js';
import { parseJson } from '../core/parse-json.js';
import type { BackendState, FailoverWait, TokenBackend, TokenLease } from '../core/store.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import { isTokenRecord, recordTtlMs } from './record-ttl.js';
import { RedisSharedValues } from './redis-shared-values.js';
import type { ResolvedRedisTarget } from '../core/resolved-options.js';
import type { AnyRedisClient } from './redis-clients.js';
import { RedisConnection } from './redis-connection.js';
import { ADD_TO_COUNTER, EXTEND_LOCK, FENCED_WRITE, RELEASE_LOCK } from './redis-scripts.js';

export interface RedisTokenBackendOptions {
  /** Redis URL; or pass `target` or `client`. */
  url?: string;
  /** Which Redis: one server, a Sentinel set, a Cluster (see `resolveQingtuiOptions`). */
  target?: ResolvedRedisTarget;
  /** The option that named it, for start-up errors. @default 'redisUrl' */
  field?: string;
  /**
   * Longest wait for one Redis command. Past it the store is `degraded`: this instance serves and
   * renews on its own until a heartbeat answers in time again.
   * @default 2_000 (ms)
   */
  commandTimeoutMs?: number;
  /**
   * Start even when Redis cannot be reached (or refuses the credentials) at start-up.
   * @default false: `connect()` throws a `QingtuiConfigError` naming `redisUrl`
   */
  optional?: boolean;
  /** An existing node-redis client, RedisSentinel or RedisCluster (e.g. the one behind the application's `@keyv/redis` cache). Not closed by the backend. */
  client?: AnyRedisClient;
  /** Prefix of the pub/sub channel (`<prefix>:token-events`). */
  keyPrefix: string;
  logger?: Logger;
}

/**
 * Shares token records between instances through Redis.
 * - Records are stored in Keyv's format (`{"value": <record JSON>, "expires": ms}`, readable by a
 *   cache-manager cache over `@keyv/redis`), read with GET, written by a fenced script.
 * - Renewals take a lock (SET NX PX, owner-checked release) whose lease outlasts a renewal.
 * - Every write that went through is then published (by the client, not inside the script: a
 *   cluster behind a proxy refuses PUBLISH in Lua); the other instances reload the record at
 *   once (pub/sub) and, as a backstop against a lost message, on TokenService's periodic sweep
 *   and whenever the connection comes back or the primary changes (`onRecovered`).
 * - Every command and script touches one key, given in KEYS: it works on a Redis Cluster, where
 *   all keys of an app share the app's hash tag (see `tokenKey`).
 * - If Redis cannot be reached, every operation falls back to this process alone (degraded
 *   mode): tokens keep being served from memory and renewed with local single-flight. The
 *   transition is logged once each way, and the client reconnects by itself.
 */
export class RedisTokenBackend implements TokenBackend {
  readonly kind = 'redis' as const;
  /** Identifies this instance in lock owners and change notifications. */
  readonly instanceId = randomUUID();
  private readonly channel: string;
  private readonly conn: RedisConnection;
  private readonly local = new CacheTokenBackend();
  private readonly listeners: ((key: string) => void)[] = [];
  private readonly waiters = new Map<string, Set<() => void>>();
  private readonly watchdogs = new Set<NodeJS.Timeout>();
  readonly values: RedisSharedValues;

  constructor(options: RedisTokenBackendOptions) {
    this.channel = `${options.keyPrefix}:token-events`;
    this.conn = new RedisConnection(
      {
        target:
          options.target ??
          (options.url === undefined ? undefined : { kind: 'url', url: options.url }),
        field: options.field,
        commandTimeoutMs: options.commandTimeoutMs,
        optional: options.optional,
        client: options.client,
        channel: this.channel,
        // Its own hash tag: one slot, apart from every app's.
        markerKey: `${options.keyPrefix}:{store}:data-marker`,
        logger: options.logger ?? new Logger('QingtuiRedisStore'),
      },
      (message) => this.onMessage(message),
    );
    this.values = new RedisSharedValues(this.conn);
  }

  /** See `RedisConnection.connect`: a start-up error naming `redisUrl` unless `optional`. */
  connect(waitMs?: number): Promise<void> {
    return this.conn.connect(waitMs);
  }

  async read(key: string): Promise<TokenRecord | undefined> {
    if (!this.conn.usable()) return this.local.read(key);
    let value: unknown;
    try {
      value = valueOfEnvelope(await this.conn.run('read', () => this.conn.client.get(key)));
    } catch {
      return this.local.read(key);
    }
    const parsed = typeof value === 'string' ? parseJson(value) : value;
    if (isTokenRecord(parsed)) return parsed;
    return this.conn.isDegraded ? this.local.read(key) : undefined;
  }

  /**
   * Single-key reads sent together: node-redis pipelines the commands of one tick, so a batch
   * costs one round trip, and each `GET` goes to its own slot's node on a cluster.
   */
  readMany(keys: readonly string[]): Promise<(TokenRecord | undefined)[]> {
    return Promise.all(keys.map((key) => this.read(key)));
  }

  async write(
    key: string,
    record: TokenRecord,
    expectedGeneration: number | undefined,
  ): Promise<boolean> {
    // While Redis cannot take it, the record is kept here: reads of the outage find it. Not
    // otherwise: the engine holds every record it serves (a second copy of each app's record
    // here cost about 1.2 KB an app, for nothing).
    if (!this.conn.usable()) return this.keepLocally(key, record);
    const now = Date.now();
    const ttl = recordTtlMs(record, now);
    const payload = JSON.stringify({ value: JSON.stringify(record), expires: now + ttl });
    try {
      const written = await this.conn.run('write', () =>
        this.conn.client.eval(FENCED_WRITE, {
          keys: [key],
          arguments: [
            expectedGeneration === undefined ? '' : String(expectedGeneration),
            payload,
            String(ttl),
          ],
        }),
      );
      if (written !== 1) return false;
    } catch {
      return this.keepLocally(key, record);
    }
    // Told after the fenced write went through; a lost message is made up for by the sweep.
    try {
      await this.conn.run('publish', () =>
        this.conn.client.publish(this.channel, `${this.instanceId}|${key}`),
      );
    } catch {
      // Written all the same: the others see it on their next sweep.
    }
    return true;
  }

  async tryLock(
    key: string,
    leaseMs: number,
    failover?: FailoverWait,
  ): Promise<TokenLease | undefined> {
    if (!this.conn.usable() && !(await this.waitForStore(failover))) return this.local.tryLock();
    const owner = `${this.instanceId}:${randomUUID()}`;
    try {
      const ok = await this.conn.run('lock', () =>
        this.conn.client.set(key, owner, { NX: true, PX: leaseMs }),
      );
      if (ok !== 'OK') return undefined;
    } catch {
      return this.local.tryLock();
    }
    // Watchdog: a live holder keeps extending its short lease, so a holder that dies (SIGKILL)
    // blocks the others for at most one lease, not for the longest renewal imaginable.
    const watchdog = setInterval(
      () => {
        if (!this.conn.usable()) return;
        this.conn
          .withTimeout(
            this.conn.client.eval(EXTEND_LOCK, {
              keys: [key],
              arguments: [owner, String(leaseMs)],
            }),
          )
          .catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    watchdog.unref();
    this.watchdogs.add(watchdog);
    return {
      release: async () => {
        clearInterval(watchdog);
        this.watchdogs.delete(watchdog);
        if (!this.conn.usable()) return;
        try {
          await this.conn.withTimeout(
            this.conn.client.eval(RELEASE_LOCK, { keys: [key], arguments: [owner] }),
          );
        } catch {
          // The lease lapses by itself.
        }
      },
    };
  }

  private async keepLocally(key: string, record: TokenRecord): Promise<true> {
    await this.local.put(key, record).catch(() => undefined);
    return true;
  }

  /**
   * While the store is unreachable: waits for it as long as `failover` says (its grace into the
   * outage, at most `atMostMs`; from the moment `hurry` aborts, its shorter grace). Resolves
   * whether the store is usable again.
   */
  private async waitForStore(failover: FailoverWait | undefined): Promise<boolean> {
    if (failover === undefined) return false;
    const startedAt = Date.now();
    const { atMostMs, hurry } = failover;
    const left = (graceMs: number) =>
      Math.max(
        0,
        Math.min(atMostMs - (Date.now() - startedAt), graceMs - this.conn.degradedForMs()),
      );
    if (await this.conn.whenUsable(left(failover.graceMs), hurry?.signal)) return true;
    if (hurry === undefined || !hurry.signal.aborted) return false;
    return this.conn.whenUsable(left(hurry.graceMs));
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
    this.conn.onRecovered(listener);
  }

  /** Called once each time the store becomes degraded, and once each time it recovers. */
  onStateChange(listener: (state: BackendState, reason?: string) => void): void {
    this.conn.onStateChange(listener);
  }

  async reserveCall(key: string, intervalMs: number): Promise<number> {
    if (!this.conn.usable()) return this.local.reserveCall(key, intervalMs);
    try {
      const ok = await this.conn.run('reserve', () =>
        this.conn.client.set(key, this.instanceId, { NX: true, PX: intervalMs }),
      );
      if (ok === 'OK') return 0;
      const left = await this.conn.run('reserve', () => this.conn.client.pTTL(key));
      return left > 0 ? left : 1;
    } catch {
      return this.local.reserveCall(key, intervalMs);
    }
  }

  async addToCounter(key: string, amount: number, ttlMs: number): Promise<number> {
    // A read (amount 0) creates no local counter: most of the counters read for every app (a
    // day's "quota exhausted" mark) stay 0, and an absent one is 0 here too.
    const local =
      amount === 0
        ? (this.local.peekCounter(key) ?? 0)
        : await this.local.addToCounter(key, amount, ttlMs);
    if (!this.conn.usable()) return local;
    try {
      const value = await this.conn.run('count', () =>
        this.conn.client.eval(ADD_TO_COUNTER, {
          keys: [key],
          arguments: [String(amount), String(Math.max(1, Math.round(ttlMs)))],
        }),
      );
      const shared = Number(value);
      // The shared count wins; the local one only ever covers an outage.
      if (Number.isFinite(shared)) {
        if (shared !== 0 || amount !== 0 || this.local.peekCounter(key) !== undefined) {
          await this.local.setCounter(key, shared, ttlMs);
        }
        return shared;
      }
    } catch {
      // Counted locally; shared again when Redis answers.
    }
    return local;
  }

  state(): BackendState {
    return this.conn.state();
  }

  async close(): Promise<void> {
    for (const watchdog of this.watchdogs) clearInterval(watchdog);
    await this.conn.close();
  }

  private onMessage(message: string): void {
    const sep = message.indexOf('|');
    const from = message.slice(0, sep);
    const key = message.slice(sep + 1);
    for (const wake of [...(this.waiters.get(key) ?? [])]) wake();
    if (from === this.instanceId) return;
    for (const listener of this.listeners) listener(key);
  }
}

/**
 * The value of a Keyv envelope (`{"value": ..., "expires": ms}`, as `@keyv/redis` stores it),
 * undefined when absent, past its expiry, or not an envelope.
 */
function valueOfEnvelope(raw: string | null): unknown {
  if (raw === null) return undefined;
  const envelope = parseJson(raw) as { value?: unknown; expires?: unknown } | undefined;
  if (envelope === null || typeof envelope !== 'object' || !('value' in envelope)) return undefined;
  if (typeof envelope.expires === 'number' && envelope.expires < Date.now()) return undefined;
  return envelope.value;
}
