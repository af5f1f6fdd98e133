import type { PlatformCounters } from '../../shared/counters.js';
import { TicketBook } from '../../shared/ticket-book.js';
import { CallLimits } from './call-limits.js';
import { type Delivery, DeliveryLog } from './delivery-log.js';
import { MediaStore } from './media-store.js';
import { PLATFORM_ERRORS, type PlatformError, platformError } from './qingtui-errors.js';
import type { ResolvedApp, ResolvedQingtuiOptions } from './qingtui.options.js';
import { TokenAuthority } from './token-authority.js';

/** Everything the emulated Qingtui platform remembers, shared by the request handlers. */
export class QingtuiState {
  readonly tokens: TokenAuthority;
  readonly limits: CallLimits;
  readonly deliveries = new DeliveryLog();
  readonly media = new MediaStore();
  /** `/js/ticket/get` tickets. */
  readonly tickets: TicketBook;

  constructor(
    readonly options: ResolvedQingtuiOptions,
    readonly counters: PlatformCounters,
  ) {
    this.tokens = new TokenAuthority(options);
    this.limits = new CallLimits(
      options.now,
      options.tokenIntervalMs,
      options.dailyQuota,
      options.tokenIntervalRefusalsRestart,
    );
    this.tickets = new TicketBook('qingtui', options.tickets, options.now);
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

  /** Forgets tokens, limits, deliveries, media and tickets. */
  reset(): void {
    this.tokens.reset();
    this.limits.reset();
    this.deliveries.clear();
    this.media.clear();
    this.tickets.reset();
  }
}
