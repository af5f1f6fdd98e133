/**
 * Small values shared by every instance through the store, for the records that must never fall
 * back to one process's memory: idempotency records of message sends, and sliding windows of
 * calls (WeCom's per-member message limits). Unlike token records, these have no local fallback:
 * while a shared store is unreachable every method rejects with a `QingtuiStoreError`, so that a
 * caller refuses the work instead of doing it twice. The memory backend holds them in the process.
 */
export interface SharedValueStore {
  /**
   * Stores `value` under `key` for `ttlMs` if nothing is stored there; resolves to undefined when
   * it stored it, else to the value already there (left as it is).
   */
  putIfAbsent(key: string, value: string, ttlMs: number): Promise<string | undefined>;
  /** The value stored under `key`, if any. */
  get(key: string): Promise<string | undefined>;
  /** Replaces the value under `key` with `value` (for `ttlMs`) only if it is still `expected`. */
  compareAndSet(key: string, expected: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes the value under `key` only if it is still `expected`. */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  /**
   * Takes one place, named `id`, in the sliding window `key` (`limit` places per `windowMs`,
   * measured on the store's clock): resolves to 0 when taken, else to the ms until the oldest
   * place frees (nothing taken).
   */
  takeFromWindow(key: string, limit: number, windowMs: number, id: string): Promise<number>;
  /** Gives back the place `id` taken in the window `key`. */
  giveBackToWindow(key: string, id: string): Promise<void>;
}
