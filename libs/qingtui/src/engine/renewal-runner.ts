import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import type { CredentialKind } from '../core/credential-kind.js';
import type { TokenRecord } from '../core/credential-record.js';
import type { RenewalReason } from '../core/credential-source.js';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import type { TokenBackend } from '../core/store.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import type { PlatformUsage } from '../quotas/platform-usage.js';
import { type AppSlot, adoptRecord, compareRecords, noteFailure, noteSuccess } from './app-slot.js';
import { LockedRenewal } from './locked-renewal.js';
import { retryDelayMs } from './renewal-hold.js';
import { RenewalReport } from './renewal-report.js';
import type { CredentialEventSink } from './credential-events.js';
import { RenewalTimers } from './renewal-timers.js';
import { StoreConvergence } from './store-convergence.js';

export interface RenewalRunnerDeps {
  options: ResolvedQingtuiOptions;
  backend: TokenBackend;
  usage: PlatformUsage;
  /** Where the kind's lifecycle events go (`tokenEvents`, `ticketEvents`). */
  events: CredentialEventSink;
  /** Where the kind's one renewal timer is registered (`RenewalTimers`). */
  scheduler: SchedulerRegistry;
  logger: Logger;
  now: () => number;
}

const noop = () => undefined;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the renewals of one credential kind: single-flight per app, bounded retries, the lock
 * and fenced write (`LockedRenewal`), adoption of what the store holds (`StoreConvergence`),
 * the hold after a failure (`noteFailure`, `holdAfter`) and the timers. The engine above asks
 * it for renewals; it never calls the engine.
 */
export class RenewalRunner {
  private readonly renewal: LockedRenewal;
  private readonly convergence: StoreConvergence;
  readonly report: RenewalReport;
  private readonly timers: RenewalTimers<AppSlot>;
  private stopped = false;

  constructor(
    private readonly kind: CredentialKind,
    private readonly deps: RenewalRunnerDeps,
  ) {
    const { backend, usage, logger, now, options } = deps;
    this.renewal = new LockedRenewal({ kind, backend, usage, logger, now, options });
    this.report = new RenewalReport(logger, deps.events, now);
    this.convergence = new StoreConvergence(backend, logger);
    this.timers = new RenewalTimers<AppSlot>(deps.scheduler, kind.name, (slot) => {
      void this.renewInBackground(slot);
    });
  }

  /** No renewal starts or is scheduled from now on. */
  stop(): void {
    this.stopped = true;
    this.timers.clear();
  }

  // ---------------------------------------------------------------- renewal

  /** Single-flight: every caller during a renewal shares its outcome. */
  flight(slot: AppSlot, reason: RenewalReason, staleToken?: string): Promise<TokenRecord> {
    if (slot.inflight === undefined) {
      const hurry = reason === 'scheduled' ? new AbortController() : undefined;
      slot.renewal = { reason, startedAt: this.deps.now(), hurry };
      const run = this.renewWithRetries(slot, reason, staleToken);
      slot.inflight = run;
      const clear = () => {
        if (slot.inflight === run) slot.inflight = undefined;
      };
      run.then(clear, (error: unknown) => {
        clear();
        // A refused forced refresh is its caller's business: the value in use is untouched.
        if (reason !== 'force') this.afterFailure(slot, error);
      });
    } else if (reason !== 'scheduled') {
      this.hurry(slot);
    }
    return slot.inflight;
  }

  /**
   * A caller waits for the renewal in flight: if it is a scheduled one waiting for an
   * unreachable store (`SCHEDULED_FAILOVER_GRACE_MS`), it waits no longer than a caller may.
   */
  hurry(slot: AppSlot): void {
    slot.renewal?.hurry?.abort();
  }

