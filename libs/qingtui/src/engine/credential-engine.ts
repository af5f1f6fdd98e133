import type { SchedulerRegistry } from '@nestjs/schedule';
import type { Logger } from '@nestjs/common';
import type { AppCatalogue } from '../config/app-catalogue.js';
import type { CredentialKind } from '../core/credential-kind.js';
import type { TokenRecord } from '../core/credential-record.js';
import type { ResolvedApp, ResolvedQingtuiOptions } from '../core/resolved-options.js';
import type { TokenBackend } from '../core/store.js';
import { credentialKeys } from '../core/store-keys.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { messages } from '../qingtui.messages.js';
import type { PlatformUsage } from '../quotas/platform-usage.js';
import { type AppSlot, createAppSlot, heldBackError, idle, liftHold } from './app-slot.js';
import {
  type AppTokenStatus,
  infoOf,
  statusOf,
  type TokenInfo,
  unused,
} from './credential-status.js';
import { RenewalRunner } from './renewal-runner.js';
import type { CredentialEventSink } from './credential-events.js';
import { StaleReportVerifier } from './stale-report.verifier.js';
import { TokenTimingPolicy } from './token-timing.policy.js';

export interface CredentialEngineDeps {
  options: ResolvedQingtuiOptions;
  catalogue: AppCatalogue;
  backend: TokenBackend;
  usage: PlatformUsage;
  /** Where the kind's lifecycle events go (`tokenEvents`, `ticketEvents`). */
  events: CredentialEventSink;
  /** Where the kind's renewal timer is registered (one timer for all its apps). */
  scheduler: SchedulerRegistry;
  logger: Logger;
  /** The clock of every decision (epoch ms). @default Date.now */
  now?: () => number;
}

const noop = () => undefined;
/** When a caller of an app still waiting for its turn in the prefetch should come back. */
const NOT_FETCHED_RETRY_MS = 2_000;
/** Records read at once when every app is brought in line (`reconcileAll`). */
const RECONCILE_BATCH = 500;

/** The next `count` entries from `cursor` (each at most once), and the cursor after them. */
function nextInTurn<T>(list: readonly T[], cursor: number, count: number): [T[], number] {
  const n = Math.min(list.length, Math.max(0, Math.floor(count)));
  if (n === 0) return [[], cursor];
  const start = cursor % list.length;
  const end = start + n;
  const slots =
    end <= list.length
      ? list.slice(start, end)
      : [...list.slice(start), ...list.slice(0, end - list.length)];
  return [slots, end % list.length];
}
const valueOf = (record: TokenRecord) => record.accessToken;

/**
 * The lifecycle of one credential kind for every configured app (see `CredentialKind`): a
 * cache answered from memory in steady state; renewals single-flight per app, locked and fenced
 * across the instances sharing the store, timed from the kind's fetch semantics; passive
 * refresh that renews only a value the platform really refuses; bounded holds after failures;
 * quota gates; events. It orchestrates small collaborators that return results:
 * `LockedRenewal`, `StaleReportVerifier`, `holdAfter`, `TokenTimingPolicy`, `RenewalTimers`.
 */
export class CredentialEngine {
  /** The apps the kind applies to, in configuration order. */
  private readonly apps: readonly ResolvedApp[];
  /**
   * Their slots, created at an app's first use (its prefetch, a read, a report): a kind that
   * most apps never use (a JS-SDK ticket) costs them nothing.
   */
  private readonly slots = new Map<string, AppSlot>();
  /** The slots in the order they were created, for the spread sweeps' cursors. */
  private readonly slotList: AppSlot[] = [];
  /** One policy per semantics object (the platforms share one among their apps), not per app. */
  private readonly policies = new Map<object, TokenTimingPolicy>();
  private reconcileCursor = 0;
  private usageCursor = 0;
  private readonly slotsByKey = new Map<string, AppSlot>();
  private readonly runner: RenewalRunner;
  private readonly verifier: StaleReportVerifier;
  private readonly now: () => number;
  private readonly defaultApp: string;
  private readonly injectedClock?: () => number;
  private stopped = false;
  /** The start-up no longer waits for the prefetch: apps still queued answer at once. */
  private prefetchDetached = false;

