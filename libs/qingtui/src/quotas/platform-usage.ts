import { Logger } from '@nestjs/common';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiEvents } from '../events/qingtui-events.service.js';
import type { QuotaRules } from '../core/fetch-semantics.js';
import type { PlatformCallCounter, PlatformCallKind } from '../core/platform-calls.js';
import { messages } from '../qingtui.messages.js';
import { nextPlatformDayAt, platformDayOf } from './platform-day.js';
import type { TokenBackend } from '../core/store.js';

export type { PlatformCallKind } from '../core/platform-calls.js';
export { nextPlatformDayAt, platformDayOf } from './platform-day.js';

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
  /** The kinds of call the app's platform counts against its daily quota. */
  counted: PlatformCallKind[];
  /**
   * Calls of those kinds made today by every instance sharing the store (this process alone
   * without one): what the daily quota is compared with.
   */
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

/** Share of the quota from which a warning is logged. */
export const QUOTA_WARNING_RATIO = 0.8;
/** Share of the quota kept for renewals only (the last 10%). */
export const QUOTA_RESERVE_RATIO = 0.9;

interface AppCounts {
  day: string;
  /** How many times the platform's quota was reset today (WeChat clear_quota/v2): a new count each time. */
  epoch: number;
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
  /** Calls counted against the quota on `day`, since its `epoch`-th reset. */
  calls(day: string, epoch: number): string;
  /** Set when the platform said the quota of `day` is used up (since its `epoch`-th reset). */
  exhausted(day: string, epoch: number): string;
  /** Resets of the quota on `day`; only for platforms that have one. */
  clears?(day: string): string;
}

const UNLIMITED: QuotaRules = { counted: ['token', 'refresh', 'api'] };

/**
 * Counts the platform calls of every app per platform day and applies the daily quota as policy:
 * a warning at 80%, the last 10% kept for renewals, nothing but the current token once the quota
 * is used up (by count, or because the platform said so) until the next Beijing day.
 *
 * Counts are shared by every instance through the store (an atomic counter per app and day), so
 * that a restart or a fleet of instances does not reset what is known. Recording never waits for
 * the store: hot paths add to the local estimate and the shared total follows.
 */
export class PlatformUsage implements PlatformCallCounter {
  private readonly logger = new Logger('QingtuiQuota');
  private readonly counts = new Map<string, AppCounts>();

  /**
   * @param rules each app's quota rules, by app name (an app without rules counts every call,
   *   without a limit)
   */
  constructor(
    private readonly rules: ReadonlyMap<string, QuotaRules> = new Map(),
    private readonly store?: { backend: TokenBackend; keys: (app: string) => UsageKeys },
    private readonly now: () => number = Date.now,
    private readonly events?: QingtuiEvents,
  ) {}

  /** Counts one call. Never waits for the store. */
  record(app: string, kind: PlatformCallKind): void {
    const counts = this.current(app);
    counts[kind] += 1;
    if (!this.countsKind(app, kind)) return;
    counts.total += 1;
    this.warnIfNear(app, counts);
    if (this.store === undefined) return;
    const key = this.store.keys(app).calls(counts.day, counts.epoch);
    void this.store.backend
      .addToCounter(key, 1, this.ttl())
      .then((total) => {
        if (counts === this.counts.get(app)) counts.total = Math.max(counts.total, total);
        this.warnIfNear(app, counts);
      })
      .catch(() => undefined);
  }

  /**
   * Takes back one call recorded by `record()` that the platform surely did not charge: it never
   * reached the platform (connection refused), or the platform's front answered HTTP 5xx without
   * an errcode (the request was not handled). Counting those made the library's own count of a
   * short blip reach a free app's whole quota while the platform charged one call.
   */
  refund(app: string, kind: PlatformCallKind): void {
    const counts = this.current(app);
    if (counts[kind] > 0) counts[kind] -= 1;
    if (!this.countsKind(app, kind)) return;
    counts.total = Math.max(0, counts.total - 1);
    if (this.store === undefined) return;
    const key = this.store.keys(app).calls(counts.day, counts.epoch);
    void this.store.backend
      .addToCounter(key, -1, this.ttl())
      .then((total) => {
        if (counts === this.counts.get(app)) counts.total = Math.max(0, total);
      })
      .catch(() => undefined);
  }

  /**
   * Whether a call of `kind` for `purpose` may be made now: renewals until the quota is used up,
   * demand calls until the reserve starts; a kind the platform does not count, always.
   */
  allows(app: string, purpose: QuotaPurpose, kind: PlatformCallKind): boolean {
    if (!this.countsKind(app, kind)) return true;
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
    const key = this.store.keys(app).exhausted(counts.day, counts.epoch);
    await this.store.backend.addToCounter(key, 1, this.ttl()).catch(() => undefined);
  }