  private async renewWithRetries(
    slot: AppSlot,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenRecord> {
    // Retries inside one renewal only protect a value that still lives; without one, the hold
    // after a failure paces the attempts, so that an outage costs one call per attempt.
    const protecting = slot.record !== undefined && slot.timing.usable(slot.record);
    const attempts = protecting && reason !== 'force' ? this.deps.options.retry.attempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        // Where the platform would only answer the same value sooner (WeCom before expiry),
        // wait: at most the serving margin and one round trip after the last caller was served.
        const wait = slot.timing.fetchWaitMs(slot.record, reason);
        if (wait > 0) await sleep(wait);
        const record = await this.renewOnce(slot, reason, staleToken);
        this.afterSuccess(slot);
        return record;
      } catch (error) {
        const retryable = error instanceof QingtuiApiError && error.retryable;
        if (!retryable || attempt >= attempts || this.stopped) throw error;
        await sleep(retryDelayMs(attempt, error, this.deps.options.retry));
      }
    }
  }

  private async renewOnce(
    slot: AppSlot,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenRecord> {
    const held = await this.renewal.acquire(slot, reason, staleToken);
    if ('satisfied' in held) {
      this.adopt(slot, held.satisfied);
      return held.satisfied;
    }
    // What another instance stored meanwhile is served from now on, whatever this renewal
    // brings (a forced refresh refused by its budget, say, must not leave a killed value here).
    const { stored } = held;
    if (stored && (slot.record === undefined || compareRecords(stored, slot.record) > 0)) {
      this.adopt(slot, stored, true);
    }
    try {
      const { record, same, written, newer } = await this.renewal.complete(
        slot,
        held,
        reason,
        staleToken,
      );
      // Fenced: a newer record got there first (our lease had lapsed). Use that one.
      const fenced = !written && newer !== undefined;
      this.report.renewed(slot, record, same, reason, held.lockWaitMs, !fenced);
      const served = fenced ? newer : record;
      this.adopt(slot, served);
      return served;
    } finally {
      await held.lease.release();
    }
  }

  /** See `StoreConvergence`. */
  async reconcile(slot: AppSlot): Promise<void> {
    await this.reconcileMany([slot]);
  }

  /** `reconcile` for several slots, with one batched read of the store. */
  async reconcileMany(slots: readonly AppSlot[]): Promise<void> {
    if (this.stopped) return;
    const idle = slots.filter((slot) => slot.inflight === undefined);
    const stored = await this.convergence.checkMany(idle);
    idle.forEach((slot, i) => {
      const record = stored[i];
      // A renewal started meanwhile brings its own record.
      if (record && slot.inflight === undefined && !this.stopped) this.adopt(slot, record, true);
    });
  }

  /** Makes `record` the one handed out, and schedules its renewal. */
  private adopt(slot: AppSlot, record: TokenRecord, fromStore = false): void {
    const renewAt = adoptRecord(slot, record, fromStore);
    if (renewAt !== undefined) this.schedule(slot, renewAt);
  }

  // ---------------------------------------------------------------- failures

  private afterSuccess(slot: AppSlot): void {
    this.report.recovered(slot, slot.failures);
    noteSuccess(slot);
  }

  /** After a failed renewal: record it, hold calls back, schedule the next attempt. */
  private afterFailure(slot: AppSlot, error: unknown): void {
    if (this.stopped) return;
    const e = error instanceof QingtuiApiError ? error : undefined;
    if (e?.kind === 'quota' && e.errcode !== undefined) {
      void this.deps.usage.markExhausted(slot.app.name);
    }
    const now = this.deps.now();
    const note = noteFailure(slot, error, now, e && this.kind.minHoldMs?.(slot.app, e));
    this.report.failed(slot, error, note);
    this.schedule(slot, now + note.hold.delayMs);
  }

  // ---------------------------------------------------------------- scheduling

  schedule(slot: AppSlot, at: number): void {
    if (this.stopped) return;
    this.timers.set(slot, at);
  }

  async renewInBackground(slot: AppSlot): Promise<void> {
    if (this.stopped) return;
    if (this.deps.now() < slot.holdUntil) {
      this.schedule(slot, slot.holdUntil);
      return;
    }
    await this.flight(slot, slot.record ? 'scheduled' : 'initial').catch(noop);
  }
}