  constructor(
    readonly kind: CredentialKind,
    private readonly deps: CredentialEngineDeps,
  ) {
    const { options, backend, usage, logger } = deps;
    this.now = deps.now ?? Date.now;
    this.defaultApp = options.defaultApp;
    this.injectedClock = deps.now;
    this.apps = deps.catalogue.apps().filter((app) => kind.appliesTo?.(app) !== false);
    this.runner = new RenewalRunner(kind, { ...deps, now: this.now });
    this.verifier = new StaleReportVerifier({
      probe: kind.source.probe?.bind(kind.source),
      backend,
      usage,
      logger,
      now: this.now,
    });
    // Another instance wrote a record: adopt it at once, and re-read the app's shared call
    // counts (that instance has just made a platform call).
    backend.onRemoteChange((key) => {
      const slot = this.slotsByKey.get(key);
      if (slot === undefined) return;
      void this.runner.reconcile(slot);
      void usage.sync(slot.app.name).then(() => this.liftQuotaHold(slot.app.name));
    });
    // A store that comes back (restarted empty, say) is brought in line at once.
    backend.onRecovered?.(() => void this.reconcileAll());
  }

  /** The current value of the app's credential; waits for the platform only without a valid one. */
  value(app?: string): Promise<string> {
    // The hot path, written out: one map lookup, one clock read, no closure.
    const slot = this.slots.get(app === undefined ? this.defaultApp : app);
    if (slot !== undefined) {
      const record = slot.record;
      // `Date.now()` called directly unless a clock was injected: V8 inlines it.
      const now = this.injectedClock === undefined ? Date.now() : this.injectedClock();
      if (record !== undefined && now < slot.serveUntil) {
        return Promise.resolve(record.accessToken);
      }
    }
    return this.read(app, valueOf);
  }

  /**
   * Like `value()`, with the expiry and `useUntil` (how long a holder may cache it). Asked once
   * the planned renewal is due (its timer waits a random jitter more, to spread instances),
   * it starts that renewal now: holders that cache for `useUntil` ask again within a second,
   * and get the next token rather than the same one again for the whole jitter.
   */
  info(app?: string): Promise<TokenInfo> {
    return this.read(app, (record, slot) => {
      const info = infoOf(record, slot.timing);
      const now = this.now();
      if (info.useUntil <= now && slot.inflight === undefined && now >= slot.holdUntil) {
        void this.runner.renewInBackground(slot);
      }
      return info;
    });
  }

  /**
   * A caller (or, `firstHand`, the library's own interceptor) says the platform rejected
   * `stale`. Renews only if it is still current and the rejection is confirmed (see
   * `StaleReportVerifier`). Resolves to the value to use now.
   */
  async reportStale(
    app: string | undefined,
    stale: string,
    firstHand: boolean,
    reporter: string,
  ): Promise<TokenInfo> {
    const slot = this.requireSlot(app);
    // Let a renewal that is already running finish: it may well replace the stale value.
    this.runner.hurry(slot);
    await idle(slot);
    const current = slot.record;
    if (current === undefined || !slot.timing.usable(current)) {
      const renewed = await this.getSlow(slot);
      this.runner.report.staleReported(slot, firstHand, 'already-replaced');
      return infoOf(renewed, slot.timing);
    }
    if (current.accessToken !== stale) {
      this.runner.report.staleReported(slot, firstHand, 'already-replaced');
      return infoOf(current, slot.timing);
    }
    const verdict = await this.verifier.verify(slot, stale, firstHand, reporter);
    if (verdict !== 'confirmed') {
      if (verdict === 'skipped' && this.deps.backend.kind !== 'memory')
        await this.runner.reconcile(slot);
      // Another instance may have renewed meanwhile (its store write was just adopted).
      const latest = slot.record;
      if (latest && latest.accessToken !== stale && slot.timing.usable(latest)) {
        this.runner.report.staleReported(slot, firstHand, 'already-replaced');
        return infoOf(latest, slot.timing);
      }
      this.runner.report.staleReported(slot, firstHand, 'refused');
      return infoOf(current, slot.timing);
    }
    this.deps.logger.log(messages.staleReported(slot.app.name, stale));
    if (firstHand) slot.lastRejectionRenewalAt = this.now();
    try {
      const renewed = await this.runner.flight(slot, 'stale', stale);
      this.runner.report.staleReported(slot, firstHand, 'renewed');
      return infoOf(renewed, slot.timing);
    } catch (error) {
      const record = slot.record;
      if (record && record.accessToken !== stale && this.now() < record.expiresAt) {
        return infoOf(record, slot.timing);
      }
      throw error;
    }
  }

