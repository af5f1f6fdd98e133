import { createCache, type Cache } from 'cache-manager';
import { parseJson } from '../core/parse-json.js';
import type { TokenRecord } from '../core/credential-record.js';
import { isTokenRecord, recordTtlMs } from './record-ttl.js';
import type { BackendState, TokenBackend, TokenLease } from '../core/store.js';
import { MemorySharedValues } from './memory-shared-values.js';

const NO_LEASE: TokenLease = { release: () => Promise.resolve() };

/**
 * One-process backend over a cache-manager `Cache` (in-memory unless the application passes
 * its own cache). Renewals are already serialised per app by TokenService's single-flight,
 * so the lock is a formality and the fenced write is a read-compare-write.
 */
export class CacheTokenBackend implements TokenBackend {
  readonly kind = 'memory' as const;
  private readonly nextCallAt = new Map<string, number>();
  private readonly counters = new Map<string, { value: number; until: number }>();
  readonly values: MemorySharedValues;

  constructor(
    private readonly cache: Cache = createCache(),
    private readonly now: () => number = Date.now,
  ) {
    this.values = new MemorySharedValues(now);
  }

  async read(key: string): Promise<TokenRecord | undefined> {
    const value = await this.cache.get<unknown>(key);
    const parsed = typeof value === 'string' ? parseJson(value) : value;
    return isTokenRecord(parsed) ? { ...parsed } : undefined;
  }

  readMany(keys: readonly string[]): Promise<(TokenRecord | undefined)[]> {
    return Promise.all(keys.map((key) => this.read(key)));
  }

  async write(
    key: string,
    record: TokenRecord,
    expectedGeneration: number | undefined,
  ): Promise<boolean> {
    const current = await this.read(key);
    if (current !== undefined && current.generation !== expectedGeneration) return false;
    await this.put(key, record);
    return true;
  }

  /** Stores `record` unconditionally. */
  async put(key: string, record: TokenRecord): Promise<void> {
    await this.cache.set(key, JSON.stringify(record), recordTtlMs(record, this.now()));
  }

  tryLock(): Promise<TokenLease | undefined> {
    return Promise.resolve(NO_LEASE);
  }

  waitForChange(_key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, timeoutMs));
  }

  onRemoteChange(): void {
    // One process: there is no other writer.
  }

  reserveCall(key: string, intervalMs: number): Promise<number> {
    const now = this.now();
    const next = this.nextCallAt.get(key) ?? 0;
    if (now < next) return Promise.resolve(next - now);
    this.nextCallAt.set(key, now + intervalMs);
    return Promise.resolve(0);
  }

  addToCounter(key: string, amount: number, ttlMs: number): Promise<number> {
    const now = this.now();
    const current = this.counters.get(key);
    const live = current !== undefined && now < current.until ? current : undefined;
    const value = (live?.value ?? 0) + amount;
    this.counters.set(key, { value, until: live?.until ?? now + ttlMs });
    return Promise.resolve(value);
  }

  /** A counter's value without touching it: undefined when it was never counted (or lapsed). */
  peekCounter(key: string): number | undefined {
    const current = this.counters.get(key);
    return current !== undefined && this.now() < current.until ? current.value : undefined;
  }

  /** Sets a counter to a value read from a shared store. */
  setCounter(key: string, value: number, ttlMs: number): Promise<void> {
    const current = this.counters.get(key);
    this.counters.set(key, { value, until: current?.until ?? this.now() + ttlMs });
    return Promise.resolve();
  }

  state(): BackendState {
    return 'ok';
  }

  async close(): Promise<void> {
    // The cache belongs to whoever created it.
  }
}
