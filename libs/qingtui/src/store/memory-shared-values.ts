import type { SharedValueStore } from '../core/shared-values.js';

/** Writes between two sweeps of everything lapsed: the maps stay bounded by what is live. */
const SWEEP_EVERY_WRITES = 1_000;

/** The shared values of one process (the memory backend, and tests). */
export class MemorySharedValues implements SharedValueStore {
  private readonly values = new Map<string, { value: string; until: number }>();
  private readonly windows = new Map<string, { at: number; id: string }[]>();
  /** Longest window seen: a window key whose places are all older than this is dead. */
  private longestWindowMs = 0;
  private writes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Keys held (values and windows), lapsed ones included until the next sweep. */
  get size(): number {
    return this.values.size + this.windows.size;
  }

  putIfAbsent(key: string, value: string, ttlMs: number): Promise<string | undefined> {
    const current = this.live(key);
    if (current !== undefined) return Promise.resolve(current);
    this.wrote();
    this.values.set(key, { value, until: this.now() + ttlMs });
    return Promise.resolve(undefined);
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.live(key));
  }

  compareAndSet(key: string, expected: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key) !== expected) return Promise.resolve(false);
    this.wrote();
    this.values.set(key, { value, until: this.now() + ttlMs });
    return Promise.resolve(true);
  }

  compareAndDelete(key: string, expected: string): Promise<boolean> {
    if (this.live(key) !== expected) return Promise.resolve(false);
    this.values.delete(key);
    return Promise.resolve(true);
  }

  takeFromWindow(key: string, limit: number, windowMs: number, id: string): Promise<number> {
    const now = this.now();
    this.longestWindowMs = Math.max(this.longestWindowMs, windowMs);
    this.wrote();
    const places = (this.windows.get(key) ?? []).filter((place) => place.at > now - windowMs);
    if (places.length >= limit) {
      this.windows.set(key, places);
      return Promise.resolve(Math.max(1, places[0].at + windowMs - now));
    }
    places.push({ at: now, id });
    this.windows.set(key, places);
    return Promise.resolve(0);
  }

  giveBackToWindow(key: string, id: string): Promise<void> {
    const places = this.windows.get(key);
    if (places !== undefined) {
      const index = places.findIndex((place) => place.id === id);
      if (index >= 0) places.splice(index, 1);
      if (places.length === 0) this.windows.delete(key);
    }
    return Promise.resolve();
  }

  /**
   * Every `SWEEP_EVERY_WRITES` writes, drops what has lapsed (a key written once and never read
   * again would otherwise stay for the life of the process): amortised O(1) per write.
   */
  private wrote(): void {
    if (++this.writes < SWEEP_EVERY_WRITES) return;
    this.writes = 0;
    const now = this.now();
    for (const [key, entry] of this.values) if (entry.until <= now) this.values.delete(key);
    for (const [key, places] of this.windows) {
      if (places.every((place) => place.at <= now - this.longestWindowMs)) this.windows.delete(key);
    }
  }

  private live(key: string): string | undefined {
    const entry = this.values.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= this.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry.value;
  }
}