  /** Credentials were replaced: lifts the credential back-off, and renews at once if needed. */
  credentialsChanged(app?: string): void {
    const one = app === undefined ? undefined : this.slots.get(app);
    if (app !== undefined && one === undefined) {
      // Never asked for: nothing is held back (an unknown app is still an error).
      if (!this.applies(app)) throw this.deps.catalogue.unknown(app);
      return;
    }
    const slots = one === undefined ? [...this.slots.values()] : [one];
    for (const slot of slots) {
      slot.credentialFailures = 0;
      if (slot.holdReason !== 'credentials') continue;
      liftHold(slot);
      if (!slot.record || !slot.timing.usable(slot.record)) this.runner.schedule(slot, this.now());
    }
  }

  /**
   * A forced refresh within the kind's budget (see `ForceRefreshBudget`), once no renewal is in
   * flight. A refused one leaves the value in use untouched.
   */
  async forceRefresh(app: string | undefined): Promise<TokenInfo> {
    const slot = this.requireSlot(app);
    this.runner.hurry(slot);
    await idle(slot);
    return infoOf(await this.runner.flight(slot, 'force'), slot.timing);
  }

  /** State of every app's credential, or of the apps named (unknown names are skipped). */
  status(apps?: readonly string[]): AppTokenStatus[] {
    const now = this.now();
    const listed =
      apps === undefined
        ? this.apps
        : apps.flatMap((name) => {
            const app = this.deps.catalogue.find(name);
            return app !== undefined && this.applies(app) ? [app] : [];
          });
    return listed.map((app) =>
      statusOf(this.slots.get(app.name) ?? unused(app), this.deps.usage.get(app.name), now),
    );
  }

  /** Just the state of every app's credential, in configuration order: cheap at any app count. */
  states(): { name: string; state: AppTokenStatus['state'] }[] {
    const now = this.now();
    return this.apps.map((app) => {
      const r = this.slots.get(app.name)?.record;
      const state = r === undefined ? 'missing' : now < r.expiresAt ? 'valid' : 'expired';
      return { name: app.name, state };
    });
  }

  /**
   * Fetches every app's credential, `concurrency` apps at a time (failures are held back and
   * retried in the background). An app whose value is known by then (a caller asked for it,
   * another instance's write was adopted) is skipped; one stored by another instance is adopted
   * without a platform call (`LockedRenewal.acquire` reads the store first). Each instance starts
   * at a random place in the list, so that instances starting together share the fetches
   * instead of queueing on the same locks.
   */
  async prefetch(concurrency: number): Promise<void> {
    const slots = this.apps.map((app) => this.slotFor(app));
    // More apps than fetched at once is a burst: their first renewals are spread.
    const burst = slots.length > concurrency;
    const offset = slots.length > 1 ? Math.floor(Math.random() * slots.length) : 0;
    for (const slot of slots) slot.queuedForPrefetch = true;
    let next = 0;
    const worker = async () => {
      while (next < slots.length && !this.stopped) {
        const slot = slots[(offset + next++) % slots.length];
        slot.queuedForPrefetch = false;
        if (slot.record !== undefined && slot.timing.usable(slot.record)) continue;
        if (burst) slot.spreadNextRenewal = true;
        await this.runner.flight(slot, 'initial').catch(noop);
      }
    };
    const workers = Math.max(1, Math.min(concurrency, slots.length));
    await Promise.all(Array.from({ length: workers }, worker));
    for (const slot of slots) slot.queuedForPrefetch = false;
  }