  /**
   * The platform's quota of the day was reset (WeChat clear_quota/v2): counting starts again,
   * on every instance (each moves to the new count at its next `sync`).
   */
  async cleared(app: string): Promise<void> {
    const counts = this.current(app);
    const clearsKey = this.store?.keys(app).clears?.(counts.day);
    let epoch = counts.epoch + 1;
    if (this.store !== undefined && clearsKey !== undefined) {
      epoch = await this.store.backend
        .addToCounter(clearsKey, 1, this.ttl())
        .catch(() => counts.epoch + 1);
    }
    this.restart(app, counts.day, Math.max(epoch, counts.epoch + 1));
  }

  /** Re-reads the shared counts (other instances' calls, and resets of the quota). */
  async sync(app: string): Promise<void> {
    if (this.store === undefined) return;
    let counts = this.current(app);
    const keys = this.store.keys(app);
    try {
      if (keys.clears !== undefined) {
        const epoch = await this.store.backend.addToCounter(keys.clears(counts.day), 0, this.ttl());
        if (epoch > counts.epoch && counts === this.counts.get(app)) {
          counts = this.restart(app, counts.day, epoch);
        }
      }
      const [total, exhausted] = await Promise.all([
        this.store.backend.addToCounter(keys.calls(counts.day, counts.epoch), 0, this.ttl()),
        this.store.backend.addToCounter(keys.exhausted(counts.day, counts.epoch), 0, this.ttl()),
      ]);
      if (counts !== this.counts.get(app)) return;
      if (total < counts.total || (counts.exhaustedByPlatform && exhausted === 0)) {
        await this.restore(app, counts, total, exhausted);
      }
      counts.total = Math.max(counts.total, total);
      if (exhausted > 0) counts.exhaustedByPlatform = true;
      this.warnIfNear(app, counts);
      this.noteExhausted(app, counts);
    } catch {
      // The store reports its own health; local counts stay in use.
    }
  }

  /**
   * The store holds less than this instance knows of the day (it restarted empty, or was
   * flushed): writes back what is missing, so that an instance started afterwards does not count
   * the day from 0. One instance at a time does it (a short lease), so that a fleet seeing the
   * same loss does not add it once per instance; the others adopt the restored count.
   */
  private async restore(
    app: string,
    counts: AppCounts,
    total: number,
    exhausted: number,
  ): Promise<void> {
    const backend = this.store!.backend;
    const keys = this.store!.keys(app);
    const lease = await backend.tryLock(`${keys.calls(counts.day, counts.epoch)}:restore`, 5_000);
    if (lease === undefined) return;
    // The lease is not released: it lapses, and the others read the restored count meanwhile.
    const now = await backend.addToCounter(keys.calls(counts.day, counts.epoch), 0, this.ttl());
    if (now < counts.total) {
      await backend.addToCounter(
        keys.calls(counts.day, counts.epoch),
        counts.total - now,
        this.ttl(),
      );
    }
    if (counts.exhaustedByPlatform && exhausted === 0) {
      await backend.addToCounter(keys.exhausted(counts.day, counts.epoch), 1, this.ttl());
    }
    if (total < counts.total) this.logger.warn(messages.usageRestored(app, counts.total, total));
  }

  /** Today's counts and quota state of an app. */
  get(app: string): PlatformUsageSnapshot {
    const counts = this.current(app);
    const limit = this.rulesOf(app).limit;
    return {
      day: counts.day,
      token: counts.token,
      refresh: counts.refresh,
      api: counts.api,
      counted: [...this.rulesOf(app).counted],
      total: counts.total,
      ...(limit === undefined ? {} : { limit }),
      state: this.stateOf(app, counts),
      exhaustedByPlatform: counts.exhaustedByPlatform,
      resetsAt: new Date(nextPlatformDayAt(this.now())).toISOString(),
    };
  }

  private stateOf(app: string, counts: AppCounts): QuotaState {
    if (counts.exhaustedByPlatform) return 'exhausted';
    const limit = this.rulesOf(app).limit;
    if (limit === undefined) return 'ok';
    if (counts.total >= limit) return 'exhausted';
    if (counts.total >= limit * QUOTA_RESERVE_RATIO) return 'reserve';
    if (counts.total >= limit * QUOTA_WARNING_RATIO) return 'warning';
    return 'ok';
  }

  private warnIfNear(app: string, counts: AppCounts): void {
    const limit = this.rulesOf(app).limit;
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
    const limit = this.rulesOf(app).limit;
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

  private rulesOf(app: string): QuotaRules {
    return this.rules.get(app) ?? UNLIMITED;
  }

  /** Whether the app's platform counts calls of this kind against its quota. */
  private countsKind(app: string, kind: PlatformCallKind): boolean {
    return this.rulesOf(app).counted.includes(kind);
  }

  private current(app: string): AppCounts {
    const day = platformDayOf(this.now());
    const counts = this.counts.get(app);
    return counts !== undefined && counts.day === day ? counts : this.restart(app, day, 0);
  }

  /** Starts the counts of a day (or of a day's epoch after a reset of the quota). */
  private restart(app: string, day: string, epoch: number): AppCounts {
    const counts: AppCounts = {
      day,
      epoch,
      token: 0,
      refresh: 0,
      api: 0,
      total: 0,
      exhaustedByPlatform: false,
      warned: false,
      exhaustedNoted: false,
    };
    this.counts.set(app, counts);
    return counts;
  }
}
