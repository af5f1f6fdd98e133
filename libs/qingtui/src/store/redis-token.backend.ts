import { Logger } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import { randomUUID } from 'node:crypto';
import type { TokenRecord } from '../core/credential-record.js';
import { CacheTokenBackend } from './memory-token.backend.js';
import { isTokenRecord, recordTtlMs } from './record-ttl.js';
import type { BackendState, TokenBackend, TokenLease } from '../core/store.js';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { redactCredentials as redact } from './redact-credentials.js';

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

/** Adds to a counter and, the first time, sets when it lapses. KEYS[1]; ARGV: amount, TTL ms. */
const ADD_TO_COUNTER = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

/** Deletes the lock only if this owner still holds it. */
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisTokenBackendOptions {
  /** Redis URL; or pass `client`. */
  url?: string;
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
  private readonly stateListeners: ((state: BackendState, reason?: string) => void)[] = [];
  private readonly ownsClient: boolean;
  private readonly watchdogs = new Set<NodeJS.Timeout>();
  private readonly timeoutMs: number;
  private heartbeat?: NodeJS.Timeout;
  private pinging = false;
  private lastError?: string;
  private degraded = false;
  private closed = false;

  constructor(private readonly options: RedisTokenBackendOptions) {
    this.logger = options.logger ?? new Logger('QingtuiRedisStore');
    this.timeoutMs = options.commandTimeoutMs ?? 2_000;
    this.channel = `${options.keyPrefix}:token-events`;
    const socket = {
      connectTimeout: 2_000,
      // Keep trying forever, at most every 0.5 s: recovery needs no restart, and instances converge soon after Redis is back.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 500),
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
      c.on('error', (error: Error) => {
        this.lastError = redact(error.message);
        this.markDegraded(`${name}: ${this.lastError}`);
      });
      // A new connection is not proof enough (a frozen server accepts none, a restarted one
      // answers): the heartbeat decides, at once.
      c.on('ready', () => void this.beat());
    }
    const keyv = new Keyv({ store: new KeyvRedis(this.client), useKeyPrefix: false });
    keyv.namespace = undefined;
    this.cache = createCache({ stores: [keyv] });
    this.cache.on('get', ({ error }) => {
      if (error) this.markDegraded(String((error as Error).message ?? error));
    });
  }

  /**
   * Connects both connections and checks that Redis answers, waiting at most `waitMs`.
   * Unless the backend is `optional`, a Redis that cannot be reached or refuses the credentials
   * (wrong password, DB out of range) is a start-up error naming `redisUrl`, without the password.
   * An optional backend starts degraded, and the clients keep reconnecting in the background.
   */
  async connect(waitMs = Math.max(2_000, this.timeoutMs)): Promise<void> {
    this.subscriber.on('ready', () => void this.ensureSubscribed());
    const connecting = Promise.allSettled([
      this.client.isOpen ? Promise.resolve() : this.client.connect(),
      this.subscriber.connect(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([connecting, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    let answered = false;
    if (this.client.isReady) {
      try {
        await this.withTimeout(this.client.ping());
        answered = true;
      } catch (error) {
        this.lastError = redact((error as Error).message);
      }
    }
    if (!answered) {
      const reason = this.lastError ?? 'no answer';
      if (!this.options.optional) {
        await this.close();
        throw new QingtuiConfigError(
          'redisUrl',
          `does not lead to a usable Redis (${this.where()}: ${reason}). Check the host, port, ` +
            'password and database, or set redisOptional to start without it',
        );
      }
      this.markDegraded(`not connected: ${reason}`);
    }
    await this.ensureSubscribed();
    this.heartbeat = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** host:port of the server, never its password. */
  private where(): string {
    const url = this.options.url;
    if (url === undefined) return 'the given client';
    try {
      const parsed = new URL(url);
      return `${parsed.hostname}:${parsed.port || 6379}`;
    } catch {
      return 'the configured URL';
    }
  }

  /**
   * Liveness: one PING at a time, with the command timeout. A frozen Redis (SIGSTOP, a black-holed
   * network) keeps its TCP connection open, so only an answer tells it is alive.
   */
  private async beat(): Promise<void> {
    if (this.closed || this.pinging || !this.client.isReady) return;
    this.pinging = true;
    try {
      await this.withTimeout(this.client.ping());
      this.markRecovered();
    } catch (error) {
      this.markDegraded(`heartbeat: ${redact((error as Error).message)}`);
    } finally {
      this.pinging = false;
    }
  }

  /** Whether commands are worth sending: connected, and not known to be frozen. */
  private usable(): boolean {
    return this.client.isReady && !this.degraded;
  }

  /**
   * Races a Redis command against the command timeout. node-redis has no timeout on a command
   * already written to a socket whose peer stopped answering, so the late answer is dropped here.
   */
  private withTimeout<T>(command: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    command.catch(() => undefined);
    return Promise.race([command, timeout]).finally(() => clearTimeout(timer));
  }

  /** Runs a command with the timeout; a failure marks the store degraded and is rethrown. */
  private async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await this.withTimeout(command());
    } catch (error) {
      this.markDegraded(`${what}: ${redact((error as Error).message)}`);
      throw error;
    }
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
    if (!this.usable()) return this.local.read(key);
    let value: unknown;
    try {
      value = await this.run('read', () => this.cache.get<unknown>(key));
    } catch {
      return this.local.read(key);
    }
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
    if (!this.usable()) return true;
    const now = Date.now();
    const ttl = recordTtlMs(record, now);
    const payload = JSON.stringify({ value: JSON.stringify(record), expires: now + ttl });
    try {
      const written = await this.run('write', () =>
        this.client.eval(FENCED_WRITE, {
          keys: [key],
          arguments: [
            expectedGeneration === undefined ? '' : String(expectedGeneration),
            payload,
            String(ttl),
            this.channel,
            `${this.instanceId}|${key}`,
          ],
        }),
      );
      return written === 1;
    } catch {
      return true;
    }
  }

  async tryLock(key: string, leaseMs: number): Promise<TokenLease | undefined> {
    if (!this.usable()) return this.local.tryLock();
    const owner = `${this.instanceId}:${randomUUID()}`;
    try {
      const ok = await this.run('lock', () =>
        this.client.set(key, owner, { NX: true, PX: leaseMs }),
      );
      if (ok !== 'OK') return undefined;
    } catch {
      return this.local.tryLock();
    }
    // Watchdog: a live holder keeps extending its short lease, so a holder that dies (SIGKILL)
    // blocks the others for at most one lease, not for the longest renewal imaginable.
    const watchdog = setInterval(
      () => {
        if (!this.usable()) return;
        this.withTimeout(
          this.client.eval(EXTEND_LOCK, { keys: [key], arguments: [owner, String(leaseMs)] }),
        ).catch(() => undefined);
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    watchdog.unref();
    this.watchdogs.add(watchdog);
    return {
      release: async () => {
        clearInterval(watchdog);
        this.watchdogs.delete(watchdog);
        if (!this.usable()) return;
        try {
          await this.withTimeout(
            this.client.eval(RELEASE_LOCK, { keys: [key], arguments: [owner] }),
          );
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

  /** Called once each time the store becomes degraded, and once each time it recovers. */
  onStateChange(listener: (state: BackendState, reason?: string) => void): void {
    this.stateListeners.push(listener);
  }

  async reserveCall(key: string, intervalMs: number): Promise<number> {
    if (!this.usable()) return this.local.reserveCall(key, intervalMs);
    try {
      const ok = await this.run('reserve', () =>
        this.client.set(key, this.instanceId, { NX: true, PX: intervalMs }),
      );
      if (ok === 'OK') return 0;
      const left = await this.run('reserve', () => this.client.pTTL(key));
      return left > 0 ? left : 1;
    } catch {
      return this.local.reserveCall(key, intervalMs);
    }
  }

  async addToCounter(key: string, amount: number, ttlMs: number): Promise<number> {
    const local = await this.local.addToCounter(key, amount, ttlMs);
    if (!this.usable()) return local;
    try {
      const value = await this.run('count', () =>
        this.client.eval(ADD_TO_COUNTER, {
          keys: [key],
          arguments: [String(amount), String(Math.max(1, Math.round(ttlMs)))],
        }),
      );
      const shared = Number(value);
      // The shared count wins; the local one only ever covers an outage.
      if (Number.isFinite(shared)) {
        await this.local.setCounter(key, shared, ttlMs);
        return shared;
      }
    } catch {
      // Counted locally; shared again when Redis answers.
    }
    return local;
  }

  state(): BackendState {
    return this.degraded || !this.client.isReady ? 'degraded' : 'ok';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
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
    for (const listener of this.stateListeners) listener('degraded', redact(reason));
  }

  private markRecovered(): void {
    if (this.closed || !this.degraded) return;
    if (!this.client.isReady || !this.subscriber.isReady) return;
    this.degraded = false;
    this.logger.log('Redis reachable again: tokens are shared and renewals coordinated again');
    for (const listener of this.stateListeners) listener('ok');
    for (const listener of this.recoveryListeners) listener();
  }
}

/** How often the heartbeat checks that Redis answers. */
const HEARTBEAT_MS = 1_000;

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