  /**
   * The start-up stops waiting for the prefetch, which goes on: from now on a read of an app
   * still waiting for its turn fails at once ("not fetched yet", retry in 2 s) instead of
   * waiting for the platform, so that no app blocks the others. Returns how many apps have a value.
   */
  detachPrefetch(): number {
    this.prefetchDetached = true;
    let fetched = 0;
    for (const slot of this.slotList) if (slot.record !== undefined) fetched += 1;
    return fetched;
  }

  /** Stops timers and waits for the renewals in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.runner.stop();
    await Promise.allSettled(
      [...this.slots.values()].flatMap((s) => (s.inflight ? [s.inflight] : [])),
    );
  }

  /**
   * Brings every app's record in line with the shared store (see `reconcile`), in batches of
   * `RECONCILE_BATCH` reads, one batch after the other: run when the store is back after an
   * outage, so that 10,000 apps converge within a second without 10,000 commands at once.
   */
  async reconcileAll(): Promise<void> {
    if (this.deps.backend.kind === 'memory') return;
    for (let i = 0; i < this.slotList.length && !this.stopped; i += RECONCILE_BATCH) {
      await this.runner.reconcileMany(this.slotList.slice(i, i + RECONCILE_BATCH));
    }
  }

  /**
   * The backstop of the store's notifications (a lost message, a FLUSHALL): re-reads the next
   * `count` records in turn, with one batched read, so that the commands a second stay the same
   * whatever the number of apps (each record is re-read every `apps / count` ticks, at most
   * once a tick).
   */
  reconcileNext(count: number): void {
    if (this.deps.backend.kind === 'memory' || this.stopped) return;
    const [slots, cursor] = nextInTurn(this.slotList, this.reconcileCursor, count);
    this.reconcileCursor = cursor;
    void this.runner.reconcileMany(slots);
  }

  /**
   * Re-reads the shared call counts of the next `count` apps in turn (other instances' business
   * calls; a renewal re-reads its app's counts first, and another instance's renewal is heard of
   * at once): a constant cost whatever the number of apps. Every app the kind applies to, not
   * only those asked for here: what this instance reports of an app (its status, its metrics)
   * is the fleet's day, even if it never served that app.
   */
  syncUsageNext(count: number): void {
    if (this.deps.backend.kind === 'memory' || this.stopped) return;
    const [apps, cursor] = nextInTurn(this.apps, this.usageCursor, count);
    this.usageCursor = cursor;
    for (const app of apps) {
      void this.deps.usage.sync(app.name).then(() => this.liftQuotaHold(app.name));
    }
  }

  /** Safety net: renews any app whose timer did not fire (in memory: no store command). */
  sweep(): void {
    const now = this.now();
    for (const slot of this.slots.values()) {
      if (slot.inflight) continue;
      const due = Math.max(
        slot.nextRenewalAt ?? (slot.record ? slot.timing.renewAt(slot.record) : now),
        slot.holdUntil,
      );
      if (now >= due + 1_000) void this.runner.renewInBackground(slot);
    }
  }

  /**
   * Lifts a hold for the quota once the quota allows renewals again (it was reset with
   * `clearQuota`, here or on another instance), and renews at once if no usable value is held.
   */
  liftQuotaHold(app: string): void {
    // An app without a slot (never asked for) holds nothing back.
    const slot = this.slots.get(app);
    if (slot === undefined) return;
    if (slot.holdReason !== 'quota' || this.now() >= slot.holdUntil) return;
    if (!this.deps.usage.allows(slot.app.name, 'renewal', this.kind.callKind)) return;
    liftHold(slot);
    if (!slot.record || !slot.timing.usable(slot.record)) this.runner.schedule(slot, this.now());
  }

