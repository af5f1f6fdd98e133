import { CallLimits } from './call-limits.js';
import { CounterBook } from './counters.js';
import { type Delivery, DeliveryLog } from './delivery-log.js';
import { FaultBook } from './faults.js';
import { MediaStore } from './media-store.js';
import { PLATFORM_ERRORS, type PlatformError, platformError } from './platform-errors.js';
import type { ResolvedApp, ResolvedSandboxOptions } from './sandbox.options.js';
import { TokenAuthority } from './token-authority.js';

/** Everything the emulated platform remembers, shared by the request handlers. */
export class PlatformState {
  readonly tokens: TokenAuthority;
  readonly limits: CallLimits;
  readonly counters: CounterBook;
  readonly deliveries = new DeliveryLog();
  readonly media = new MediaStore();
  readonly faults = new FaultBook();

  constructor(readonly options: ResolvedSandboxOptions) {
    this.tokens = new TokenAuthority(options);
    this.limits = new CallLimits(options.now, options.tokenIntervalMs, options.dailyQuota);
    this.counters = new CounterBook([...options.apps.keys()]);
  }

  /** A registered app. */
  app(appId: string): ResolvedApp | undefined {
    return this.options.apps.get(appId);
  }

  now(): number {
    return this.options.now();
  }

  /** Records an accepted message and counts it. */
  recordDelivery(delivery: Delivery): void {
    this.deliveries.record(delivery);
    this.counters.bump(delivery.appId, 'deliveries');
  }

  /**
   * Charges one call to the app's daily quota.
   * @returns the 45009 answer once the quota is used up, else undefined
   */
  chargeQuota(app: ResolvedApp): PlatformError | undefined {
    if (this.limits.consume(app.appId, app.edition)) return undefined;
    const quota = this.limits.quotaOf(app.edition);
    return platformError(
      PLATFORM_ERRORS.rateLimited,
      `reach max api daily quota limit (${quota} calls/day for the ${app.edition} edition)`,
    );
  }

  /** Forgets tokens, limits, counters, faults, deliveries and media. */
  reset(): void {
    this.tokens.reset();
    this.limits.reset();
    this.counters.reset();
    this.faults.clear();
    this.deliveries.clear();
    this.media.clear();
  }
}
