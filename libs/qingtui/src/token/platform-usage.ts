import { Logger } from '@nestjs/common';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiEvents } from '../events/qingtui-events.service.js';
import type { TokenBackend } from '../store/token-backend.interface.js';

/** Kinds of platform call counted against the daily quota. */
export type PlatformCallKind = 'token' | 'refresh' | 'api';

/**
 * What a call is for, which decides whether it may use the quota's reserve:
 * - `renewal`: a scheduled or cold-start renewal, or one without which no valid token exists;
 * - `demand`: anything a caller asked for on top (a passive refresh, its probe, a business call).
 */
export type QuotaPurpose = 'renewal' | 'demand';

/** Where an app stands against its daily quota. */
export type QuotaState = 'ok' | 'warning' | 'reserve' | 'exhausted';

export interface PlatformUsageSnapshot {
  /** Day the counts belong to, in China Standard Time (the platform's day), `YYYY-MM-DD`. */
  day: string;
  /** Calls made by this process today, by kind. */
  token: number;
  refresh: number;
  api: number;
  /** Calls made today by every instance sharing the store (this process alone without one). */
  total: number;
  /** The app's daily quota; absent when unlimited. */
  limit?: number;
  /** `warning` from 80% of the quota, `reserve` from 90% (demand calls refused), `exhausted`. */
  state: QuotaState;
  /** Set when the platform itself answered that the daily quota is used up. */
  exhaustedByPlatform: boolean;
  /** When the platform's day ends and the counts start again (ISO 8601). */
  resetsAt: string;
}

/** Daily quotas of the editions of seed 000. */
export const QINGTUI_EDITION_QUOTAS = {
  'free-unverified': 300,
  'free-verified': 2000,
  enterprise: undefined,
} as const;

/** Share of the quota from which a warning is logged. */
export const QUOTA_WARNING_RATIO = 0.8;
/** Share of the quota kept for renewals only (the last 10%). */
export const QUOTA_RESERVE_RATIO = 0.9;

const CST_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

