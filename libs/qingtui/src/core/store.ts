import type { TokenRecord } from './credential-record.js';
import type { SharedValueStore } from './shared-values.js';

/** A held renewal lock. */
export interface TokenLease {
  /** Releases the lock if this holder still owns it. Never throws. */
  release(): Promise<void>;
}

/** Health of the shared store as seen from this instance. */
export type BackendState = 'ok' | 'degraded';

/** How long a lock asked for while the store is unreachable may wait for it (`tryLock`). */
export interface FailoverWait {
  /** Waits only while the store has been unreachable for less than this, ms. */
  graceMs: number;
  /** Waits at most this long, ms. */
  atMostMs: number;
  /**
   * Aborted when a caller that cannot wait that long joins the renewal (a rejected token's
   * report, an expired value): the wait then ends `graceMs` into the outage instead.
   */
  hurry?: { signal: AbortSignal; graceMs: number };
}

/**
 * Where token records live and how instances agree on who renews them.
 * The in-memory backend serves one process; the Redis backend shares the work between
 * instances. Keys come from `tokenKey()` and never contain a secret.
 */
export interface TokenBackend {
  readonly kind: 'memory' | 'redis';
  /** Identifies this instance among those sharing the store (lock owners start with it). */
  readonly instanceId?: string;
  /** Values that must be shared or refused, never kept by one process alone (`SharedValueStore`). */
  readonly values: SharedValueStore;
  /** Reads the stored record. */
  read(key: string): Promise<TokenRecord | undefined>;
  /**
   * Reads several records at once, in the order of `keys` (undefined where none is stored): one
   * round trip for a batch, with single-key commands only (pipelined `GET`s on Redis, never a
   * cross-slot `MGET`), so that it works on a Redis Cluster. Falls back per key like `read`.
   */
  readMany(keys: readonly string[]): Promise<(TokenRecord | undefined)[]>;
  /**
   * Writes `record` only if the stored generation is still `expectedGeneration` (undefined:
   * nothing stored). Returns false, writing nothing, when a newer record got there first.
   */
  write(key: string, record: TokenRecord, expectedGeneration: number | undefined): Promise<boolean>;
  /**
   * Takes the renewal lock for `leaseMs`, or returns undefined if another holder has it. With the
   * store unreachable, the lock of this process alone, after waiting for the store to come back
   * (a failover) as `failover` allows: while it has been unreachable for less than `graceMs`, and
   * `atMostMs` at most. No wait without `failover`.
   */
  tryLock(key: string, leaseMs: number, failover?: FailoverWait): Promise<TokenLease | undefined>;
  /** Resolves when `key` may have changed (another instance wrote it) or after `timeoutMs`. */
  waitForChange(key: string, timeoutMs: number): Promise<void>;
  /** Registers a listener told of every record written by another instance. */
  onRemoteChange(listener: (key: string) => void): void;
  /**
   * Reserves the next call slot of a rate-limited endpoint: returns 0 when the caller may call
   * now (and the slot is taken for `intervalMs`), or how many ms to wait before asking again.
   */
  reserveCall(key: string, intervalMs: number): Promise<number>;
  /**
   * Adds `amount` (0 to read) to a counter shared by every instance, created with a lifetime of
   * `ttlMs`; resolves to the new value. Falls back to a local count while the store is unreachable.
   */
  addToCounter(key: string, amount: number, ttlMs: number): Promise<number>;
  /** Registers a listener told when a shared store is reachable again after an outage. */
  onRecovered?(listener: () => void): void;
  /** Registers a listener told once each time a shared store becomes degraded, and once when it recovers. */
  onStateChange?(listener: (state: BackendState, reason?: string) => void): void;
  /** Current health. */
  state(): BackendState;
  close(): Promise<void>;
}
