/** Default relayed calls a second per caller (client key, or app token) and instance. */
export const RELAY_DEFAULT_RATE_LIMIT = 200;

/**
 * A token bucket per caller: `ratePerSecond` calls a second, bursts up to one second's worth.
 * Kept per instance (a fleet of N instances allows N times as much): its job is to stop one
 * client from swamping this instance and the platform's per-app limits, not to meter billing.
 * Written here rather than taken from a package: it is a dozen lines, and the Nest throttler
 * keys by route and IP, where the relay needs the authenticated caller.
 */
export class RelayRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when `caller` may make a call now (the call is counted), else ms until it may. */
  take(caller: string): number {
    const now = this.now();
    const bucket = this.buckets.get(caller) ?? { tokens: this.ratePerSecond, at: now };
    bucket.tokens = Math.min(
      this.ratePerSecond,
      bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond,
    );
    bucket.at = now;
    this.buckets.set(caller, bucket);
    if (this.buckets.size > 10_000) this.forgetIdle(now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.ratePerSecond) * 1000);
  }

  /** Drops full buckets (callers idle for a second or more): memory stays bounded. */
  private forgetIdle(now: number): void {
    for (const [caller, bucket] of this.buckets) {
      if (now - bucket.at >= 1000) this.buckets.delete(caller);
    }
  }
}
