import type { Logger } from '@nestjs/common';
import KeyvRedis, { createClient } from '@keyv/redis';
import { createCache, type Cache } from 'cache-manager';
import { Keyv } from 'keyv';
import type { BackendState } from '../core/store.js';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { loopStall, withDeadline } from './loop-stall.js';
import { redactCredentials as redact } from './redact-credentials.js';

export type RedisClient = ReturnType<typeof createClient>;

/** How often the heartbeat checks that Redis answers. */
const HEARTBEAT_MS = 1_000;

export interface RedisConnectionOptions {
  url?: string;
  commandTimeoutMs?: number;
  optional?: boolean;
  client?: RedisClient;
  /** The pub/sub channel subscribed to. */
  channel: string;
  logger: Logger;
}

/**
 * The Redis connections of the store and their health: a command client (with cache-manager over
 * `@keyv/redis` on it), a subscriber, a heartbeat, command time-outs, and the `degraded` state
 * (told once each way). Knows nothing of records, locks or counters.
 */
export class RedisConnection {
  readonly client: RedisClient;
  readonly cache: Cache;
  readonly timeoutMs: number;
  private readonly subscriber: RedisClient;
  private readonly ownsClient: boolean;
  private readonly recoveryListeners: (() => void)[] = [];
  private readonly stateListeners: ((state: BackendState, reason?: string) => void)[] = [];
  private heartbeat?: NodeJS.Timeout;
  private pinging = false;
  private subscribed = false;
  private lastError?: string;
  private degraded = false;
  private closed = false;

  /** @param onMessage told of every message on the channel */
  constructor(
    private readonly options: RedisConnectionOptions,
    private readonly onMessage: (message: string) => void,
  ) {
    this.timeoutMs = options.commandTimeoutMs ?? 2_000;
    loopStall.acquire();
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

  /** Whether commands are worth sending: connected, and not known to be frozen. */
  usable(): boolean {
    return this.client.isReady && !this.degraded;
  }

  /** Whether a failure or a missed heartbeat marked the store degraded (until a heartbeat answers). */
  get isDegraded(): boolean {
    return this.degraded;
  }

  state(): BackendState {
    return this.degraded || !this.client.isReady ? 'degraded' : 'ok';
  }

  /**
   * Races a Redis command against the command timeout. node-redis has no timeout on a command
   * already written to a socket whose peer stopped answering, so the late answer is dropped here.
   * The time this process's own event loop was stalled does not count (`withDeadline`): a busy
   * process is not a dead Redis.
   */
  withTimeout<T>(command: Promise<T>): Promise<T> {
    command.catch(() => undefined);
    return withDeadline(command, this.timeoutMs);
  }

  /** Runs a command with the timeout; a failure marks the store degraded and is rethrown. */
  async run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await this.withTimeout(command());
    } catch (error) {
      this.markDegraded(`${what}: ${redact((error as Error).message)}`);
      throw error;
    }
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
    await Promise.allSettled([
      this.subscriber.close(),
      this.ownsClient ? this.client.close() : Promise.resolve(),
    ]);
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

  private async ensureSubscribed(): Promise<void> {
    if (this.subscribed || !this.subscriber.isReady) return;
    this.subscribed = true;
    try {
      // node-redis re-subscribes by itself after a reconnection.
      await this.subscriber.subscribe(this.options.channel, (message) => this.onMessage(message));
    } catch (error) {
      this.subscribed = false;
      this.markDegraded(`subscribe: ${(error as Error).message}`);
    }
  }

  private markDegraded(reason: string): void {
    if (this.closed || this.degraded) return;
    this.degraded = true;
    this.options.logger.warn(
      `Redis unreachable (${reason}): serving tokens from memory and renewing locally until it is back`,
    );
    for (const listener of this.stateListeners) listener('degraded', redact(reason));
  }

  private markRecovered(): void {
    if (this.closed || !this.degraded) return;
    if (!this.client.isReady || !this.subscriber.isReady) return;
    this.degraded = false;
    this.options.logger.log(
      'Redis reachable again: tokens are shared and renewals coordinated again',
    );
    for (const listener of this.stateListeners) listener('ok');
    for (const listener of this.recoveryListeners) listener();
  }
}