  // ---------------------------------------------------------------- read path

  /** The hot path: answered from memory while the value is served; no store, no platform. */
  private read<T>(
    app: string | undefined,
    as: (record: TokenRecord, slot: AppSlot) => T,
  ): Promise<T> {
    const slot = this.slotOf(app);
    if (slot === undefined) return Promise.reject(this.deps.catalogue.unknown(app));
    const record = slot.record;
    if (record !== undefined && this.now() < slot.serveUntil) {
      return Promise.resolve(as(record, slot));
    }
    return this.getSlow(slot).then((r) => as(r, slot));
  }

  private slotOf(app: string | undefined): AppSlot | undefined {
    const name = app ?? this.defaultApp;
    const slot = this.slots.get(name);
    if (slot !== undefined) return slot;
    const configured = this.deps.catalogue.find(name);
    return configured !== undefined && this.applies(configured)
      ? this.slotFor(configured)
      : undefined;
  }

  /** Whether the kind applies to `app` (a configured app's name, or the app). */
  private applies(app: string | ResolvedApp): boolean {
    const configured = typeof app === 'string' ? this.deps.catalogue.find(app) : app;
    return configured !== undefined && this.kind.appliesTo?.(configured) !== false;
  }

  /** The slot of `app` (one the kind applies to), created at its first use. */
  private slotFor(app: ResolvedApp): AppSlot {
    const existing = this.slots.get(app.name);
    if (existing !== undefined) return existing;
    const { options } = this.deps;
    const semantics = this.kind.semanticsOf(app);
    let timing = this.policies.get(semantics);
    if (timing === undefined) {
      timing = new TokenTimingPolicy(options.refresh, semantics, this.now);
      this.policies.set(semantics, timing);
    }
    const keys = credentialKeys(options.keyPrefix, app, this.kind.name);
    const slot = createAppSlot(app, keys, timing, options.staleReportProbeTtlMs);
    this.slots.set(app.name, slot);
    this.slotList.push(slot);
    this.slotsByKey.set(keys.record, slot);
    return slot;
  }

  private requireSlot(app: string | undefined): AppSlot {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.deps.catalogue.unknown(app);
    return slot;
  }

  private heldBack(slot: AppSlot): QingtuiApiError {
    return heldBackError(slot, this.now(), this.kind.labelOf(slot.app));
  }

  private async getSlow(slot: AppSlot): Promise<TokenRecord> {
    const record = slot.record;
    const valid = record !== undefined && this.now() < record.expiresAt;
    // While calls are held back after a failure, a renewal is never started for a caller, in any
    // phase of the value's life: the background attempts go on at their own pace. A value that
    // still lives (past the point where it is handed out, but not expired) is served to its end;
    // without one, callers are answered at once (the last error, with when to come back), never
    // one platform call per request nor a wait on an attempt against a platform that may hang.
    if (this.now() < slot.holdUntil && !slot.inflight) {
      if (valid) return record;
      throw this.heldBack(slot);
    }
    if (!valid && slot.failures > 0 && slot.inflight) throw this.heldBack(slot);
    if (!valid && slot.queuedForPrefetch && this.prefetchDetached && !slot.inflight) {
      throw QingtuiApiError.heldBack({
        kind: 'transient',
        errmsg: messages.notFetchedYet(slot.app.name),
        endpoint: 'token',
        retryAfterMs: NOT_FETCHED_RETRY_MS,
        platform: this.kind.labelOf(slot.app),
      });
    }
    slot.waits += 1;
    try {
      return await this.runner.flight(slot, record ? 'expired' : 'initial');
    } catch (error) {
      // A failed renewal never fails a caller while the value it has is still accepted.
      const current = slot.record;
      if (current && this.now() < current.expiresAt) return current;
      // The failure has just held calls back: the callers that shared the attempt are told when
      // to come back (`retryAfterMs`), like every caller after them.
      if (error === slot.lastFailure && this.now() < slot.holdUntil) {
        throw this.heldBack(slot);
      }
      throw error;
    }
  }
}
