import type { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { ResolvedRedisTarget } from '../core/resolved-options.js';
import type { BackendState } from '../core/store.js';
import { describeRedisTarget } from '../config/redis-target.js';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { loopStall, withDeadline } from './loop-stall.js';
import { redactCredentials as redact } from './redact-credentials.js';
import {
  type AnyRedisClient,
  clientsFor,
  clientsOnSentinelPrimary,
  clientsOver,
  type StoreClients,
  type StoreRedis,
} from './redis-clients.js';

export type { RedisClient } from './redis-clients.js';

/** How often the heartbeat checks that Redis answers. */
const HEARTBEAT_MS = 1_000;
/** Least time between two fresh sets of clients for a Sentinel set or a Cluster. */
const REBUILD_EVERY_MS = 500;
/** Fresh sets being tried at once (one may hang on a primary that just died). */
const REBUILDS_AT_ONCE = 4;
/** Longest wait for a fresh set to answer. */
const REBUILD_WAIT_MS = 1_000;

export interface RedisConnectionOptions {
  /** Which Redis; or pass `client`. */
  target?: ResolvedRedisTarget;
  /** The option that named it, for start-up errors (`redisUrl`, `redis`). */
  field?: string;
  commandTimeoutMs?: number;
  optional?: boolean;
  client?: AnyRedisClient;
  /** The pub/sub channel subscribed to. */
  channel: string;
  /**
   * A key the heartbeat reads every second: gone or changed, the data went (a `FLUSHALL`, a restart
   * too quick to be seen as an outage, a failover to an empty replica), and the recovery listeners
   * re-read every record at once. Absent: no such check.
   */
  markerKey?: string;
  logger: Logger;
}

/** Lifetime of the data marker: it is set again at once when it lapses (one needless re-read). */
const MARKER_TTL_MS = 7 * 24 * 3_600_000;

/**
 * The Redis connections of the store and their health: a command client (a node-redis client,
 * `RedisSentinel` or `RedisCluster`), a subscriber, a heartbeat, command time-outs, and the
 * `degraded` state (told once each way). Knows nothing of records, locks or counters.
 *
 * A failover is survived by the client (node-redis reconnects; `RedisSentinel` follows the
 * sentinels; `RedisCluster` follows `MOVED`/`ASK`) and, for a Sentinel set or a Cluster, by this
 * class: while degraded it makes a fresh set of clients every second, which asks the sentinels
 * (or the cluster) for the topology again, and keeps the first that answers. Every return from
 * degraded, and every change of primary, tells `onRecovered`, so that records are read again
 * (a notification lost in the failover is made up for there and by the periodic sweep).
 */
export class RedisConnection {
  readonly timeoutMs: number;
  private clients: StoreClients;
  private readonly recoveryListeners: (() => void)[] = [];
  private readonly stateListeners: ((state: BackendState, reason?: string) => void)[] = [];
  private heartbeat?: NodeJS.Timeout;
  private rebuilder?: NodeJS.Timeout;
  private pinging = false;
  /** The data marker as last read (undefined until the first heartbeat). */
  private marker?: string;
  private subscribed = false;
  private lastError?: string;
  private degraded = false;
  /** A change of primary seen without an outage: tell the recovery listeners all the same. */
  private recoveryDue = false;
  private closed = false;
  /** When the store last became degraded. */
  private degradedSince = 0;
  private readonly usableWaiters = new Set<() => void>();
  private rebuilds = 0;
  private lastRebuildAt = 0;
  /** How many times the clients were replaced by a fresh set. */
  private generation = 0;

  /** @param onMessage told of every message on the channel */
  constructor(
    private readonly options: RedisConnectionOptions,
    private readonly onMessage: (message: string) => void,
  ) {
    this.timeoutMs = options.commandTimeoutMs ?? 2_000;
    loopStall.acquire();
    if (options.client !== undefined) {
      this.clients = clientsOver(options.client);
    } else if (options.target !== undefined) {
      this.clients = clientsFor(options.target);
    } else {
      throw new QingtuiConfigError(options.field ?? 'redisUrl', 'is required by the Redis store');
    }
    this.watch(this.clients);
  }

  /** The command client of the current generation. */
  get client(): StoreRedis {
    return this.clients.client;
  }

  /**
   * Connects both connections and checks that Redis answers, waiting at most `waitMs`.
   * Unless the backend is `optional`, a Redis that cannot be reached or refuses the credentials
   * (wrong password, DB out of range) is a start-up error naming `redisUrl` (or `redis`),
   * without the password. An optional backend starts degraded, and the clients keep
   * reconnecting in the background.
   */
  async connect(waitMs = Math.max(2_000, this.timeoutMs)): Promise<void> {
    const answered = await this.open(this.clients, waitMs);
    if (!answered) {
      const reason = this.lastError ?? 'no answer';
      if (!this.options.optional) {
        await this.close();
        throw new QingtuiConfigError(
          this.options.field ?? 'redisUrl',
          `does not lead to a usable Redis (${this.where()}: ${reason}). Check the host, port, ` +
            'password and database, or set redisOptional to start without it',
        );
      }
      this.markDegraded(`not connected: ${reason}`);
    }
    await this.ensureSubscribed();
    this.heartbeat = setInterval(() => this.tick(), HEARTBEAT_MS);
    this.heartbeat.unref();
    this.rebuilder = setInterval(() => {
      if (this.degraded) void this.rebuild();
    }, REBUILD_EVERY_MS);
    this.rebuilder.unref();
  }

  /** Whether commands are worth sending: connected, and not known to be frozen. */
  usable(): boolean {
    return this.clients.ready() && !this.degraded;
  }

  /** Whether a failure or a missed heartbeat marked the store degraded (until a heartbeat answers). */
  get isDegraded(): boolean {
    return this.degraded;
  }

  state(): BackendState {
    return this.degraded || !this.clients.ready() ? 'degraded' : 'ok';
  }

  /**
   * Races a Redis command against the command timeout. node-redis has no timeout on a command
   * already written to a socket whose peer stopped answering, so the late answer is dropped here.
   * The time this process's own event loop was stalled does not count (`withDeadline`): a busy
   * process is not a dead Redis.
   */
  withTimeout<T>(command: Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    command.catch(() => undefined);
    return withDeadline(command, timeoutMs);
  }

  /** Runs a command with the timeout; a failure marks the store degraded and is rethrown. */
  async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    const generation = this.generation;
    try {
      return await this.withTimeout(command());
    } catch (error) {
      if (generation === this.generation) {
        this.markDegraded(`${what}: ${redact((error as Error).message)}`);
      }
      throw error;
    }
  }

  /** How long the store has been degraded (0 when it is not). */
  degradedForMs(): number {
    return this.degraded ? Date.now() - this.degradedSince : 0;
  }

  /**
   * Resolves true as soon as the store is usable again, false after `timeoutMs` or once `signal`
   * aborts.
   */
  whenUsable(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.usable() || signal?.aborted) return Promise.resolve(this.usable());
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.usableWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(this.usable());
      };
      const timer = setTimeout(done, timeoutMs);
      this.usableWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Called when Redis is reachable again after an outage. */
  onRecovered(listener: () => void): void {
    this.recoveryListeners.push(listener);
  }

  /** Called once each time the store becomes degraded, and once each time it recovers. */
  onStateChange(listener: (state: BackendState, reason?: string) => void): void {
    this.stateListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    loopStall.release();
    clearInterval(this.rebuilder);
    for (const wake of [...this.usableWaiters]) wake();
    await closeClients(this.clients);
  }

  /** host:port of the server (or the sentinels, the cluster nodes), never a password. */
  private where(): string {
    return this.options.target === undefined
      ? 'the given client'
      : describeRedisTarget(this.options.target);
  }

  /**
   * Connects `clients` and waits for a PING through them, at most `waitMs`. Resolves whether
   * Redis answered.
   */
  private async open(
    clients: StoreClients,
    waitMs: number,
    pingMs = this.timeoutMs,
  ): Promise<boolean> {
    const { client, subscriber } = clients;
    const connecting = Promise.allSettled([
      client.isOpen ? Promise.resolve() : client.connect(),
      subscriber === client || subscriber.isOpen ? Promise.resolve() : subscriber.connect(),
    ]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([connecting, new Promise((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    if (!clients.ready()) return false;
    try {
      await this.withTimeout(clients.ping(), pingMs);
      return true;
    } catch (error) {
      this.lastError = redact((error as Error).message);
      return false;
    }
  }

  private watch(clients: StoreClients): void {
    const connections: [string, StoreRedis][] =
      clients.subscriber === clients.client
        ? [['client', clients.client]]
        : [
            ['client', clients.client],
            ['subscriber', clients.subscriber],
          ];
    for (const [name, c] of connections) {
      const failed = (error: unknown) => {
        if (clients !== this.clients) return;
        this.lastError = redact(String((error as Error)?.message ?? error));
        this.markDegraded(`${name}: ${this.lastError}`);
      };
      c.on('error', failed);
      // RedisCluster tells of its nodes' connections apart.
      if (clients.kind === 'cluster') c.on('node-error', failed);
      // A new connection is not proof enough (a frozen server accepts none, a restarted one
      // answers): the heartbeat decides, at once.
      c.on('ready', () => void this.beat());
    }
    if (clients.kind === 'sentinel') {
      clients.client.on('topology-change', (event: never) => {
        if ((event as { type?: string }).type !== 'MASTER_CHANGE') return;
        this.recoveryDue = true;
        void this.beat();
      });
    }
    clients.subscriber.on('ready', () => void this.ensureSubscribed());
  }

  /** One heartbeat: a PING. */
  private tick(): void {
    void this.beat();
  }

  /**
   * A Sentinel set or a Cluster that stays unusable may be one the clients no longer see right
   * (a primary gone, its replica promoted): a fresh set of clients asks for the topology again,
   * every half second while degraded (a few at once: one may hang on the primary that died).
   * The first that answers is kept; the old one is closed then.
   */
  private async rebuild(): Promise<void> {
    const target = this.options.target;
    if (target === undefined || target.kind === 'url' || !this.clients.owned) return;
    if (this.rebuilds >= REBUILDS_AT_ONCE || this.closed) return;
    if (Date.now() - this.lastRebuildAt < REBUILD_EVERY_MS) return;
    this.rebuilds += 1;
    this.lastRebuildAt = Date.now();
    const generation = this.generation;
    const wait = Math.min(this.timeoutMs, REBUILD_WAIT_MS);
    let fresh: StoreClients | undefined;
    try {
      fresh =
        target.kind === 'sentinel'
          ? await clientsOnSentinelPrimary(target, wait)
          : clientsFor(target);
    } finally {
      if (fresh === undefined) this.rebuilds -= 1;
    }
    if (fresh === undefined) return;
    // Errors of a set not (yet) in use are not the store's state.
    fresh.client.on('error', () => undefined);
    if (fresh.subscriber !== fresh.client) fresh.subscriber.on('error', () => undefined);
    if (fresh.kind === 'cluster') fresh.client.on('node-error', () => undefined);
    try {
      const answered = await this.open(fresh, wait, wait);
      if (!answered || this.closed || generation !== this.generation || !this.degraded) {
        destroyClients(fresh);
        return;
      }
      const old = this.clients;
      this.generation += 1;
      this.clients = fresh;
      this.watch(fresh);
      this.subscribed = false;
      await this.ensureSubscribed();
      destroyClients(old);
      // They just answered a PING (a heartbeat may still be waiting on the old ones).
      this.recoveryDue = true;
      this.markRecovered();
    } finally {
      this.rebuilds -= 1;
    }
  }

  /**
   * Liveness: one PING at a time, with the command timeout. A frozen Redis (SIGSTOP, a black-holed
   * network) keeps its TCP connection open, so only an answer tells it is alive.
   */
  private async beat(): Promise<void> {
    if (this.closed || this.pinging || !this.clients.ready()) return;
    this.pinging = true;
    const clients = this.clients;
    try {
      await this.withTimeout(clients.ping());
      if (clients !== this.clients) return;
      if (await this.dataWentAway(clients)) this.recoveryDue = true;
      if (clients !== this.clients) return;
      this.markRecovered();
    } catch (error) {
      // A PING through clients replaced meanwhile tells nothing of the current ones.
      if (clients !== this.clients) return;
      this.markDegraded(`heartbeat: ${redact((error as Error).message)}`);
    } finally {
      this.pinging = false;
    }
  }

  /**
   * Reads the data marker (setting it when missing): true when it is not the one last read, i.e.
   * the data this instance saw is gone. One `GET` a second whatever the number of apps (and a
   * `SET NX` after a loss): the cost of noticing a flush at once rather than on the slow sweep.
   */
  private async dataWentAway(clients: StoreClients): Promise<boolean> {
    const key = this.options.markerKey;
    if (key === undefined) return false;
    let seen = await this.withTimeout(clients.client.get(key));
    if (seen === null) {
      await this.withTimeout(
        clients.client.set(key, randomUUID(), { NX: true, PX: MARKER_TTL_MS }),
      );
      seen = await this.withTimeout(clients.client.get(key));
    }
    const known = this.marker;
    this.marker = seen ?? undefined;
    return known !== undefined && seen !== known;
  }

  private async ensureSubscribed(): Promise<void> {
    const { subscriber } = this.clients;
    if (this.subscribed || !this.clients.ready()) return;
    this.subscribed = true;
    try {
      // node-redis re-subscribes by itself after a reconnection (RedisSentinel on the new
      // primary, RedisCluster on another node); a fresh set of clients subscribes here.
      await this.withTimeout(
        subscriber.subscribe(this.options.channel, (message) => this.onMessage(message)),
      );
    } catch (error) {
      this.subscribed = false;
      this.markDegraded(`subscribe: ${redact((error as Error).message)}`);
    }
  }

  private markDegraded(reason: string): void {
    if (this.closed || this.degraded) return;
    this.degraded = true;
    this.degradedSince = Date.now();
    this.options.logger.warn(
      `Redis unreachable (${reason}): serving tokens from memory and renewing locally until it is back`,
    );
    for (const listener of this.stateListeners) listener('degraded', redact(reason));
  }

  private markRecovered(): void {
    if (this.closed || (!this.degraded && !this.recoveryDue)) return;
    if (!this.clients.ready()) return;
    this.recoveryDue = false;
    if (this.degraded) {
      this.degraded = false;
      this.options.logger.log(
        'Redis reachable again: tokens are shared and renewals coordinated again',
      );
      for (const listener of this.stateListeners) listener('ok');
    }
    for (const wake of [...this.usableWaiters]) wake();
    for (const listener of this.recoveryListeners) listener();
  }
}

async function closeClients(clients: StoreClients): Promise<void> {
  const { client, subscriber } = clients;
  await Promise.allSettled([
    // The subscriber is always the store's own, unless it is the given client itself.
    subscriber !== client ? subscriber.close() : Promise.resolve(),
    clients.owned ? client.close() : Promise.resolve(),
  ]);
}

function destroyClients(clients: StoreClients): void {
  for (const c of new Set([clients.client, clients.subscriber])) {
    try {
      // RedisSentinel's destroy() returns a promise.
      Promise.resolve(c.destroy() as unknown).catch(() => undefined);
    } catch {
      // already closed
    }
  }
}