/** The platform's day (Beijing time) of an instant, `YYYY-MM-DD`. */
export function platformDayOf(now: number): string {
  return new Date(now + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** Epoch ms of the next Beijing midnight. */
export function nextPlatformDayAt(now: number): number {
  return Math.floor((now + CST_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - CST_OFFSET_MS;
}

interface AppCounts {
  day: string;
  token: number;
  refresh: number;
  api: number;
  /** Best known shared total (local until the store answers). */
  total: number;
  exhaustedByPlatform: boolean;
  warned: boolean;
  /** Whether `qingtui.quota.exhausted` was fired for this day. */
  exhaustedNoted: boolean;
}

/** The store keys of one app's shared counts. */
export interface UsageKeys {
  calls(day: string): string;
  exhausted(day: string): string;
}

/**
 * Counts the platform calls of every app per platform day and applies the daily quota as policy:
 * a warning at 80%, the last 10% kept for renewals, nothing but the current token once the quota
 * is used up (by count, or because the platform said so) until the next Beijing day.
 *
 * Counts are shared by every instance through the store (an atomic counter per app and day), so
 * that a restart or a fleet of instances does not reset what is known. Recording never waits for
 * the store: hot paths add to the local estimate and the shared total follows.
 */
export class PlatformUsage {
  private readonly logger = new Logger('QingtuiQuota');
  private readonly counts = new Map<string, AppCounts>();

  constructor(
    private readonly limits: ReadonlyMap<string, number | undefined> = new Map(),
    private readonly store?: { backend: TokenBackend; keys: (app: string) => UsageKeys },
    private readonly now: () => number = Date.now,
    private readonly events?: QingtuiEvents,
  ) {}

  /** Counts one call. Never waits for the store. */
  record(app: string, kind: PlatformCallKind): void {
    const counts = this.current(app);
    counts[kind] += 1;
    counts.total += 1;
    this.warnIfNear(app, counts);
    if (this.store === undefined) return;
    const key = this.store.keys(app).calls(counts.day);
    void this.store.backend
      .addToCounter(key, 1, this.ttl())
      .then((total) => {
        if (counts === this.counts.get(app)) counts.total = Math.max(counts.total, total);
        this.warnIfNear(app, counts);
      })
      .catch(() => undefined);
  }

  /**
   * Whether a call for `purpose` may be made now: renewals until the quota is used up, demand
   * calls until the reserve starts.
   */
  allows(app: string, purpose: QuotaPurpose): boolean {
    const state = this.stateOf(app, this.current(app));
    return state === 'exhausted' ? false : purpose === 'renewal' || state !== 'reserve';
  }

  /** Ms until the counts start again. */
  msUntilReset(): number {
    return nextPlatformDayAt(this.now()) - this.now();
  }

  /**
   * The platform answered that the daily quota is used up: stop until the next day, everywhere.
   * Resolves once the other instances can read it from the store (never rejects).
   */
  async markExhausted(app: string): Promise<void> {
    const counts = this.current(app);
    if (!counts.exhaustedByPlatform) {
      this.logger.error(
        `The platform says the daily call quota of "${app}" is used up: no more token calls until ` +
          `${new Date(nextPlatformDayAt(this.now())).toISOString()}; the current token stays in use`,
      );
    }
    counts.exhaustedByPlatform = true;
    this.noteExhausted(app, counts);
    if (this.store === undefined) return;
    const key = this.store.keys(app).exhausted(counts.day);
    await this.store.backend.addToCounter(key, 1, this.ttl()).catch(() => undefined);
  }

  /** Re-reads the shared counts (other instances' calls). */
  async sync(app: string): Promise<void> {
    if (this.store === undefined) return;
    const counts = this.current(app);
    const keys = this.store.keys(app);
    try {
      const [total, exhausted] = await Promise.all([
        this.store.backend.addToCounter(keys.calls(counts.day), 0, this.ttl()),
        this.store.backend.addToCounter(keys.exhausted(counts.day), 0, this.ttl()),
      ]);
      if (counts !== this.counts.get(app)) return;
      counts.total = Math.max(counts.total, total);
      if (exhausted > 0) counts.exhaustedByPlatform = true;
      this.warnIfNear(app, counts);
      this.noteExhausted(app, counts);
    } catch {
      // The store reports its own health; local counts stay in use.
    }
  }

  /** Today's counts and quota state of an app. */
  get(app: string): PlatformUsageSnapshot {
    const counts = this.current(app);
    const limit = this.limits.get(app);
    return {
      day: counts.day,
      token: counts.token,
      refresh: counts.refresh,
      api: counts.api,
      total: counts.total,
      ...(limit === undefined ? {} : { limit }),
      state: this.stateOf(app, counts),
      exhaustedByPlatform: counts.exhaustedByPlatform,
      resetsAt: new Date(nextPlatformDayAt(this.now())).toISOString(),
    };
  }

  private stateOf(app: string, counts: AppCounts): QuotaState {
    if (counts.exhaustedByPlatform) return 'exhausted';
    const limit = this.limits.get(app);
    if (limit === undefined) return 'ok';
    if (counts.total >= limit) return 'exhausted';
    if (counts.total >= limit * QUOTA_RESERVE_RATIO) return 'reserve';
    if (counts.total >= limit * QUOTA_WARNING_RATIO) return 'warning';
    return 'ok';
  }

  private warnIfNear(app: string, counts: AppCounts): void {
    const limit = this.limits.get(app);
    if (limit === undefined || counts.total < limit * QUOTA_WARNING_RATIO) return;
    if (!counts.warned) {
      counts.warned = true;
      this.logger.warn(
        `"${app}" has used ${counts.total} of its ${limit} platform calls today (Beijing time); ` +
          `from ${Math.ceil(limit * QUOTA_RESERVE_RATIO)} only renewals may call the platform`,
      );
      this.events?.emit(QINGTUI_EVENTS.quotaWarning, this.quotaEvent(app, counts));
    }
    this.noteExhausted(app, counts);
  }

  /** Fires `qingtui.quota.exhausted` once per app and day, by count or by the platform's word. */
  private noteExhausted(app: string, counts: AppCounts): void {
    if (counts.exhaustedNoted || this.stateOf(app, counts) !== 'exhausted') return;
    counts.exhaustedNoted = true;
    this.events?.emit(QINGTUI_EVENTS.quotaExhausted, this.quotaEvent(app, counts));
  }

  private quotaEvent(app: string, counts: AppCounts) {
    const limit = this.limits.get(app);
    return {
      app,
      day: counts.day,
      used: counts.total,
      ...(limit === undefined ? {} : { limit }),
      byPlatform: counts.exhaustedByPlatform,
      resetsAt: new Date(nextPlatformDayAt(this.now())).toISOString(),
    };
  }

  private ttl(): number {
    // Kept a little past the day's end so that late readers still see the day's total.
    return this.msUntilReset() + 3_600_000;
  }

  private current(app: string): AppCounts {
    const day = platformDayOf(this.now());
    let counts = this.counts.get(app);
    if (counts === undefined || counts.day !== day) {
      counts = {
        day,
        token: 0,
        refresh: 0,
        api: 0,
        total: 0,
        exhaustedByPlatform: false,
        warned: false,
        exhaustedNoted: false,
      };
      this.counts.set(app, counts);
    }
    return counts;
  }
}
