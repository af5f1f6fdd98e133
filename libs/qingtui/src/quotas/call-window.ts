import type { TokenBackend } from '../core/store.js';
import { tokenKey } from '../core/store-keys.js';

/**
 * Calls counted in fixed windows (an hour aligned on the clock, say), shared by every instance
 * through the store's counters: a call that would pass the limit is refused before it is sent.
 * A fixed window is the platforms' documented wording ("一小时内"); WeCom does not say whether its
 * own window slides, so limits are best configured a little under the platform's.
 */
export class CallWindows {
  constructor(
    private readonly backend: TokenBackend,
    private readonly keyPrefix: string,
    private readonly namespace: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when one more call of `what` fits in `scopeId`'s current window, else ms until it ends. */
  async take(scopeId: string, what: string, limit: number, windowMs: number): Promise<number> {
    const { key, ttlMs, leftMs } = this.window(scopeId, what, windowMs);
    const count = await this.backend.addToCounter(key, 1, ttlMs);
    if (count <= limit) return 0;
    await this.backend.addToCounter(key, -1, ttlMs);
    return leftMs;
  }

  /** Gives back a call taken in the current window. */
  async giveBack(scopeId: string, what: string, windowMs: number): Promise<void> {
    const { key, ttlMs } = this.window(scopeId, what, windowMs);
    await this.backend.addToCounter(key, -1, ttlMs);
  }

  private window(scopeId: string, what: string, windowMs: number) {
    const now = this.now();
    const index = Math.floor(now / windowMs);
    const endsAt = (index + 1) * windowMs;
    return {
      key: tokenKey(this.keyPrefix, this.namespace, scopeId, `window:${what}:${index}`),
      // A little past the window's end, so that a slow instance never recreates it.
      ttlMs: endsAt - now + 60_000,
      leftMs: Math.max(1, endsAt - now),
    };
  }
}
