import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ResolvedApp, ResolvedQingtuiOptions } from '../config/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import { eventPlatformOf } from '../events/event-platform.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import type { QingtuiStaleTokenReportedEvent } from '../events/qingtui-events.interface.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { findPlatform } from '../platforms/platforms.registry.js';
import {
  QINGTUI_PLATFORM_USAGE,
  QINGTUI_RESOLVED_OPTIONS,
  QINGTUI_TOKEN_BACKEND,
  QINGTUI_TOKEN_SOURCE,
} from '../qingtui.constants.js';
import { messages } from '../qingtui.messages.js';
import type { BackendState, TokenBackend, TokenLease } from './backends/token-backend.interface.js';
import { appKey } from './backends/token-keys.js';
import { ForceRefreshBudget } from './force-refresh.budget.js';
import { nextPlatformDayAt, PlatformUsage, type PlatformUsageSnapshot } from './platform-usage.js';
import type { TokenRecord } from './token-record.interface.js';
import type { ProbeVerdict, RenewalReason, TokenSource } from './token-source.interface.js';
import { RejectionCheck } from './rejection-check.js';
import { TokenTimingPolicy } from './token-timing.policy.js';

/** A token and when it stops being accepted. */
export interface TokenInfo {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Options of a passive refresh report. */
export interface StaleReportOptions {
  /**
   * Who reports (a client key's label, say; never a secret). It only picks which of the token's
   * two probe schedules the report falls under (reporters already told "still accepted", or
   * not yet told: see `RejectionCheck`); both are kept per token, so that no number of
   * reporters can spend more probes.
   */
  reporter?: string;
}

/** Options of a forced refresh. */
export interface ForceRefreshOptions {
  /**
   * Also retire the token that was current before the call, as the platform advises for a
   * leaked token: a second forced refresh once `forceRefreshMinIntervalMs` (30 s) has passed,
   * so the call takes that long and uses two of the day's forced refreshes. Without it, the
   * previous token may keep working until the next forced refresh or its own expiry (the
   * platform's documents support no stronger promise).
   * @default false
   */
  retirePrevious?: boolean;
}

/** Token state of one app, for health checks and dashboards. Holds no secret. */
export interface AppTokenStatus {
  name: string;
  /** The app's platform: `qingtui`, `wechat-mp`, `wecom`. */
  platform: string;
  /** Its public id on the platform: the AppID, or WeCom's `corpId/agentId`. */
  appId: string;
  state: 'valid' | 'expired' | 'missing';
  /** When the current token was obtained (ISO 8601). */
  issuedAt?: string;
  expiresAt?: string;
  nextRenewalAt?: string;
  generation?: number;
  origin?: string;
  renewing: boolean;
  consecutiveFailures: number;
  /** `getToken` calls that had to wait for the platform since start-up. */
  callersWaited: number;
  lastError?: { kind: string; errcode?: number; errmsg: string; at: string };
  /**
   * Set while platform calls for this app are held back: after a failed renewal (`failure`),
   * refused credentials (`credentials`, backing off up to an hour) or a used-up daily quota
   * (`quota`, until the next Beijing day). Callers get the valid token, or a fast error.
   */
  heldBack?: { reason: HoldReason; until: string };
  /** Today's platform calls and where they stand against the daily quota. */
  platformCallsToday: PlatformUsageSnapshot;
}

/** Why platform calls for an app are held back. */
export type HoldReason = 'failure' | 'credentials' | 'quota';

/** Per-app state. `record` is the in-process layer that keeps hot reads off the store. */
interface AppSlot {
  readonly app: ResolvedApp;
  readonly key: string;
  readonly lockKey: string;
  /** When its token is renewed and handed out, from its platform's semantics. */
  readonly timing: TokenTimingPolicy;
  record?: TokenRecord;
  /** Epoch ms until which `record` is handed out without any check. */
  serveUntil: number;
  inflight?: Promise<TokenRecord>;
  /** Why and since when the current (or last) renewal runs: told to the events. */
  renewal?: { reason: RenewalReason; startedAt: number };
  failures: number;
  /** `getToken` calls that had to wait for a renewal (cold start, or no valid token known). */
  waits: number;
  lastError?: AppTokenStatus['lastError'];
  nextRenewalAt?: number;
  /** No platform call before this instant (circuit, credential back-off, quota). */
  holdUntil: number;
  holdReason?: HoldReason;
  credentialFailures: number;
  /** What the last failure was, so that a state is logged once, not at every attempt. */
  failureState?: string;
  /** When reports of its current token are checked with a probe (keyed by token). */
  readonly rejections: RejectionCheck;
  probing?: Promise<ProbeVerdict | 'skipped'>;
  /** The error of the last failed renewal, repeated to callers while calls are held back. */
  lastFailure?: QingtuiApiError;
  /** When a renewal was last started on a rejection the platform itself reported. */
  lastRejectionRenewalAt: number;
  /** The last token whose reported rejection the quota's reserve left unchecked (logged once). */
  uncheckedToken?: string;
}

/** How long a report waits for another instance's renewal after that instance's probe. */
const SKIPPED_PROBE_WAIT_MS = 1_000;
/** Between two renewals on a platform's rejection, a new rejection is checked with a probe. */
const REJECTION_RENEWAL_SPACING_MS = 10_000;
/**
 * Pace of attempts while no valid token exists: a few seconds apart, and never under the 2 s
 * spacing of `/v1/token` calls (so that an attempt never waits for its slot).
 */
const OUTAGE_RETRY_MIN_MS = 2_000;
const OUTAGE_RETRY_MAX_MS = 5_000;
/** Back-off of refused credentials: from 30 s, doubling, up to an hour. */
const CREDENTIAL_BACKOFF_MIN_MS = 30_000;
const CREDENTIAL_BACKOFF_MAX_MS = 3_600_000;

const noop = () => undefined;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Owns the access_token of every configured app.
 *
 * - `getToken()` answers from memory in steady state; the platform is awaited only on a cold
 *   start or when no valid token is known.
 * - Renewals are single-flight per app (and, with Redis, locked and fenced across instances),
 *   scheduled at a fraction of each token's own `expires_in`, with a periodic sweep as a
 *   safety net. The old token is served until the new one is stored.
 * - `refreshIfCurrent()` is the passive refresh: it renews only if the rejected token is still
 *   the current one, and only once the platform confirms the rejection, so no caller can make
 *   the app spend platform calls on a token the platform still accepts.
 * - Failures cost bounded calls: after a failed renewal, calls are held back (a few seconds
 *   while no valid token exists, exponentially up to an hour for refused credentials, until the
 *   next day for a used-up quota) and callers get the valid token or a fast error.
 */
@Injectable()
export class TokenService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QingtuiTokenService');
  private readonly slots = new Map<string, AppSlot>();
  private readonly slotsByKey = new Map<string, AppSlot>();
  private readonly defaultSlot: AppSlot;
  private readonly timerPrefix = `qingtui:${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private readonly events: QingtuiEvents;
  private readonly forceBudget: ForceRefreshBudget;
  private destroyed = false;

  constructor(
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Inject(QINGTUI_TOKEN_BACKEND) private readonly backend: TokenBackend,
    @Inject(QINGTUI_TOKEN_SOURCE) private readonly source: TokenSource,
    private readonly scheduler: SchedulerRegistry,
    @Inject(QINGTUI_PLATFORM_USAGE) private readonly usage: PlatformUsage,
    @Optional() events?: QingtuiEvents,
  ) {
    this.events = events ?? new QingtuiEvents((app) => eventPlatformOf(options, app));
    for (const app of options.apps) {
      const slot: AppSlot = {
        app,
        key: appKey(options.keyPrefix, app, 'token'),
        lockKey: appKey(options.keyPrefix, app, 'lock'),
        timing: new TokenTimingPolicy(options.refresh, app.semantics),
        serveUntil: 0,
        failures: 0,
        waits: 0,
        holdUntil: 0,
        credentialFailures: 0,
        lastRejectionRenewalAt: 0,
        rejections: new RejectionCheck(options.staleReportProbeTtlMs),
      };
      this.slots.set(app.name, slot);
      this.slotsByKey.set(slot.key, slot);
    }
    this.defaultSlot = this.slots.get(options.defaultApp)!;
    // The lease covers one HTTP call and the wait for a /v1/token slot; a live holder extends
    // it (the Redis backend runs a watchdog), so a dead one blocks the others only this long.
    this.leaseMs = options.httpTimeoutMs + 3_000;
    this.forceBudget = new ForceRefreshBudget(backend, options.keyPrefix);
    backend.onRemoteChange((key) => {
      const slot = this.slotsByKey.get(key);
      if (slot) void this.reconcile(slot);
    });
    // A store that comes back (restarted empty, say) is brought in line at once.
    backend.onRecovered?.(() => {
      for (const slot of this.slots.values()) void this.reconcile(slot);
    });
  }

  /**
   * Returns a valid access_token of the app (the default app when `app` is omitted).
   * Never waits for the platform while a valid token is known.
   */
  getToken(app?: string): Promise<string> {
    const slot = this.slotOf(app);
    if (slot === undefined) return Promise.reject(this.unknownApp(app));
    const record = slot.record;
    if (record !== undefined && Date.now() < slot.serveUntil) {
      return Promise.resolve(record.accessToken);
    }
    return this.getSlow(slot).then((r) => r.accessToken);
  }

  /** Like `getToken()`, with the token's expiry. */
  getTokenInfo(app?: string): Promise<TokenInfo> {
    const slot = this.slotOf(app);
    if (slot === undefined) return Promise.reject(this.unknownApp(app));
    const record = slot.record;
    if (record !== undefined && Date.now() < slot.serveUntil) {
      return Promise.resolve(infoOf(record));
    }
    return this.getSlow(slot).then(infoOf);
  }

  /**
   * Passive refresh: a caller says the platform rejected `staleToken`. If it is no longer the
   * current token, the current one is returned at no cost. If it is, the rejection is confirmed
   * first with one cheap platform read (its answer remembered for `staleReportProbeTtlMs`):
   * only a token the platform really refuses is renewed. Resolves to the token to use now.
   */
  async refreshIfCurrent(
    app: string | undefined,
    staleToken: string,
    options: StaleReportOptions = {},
  ): Promise<string> {
    return (await this.refreshInfoIfCurrent(app, staleToken, options)).accessToken;
  }

  /** Like `refreshIfCurrent()`, with the token's expiry. */
  refreshInfoIfCurrent(
    app: string | undefined,
    staleToken: string,
    options: StaleReportOptions = {},
  ): Promise<TokenInfo> {
    return this.onStaleReport(app, staleToken, false, options.reporter ?? '');
  }

  /**
   * @internal The library's own HTTP interceptor saw the platform reject `staleToken`: that is
   * first-hand evidence, so the token is renewed without a probe, unless such a renewal already
   * ran in the last few seconds (then a probe decides, so that a mistaken errcode cannot loop).
   */
  renewRejected(app: string | undefined, staleToken: string): Promise<string> {
    return this.onStaleReport(app, staleToken, true).then((i) => i.accessToken);
  }

  /**
   * Tells the service that an app's credentials were replaced (a rotated AppSecret): lifts the
   * credential back-off and, if no valid token is held, tries again at once.
   */
  credentialsChanged(app?: string): void {
    const slots = app === undefined ? [...this.slots.values()] : [this.slotOf(app)];
    for (const slot of slots) {
      if (slot === undefined) throw this.unknownApp(app);
      slot.credentialFailures = 0;
      if (slot.holdReason !== 'credentials') continue;
      slot.holdUntil = 0;
      slot.holdReason = undefined;
      if (!slot.record || !slot.timing.usable(slot.record)) this.schedule(slot, Date.now());
    }
  }

  /**
   * Forced refresh (WeChat stable_token `force_refresh`): the platform issues a new token, which
   * every instance serves within milliseconds. Never done by the library itself (the passive
   * refresh uses normal mode). What happens to the previous token is the platform's: its
   * advice for a leaked token is two forced refreshes 30 s apart, which implies one call may
   * leave the previous token working; `{ retirePrevious: true }` makes that second call, so
   * that the token current before the call is dead when the promise resolves, whichever way
   * the platform behaves. Budgeted across every instance sharing the store:
   * `forceRefreshDailyLimit` a day (20), `forceRefreshMinIntervalMs` apart (30 s); a call
   * outside the budget is refused without any platform call (`QingtuiApiError` of kind
   * `rate-limit` or `quota`, with `retryAfterMs`). Resolves to the new token.
   * @throws QingtuiError for an app whose platform has no forced refresh
   */
  async forceRefresh(app?: string, options: ForceRefreshOptions = {}): Promise<TokenInfo> {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.unknownApp(app);
    const rules = slot.app.semantics.forceRefresh;
    if (rules === undefined || this.options.mode !== 'central') {
      throw new QingtuiError(messages.noForceRefresh(slot.app.name, slot.app.label));
    }
    while (slot.inflight) await slot.inflight.catch(noop);
    const first = infoOf(await this.flight(slot, 'force'));
    if (options.retirePrevious !== true) return first;
    // The second call retires the token that was current before the first. Another instance's
    // forced refresh in between moves the spacing on: wait for it, a few times at most.
    let waitMs = rules.minIntervalMs;
    for (let attempt = 0; ; attempt++) {
      await delay(waitMs);
      await this.idle(slot);
      try {
        return infoOf(await this.flight(slot, 'force'));
      } catch (error) {
        const tooSoon = error instanceof QingtuiApiError && error.kind === 'rate-limit';
        if (!tooSoon || attempt >= 2) throw error;
        waitMs = Math.max(1, error.retryAfterMs ?? rules.minIntervalMs);
      }
    }
  }

  /**
   * Resets the app's daily call quota on the platform (WeChat `clear_quota/v2`, with the
   * AppSecret; it works even once the token quota is used up, 10 times a month including resets
   * made in the console). Never called by the library itself. On success the library's own
   * count of the day starts again on every instance, and token calls held back for the quota
   * resume.
   * @throws QingtuiError for an app whose platform has no quota reset
   * @throws QingtuiApiError when the platform refuses (48006: this month's resets are used up)
   */
  async clearQuota(app?: string): Promise<void> {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.unknownApp(app);
    if (!slot.app.semantics.clearQuota || this.source.clearQuota === undefined) {
      throw new QingtuiError(messages.noClearQuota(slot.app.name, slot.app.label));
    }
    await this.source.clearQuota(slot.app);
    await this.usage.cleared(slot.app.name);
    this.logger.warn(messages.quotaCleared(slot.app.name));
    this.liftQuotaHold(slot);
  }

  /** Resolves once no renewal of the slot is in flight. */
  private async idle(slot: { inflight?: Promise<unknown> }): Promise<void> {
    while (slot.inflight) await slot.inflight.catch(noop);
  }

  /** Names of the configured apps; the first is the default. */
  appNames(): string[] {
    return [...this.slots.keys()];
  }

  /** Whether `app` is configured. */
  hasApp(app: string): boolean {
    return this.slots.has(app);
  }

  /** The platform of a configured app (`qingtui`, `wechat-mp`, `wecom`). */
  platformOf(app?: string): string {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.unknownApp(app);
    return slot.app.platform;
  }

  /** Today's platform calls of an app and its quota state (China Standard Time day). */
  platformUsage(app?: string): PlatformUsageSnapshot {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.unknownApp(app);
    return this.usage.get(slot.app.name);
  }

  /**
   * Which store is in use, its health (`degraded` while a shared store is unreachable), and this
   * instance's id among those sharing it.
   */
  storeInfo(): { kind: 'memory' | 'redis'; state: BackendState; instanceId?: string } {
    return {
      kind: this.backend.kind,
      state: this.backend.state(),
      instanceId: this.backend.instanceId,
    };
  }

  /** Token state of every app. */
  status(): AppTokenStatus[] {
    const now = Date.now();
    return [...this.slots.values()].map((slot) => {
      const r = slot.record;
      return {
        name: slot.app.name,
        platform: slot.app.platform,
        appId: slot.app.appId,
        state: r === undefined ? 'missing' : now < r.expiresAt ? 'valid' : 'expired',
        issuedAt: r ? new Date(r.issuedAt).toISOString() : undefined,
        expiresAt: r ? new Date(r.expiresAt).toISOString() : undefined,
        nextRenewalAt: slot.nextRenewalAt ? new Date(slot.nextRenewalAt).toISOString() : undefined,
        generation: r?.generation,
        origin: r?.origin,
        renewing: slot.inflight !== undefined,
        consecutiveFailures: slot.failures,
        callersWaited: slot.waits,
        lastError: slot.lastError,
        heldBack:
          slot.holdReason && now < slot.holdUntil
            ? { reason: slot.holdReason, until: new Date(slot.holdUntil).toISOString() }
            : undefined,
        platformCallsToday: this.usage.get(slot.app.name),
      };
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.prefetch) return;
    await Promise.all(
      [...this.slots.values()].map(async (slot) => {
        try {
          await this.flight(slot, 'initial');
        } catch {
          // Logged, held back and retried by the failure handling of the flight.
        }
      }),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    for (const name of this.scheduler.getIntervals()) {
      if (name.startsWith(this.timerPrefix)) this.scheduler.deleteInterval(name);
    }
    for (const name of this.scheduler.getTimeouts()) {
      if (name.startsWith(this.timerPrefix)) this.scheduler.deleteTimeout(name);
    }
    await Promise.allSettled(
      [...this.slots.values()].flatMap((s) => (s.inflight ? [s.inflight] : [])),
    );
    await this.backend.close();
  }

  // ---------------------------------------------------------------- read path

  private slotOf(app: string | undefined): AppSlot | undefined {
    return app === undefined ? this.defaultSlot : this.slots.get(app);
  }

  private async getSlow(slot: AppSlot): Promise<TokenRecord> {
    const record = slot.record;
    const valid = record !== undefined && Date.now() < record.expiresAt;
    // While calls are held back after a failure, a renewal is never started for a caller, in any
    // phase of the token's life: the background attempts go on at their own pace. A token that
    // still lives (past the point where it is handed out, but not expired) is served to its end;
    // without one, callers are answered at once (the last error, with when to come back), never
    // one platform call per request nor a wait on an attempt against a platform that may hang.
    if (Date.now() < slot.holdUntil && !slot.inflight) {
      if (valid) return record;
      throw this.heldBackError(slot);
    }
    if (!valid && slot.failures > 0 && slot.inflight) throw this.heldBackError(slot);
    slot.waits += 1;
    try {
      return await this.flight(slot, record ? 'expired' : 'initial');
    } catch (error) {
      // A failed renewal never fails a caller while the token it has is still accepted.
      const current = slot.record;
      if (current && Date.now() < current.expiresAt) return current;
      // The failure has just held calls back: the callers that shared the attempt are told when
      // to come back (`retryAfterMs`), like every caller after them.
      if (error === slot.lastFailure && Date.now() < slot.holdUntil) throw this.heldBackError(slot);
      throw error;
    }
  }

  // ---------------------------------------------------------------- passive refresh

  private async onStaleReport(
    app: string | undefined,
    staleToken: string,
    firstHand: boolean,
    reporter = '(interceptor)',
  ): Promise<TokenInfo> {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.unknownApp(app);
    // Let a renewal that is already running finish: it may well replace the stale token.
    while (slot.inflight) await slot.inflight.catch(noop);
    const current = slot.record;
    if (current === undefined || !slot.timing.usable(current)) {
      const renewed = await this.getSlow(slot);
      this.reported(slot, firstHand, 'already-replaced');
      return infoOf(renewed);
    }
    if (current.accessToken !== staleToken) {
      this.reported(slot, firstHand, 'already-replaced');
      return infoOf(current);
    }

    if (!(await this.rejectionConfirmed(slot, staleToken, firstHand, reporter))) {
      // Another instance may have renewed meanwhile (its store write was just adopted).
      const latest = slot.record;
      if (latest && latest.accessToken !== staleToken && slot.timing.usable(latest)) {
        this.reported(slot, firstHand, 'already-replaced');
        return infoOf(latest);
      }
      this.reported(slot, firstHand, 'refused');
      return infoOf(current);
    }
    this.logger.log(messages.staleReported(slot.app.name, staleToken));
    if (firstHand) slot.lastRejectionRenewalAt = Date.now();
    try {
      const renewed = await this.flight(slot, 'stale', staleToken);
      this.reported(slot, firstHand, 'renewed');
      return infoOf(renewed);
    } catch (error) {
      const record = slot.record;
      if (record && record.accessToken !== staleToken && Date.now() < record.expiresAt) {
        return infoOf(record);
      }
      throw error;
    }
  }

  private reported(
    slot: AppSlot,
    firstHand: boolean,
    outcome: QingtuiStaleTokenReportedEvent['outcome'],
  ): void {
    this.events.emit(QINGTUI_EVENTS.staleTokenReported, {
      app: slot.app.name,
      outcome,
      by: firstHand ? 'interceptor' : 'caller',
    });
  }

  /**
   * Whether a reported rejection is worth a renewal. Without this check, a client looping on
   * "this token was rejected" would spend one platform grant per report (4,095 in 20 s were
   * measured): a token the platform still accepts is never renewed on a report.
   */
  private async rejectionConfirmed(
    slot: AppSlot,
    token: string,
    firstHand: boolean,
    reporter: string,
  ): Promise<boolean> {
    const now = Date.now();
    if (firstHand && now - slot.lastRejectionRenewalAt >= REJECTION_RENEWAL_SPACING_MS) return true;
    // Consumer mode: the central server confirms reports itself.
    if (this.source.probe === undefined) return true;
    // One schedule per token, whoever reports it (see RejectionCheck): a looping client, or a
    // thousand of them, costs at most a few probes a minute, for as long as they loop.
    if (slot.probing === undefined && slot.rejections.waitBeforeProbe(token, reporter, now) > 0) {
      return false;
    }
    if (!this.usage.allows(slot.app.name, 'demand', 'api')) {
      // Once per token: a client looping on its report must not flood the log.
      if (slot.uncheckedToken !== token) this.logger.warn(messages.reportNotChecked(slot.app.name));
      slot.uncheckedToken = token;
      return false;
    }
    slot.probing ??= this.probeSpaced(slot, token, reporter).finally(
      () => (slot.probing = undefined),
    );
    // 'unknown' (the platform did not answer): a renewal would not get through either.
    return (await slot.probing) === 'rejected';
  }

  /**
   * One probe of `token`, in a slot shared by every instance on the store, so that the schedule
   * holds for a fleet too; its verdict is recorded once, whoever waits for it.
   */
  private async probeSpaced(
    slot: AppSlot,
    token: string,
    reporter: string,
  ): Promise<ProbeVerdict | 'skipped'> {
    const rejections = slot.rejections;
    const spacing = rejections.nextSpacing(token, reporter, Date.now());
    const schedule = rejections.scheduleOf(token, reporter);
    // Keyed by the record's generation, which names this token on every instance (no secret).
    const generation = slot.record?.accessToken === token ? slot.record.generation : 0;
    const probeKey = appKey(this.options.keyPrefix, slot.app, `probe:${schedule}:${generation}`);
    const wait = spacing > 0 ? await this.backend.reserveCall(probeKey, spacing).catch(() => 0) : 0;
    if (wait > 0 && this.backend.kind !== 'memory') {
      // Another instance probed this token a moment ago: if it found it rejected, its renewal
      // is about to be stored. Wait a little for it (at most a second), then read the store.
      await this.backend.waitForChange(slot.key, Math.min(wait, SKIPPED_PROBE_WAIT_MS));
      await this.reconcile(slot);
    }
    const verdict = wait > 0 ? 'skipped' : await this.source.probe!(slot.app, token);
    rejections.record(token, reporter, verdict, Date.now());
    return verdict;
  }

  // ---------------------------------------------------------------- renewal

  /** Single-flight: every caller during a renewal shares its outcome. */
  private flight(slot: AppSlot, reason: RenewalReason, staleToken?: string): Promise<TokenRecord> {
    if (slot.inflight === undefined) {
      slot.renewal = { reason, startedAt: Date.now() };
      const run = this.renewWithRetries(slot, reason, staleToken);
      slot.inflight = run;
      run.then(
        () => this.clearFlight(slot, run),
        (error: unknown) => {
          this.clearFlight(slot, run);
          // A refused forced refresh is its caller's business: the token in use is untouched.
          if (reason !== 'force') this.afterFailure(slot, error);
        },
      );
    }
    return slot.inflight;
  }

  private clearFlight(slot: AppSlot, run: Promise<TokenRecord>): void {
    if (slot.inflight === run) slot.inflight = undefined;
  }

  private async renewWithRetries(
    slot: AppSlot,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenRecord> {
    // Retries inside one renewal only protect a token that still lives; without one, the hold
    // after a failure paces the attempts, so that an outage costs one call per attempt.
    const protecting = slot.record !== undefined && slot.timing.usable(slot.record);
    const attempts = protecting && reason !== 'force' ? this.options.retry.attempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        // Where the platform would only answer the same token sooner (WeCom before expiry),
        // wait: at most the serving margin and one round trip after the last caller was served.
        const wait = slot.timing.fetchWaitMs(slot.record, reason);
        if (wait > 0) await sleep(wait);
        const record = await this.renewOnce(slot, reason, staleToken);
        this.afterSuccess(slot);
        return record;
      } catch (error) {
        const retryable = error instanceof QingtuiApiError && error.retryable;
        if (!retryable || attempt >= attempts || this.destroyed) throw error;
        await sleep(this.backoff(attempt, error));
      }
    }
  }

  private async renewOnce(
    slot: AppSlot,
    reason: RenewalReason,
    staleToken?: string,
  ): Promise<TokenRecord> {
    const lockStartedAt = Date.now();
    const waitUntil = lockStartedAt + this.leaseMs + this.options.httpTimeoutMs;
    let lease: TokenLease | undefined;
    let stored: TokenRecord | undefined;
    let base: TokenRecord | undefined;
    for (;;) {
      lease = await this.backend.tryLock(slot.lockKey, this.leaseMs);
      stored = await this.backend.read(slot.key);
      base = newest(stored, slot.record);
      if (base && this.satisfies(slot, base, reason, staleToken)) {
        await lease?.release();
        this.adopt(slot, base);
        return base;
      }
      if (lease) break;
      if (Date.now() >= waitUntil) {
        throw new QingtuiApiError(
          'transient',
          undefined,
          messages.lockWaitTimedOut(slot.app.name),
          'lock',
          undefined,
          false,
          undefined,
          this.labelOf(slot),
        );
      }
      // Another instance is renewing: wait for its write (or its lease to lapse), then re-read.
      await this.backend.waitForChange(slot.key, 250);
    }
    const lockWaitMs = Date.now() - lockStartedAt;
    // What another instance stored meanwhile is served from now on, whatever this renewal
    // brings (a forced refresh refused by its budget, say, must not leave a killed token here).
    if (stored && (slot.record === undefined || compareRecords(stored, slot.record) > 0)) {
      this.adopt(slot, stored, true);
    }
    try {
      // Another instance may have just been told that the day's quota is used up: ask the store
      // (two counter reads, once per renewal) rather than the platform.
      await this.usage.sync(slot.app.name);
      if (reason === 'force') {
        const { used, limit } = await this.forceBudget.take(slot.app, this.labelOf(slot));
        this.logger.warn(messages.forceRefreshing(slot.app.name, used, limit));
      } else {
        this.checkQuota(slot, reason);
      }
      const grant = await this.source
        .renew(slot.app, base, reason, staleToken)
        .catch(async (error: unknown) => {
          // Shared before the lease is released, so that the next holder does not ask again.
          // (A forced refresh's own budget answers 45009 too: that says nothing of the day.)
          if (
            reason !== 'force' &&
            error instanceof QingtuiApiError &&
            error.kind === 'quota' &&
            error.errcode !== undefined
          ) {
            await this.usage.markExhausted(slot.app.name);
          }
          throw error;
        });
      const same = base !== undefined && grant.accessToken === base.accessToken;
      const record: TokenRecord = {
        ...(same ? slot.timing.sameToken(base!, grant) : grant),
        generation: (base?.generation ?? 0) + 1,
      };
      const written = await this.backend.write(slot.key, record, stored?.generation);
      // A grant is a new token: a platform answering the same token again (WeCom, stable_token
      // while valid) granted nothing, and the metrics count what the platform granted.
      if (!same) {
        this.events.emit(QINGTUI_EVENTS.tokenRenewed, {
          app: slot.app.name,
          via: record.origin,
          reason,
          generation: record.generation,
          expiresAt: new Date(record.expiresAt).toISOString(),
          durationMs: Date.now() - (slot.renewal?.startedAt ?? lockStartedAt),
          lockWaitMs,
        });
      }
      if (!written) {
        // Fenced: a newer record got there first (our lease had lapsed). Use that one.
        const newer = await this.backend.read(slot.key);
        if (newer) {
          this.adopt(slot, newer);
          return newer;
        }
      }
      this.logRenewal(slot, record, same);
      this.adopt(slot, record);
      return record;
    } finally {
      await lease.release();
    }
  }

  private logRenewal(slot: AppSlot, record: TokenRecord, same: boolean): void {
    const validS = Math.round((record.expiresAt - Date.now()) / 1000);
    if (same) {
      // Not a failure, not a loop: the platform still has this token; the record says when to
      // ask again.
      this.logger.debug(
        messages.sameTokenKept(slot.app.name, validS, record.renewNotBefore ?? Date.now()),
      );
      return;
    }
    this.logger.log(
      messages.renewed(
        slot.app.name,
        record.origin,
        record.generation,
        Math.round((record.expiresAt - record.issuedAt) / 1000),
      ),
    );
  }

  /** Throws when the daily quota forbids a renewal for this reason. */
  private checkQuota(slot: AppSlot, reason: RenewalReason): void {
    // A passive refresh is demand; every other renewal keeps the service alive.
    const purpose = reason === 'stale' ? 'demand' : 'renewal';
    if (this.usage.allows(slot.app.name, purpose, 'token')) return;
    const usage = this.usage.get(slot.app.name);
    throw new QingtuiApiError(
      'quota',
      undefined,
      messages.quotaHeldBack(usage.state, usage.total, usage.limit),
      'quota',
      undefined,
      false,
      this.usage.msUntilReset(),
      this.labelOf(slot),
    );
  }

  /** How errors name the app's platform. */
  private labelOf(slot: AppSlot): string {
    return this.options.mode === 'consumer'
      ? 'central server'
      : (findPlatform(slot.app.platform)?.label ?? slot.app.platform);
  }

  /** Whether `record` already answers this renewal, so no platform call is needed. */
  private satisfies(
    slot: AppSlot,
    record: TokenRecord,
    reason: RenewalReason,
    staleToken?: string,
  ): boolean {
    if (reason === 'force' || !slot.timing.usable(record)) return false;
    switch (reason) {
      case 'scheduled':
        return Date.now() < slot.timing.renewAt(record);
      case 'stale':
        return record.accessToken !== staleToken;
      default:
        return true;
    }
  }

  /**
   * Brings this instance and the shared store in line: a newer stored record is adopted; a newer
   * (or missing) stored one is replaced by ours with a fenced write, which every instance hears
   * of. After a Redis restart, a FLUSHALL or a split during an outage, instances converge on one
   * record within a reconcile period, without any platform call.
   */
  private async reconcile(slot: AppSlot): Promise<void> {
    if (this.destroyed || slot.inflight) return;
    try {
      const stored = await this.backend.read(slot.key);
      const mine = slot.record;
      if (stored && (mine === undefined || compareRecords(stored, mine) > 0)) {
        if (stored.accessToken !== mine?.accessToken) {
          this.logger.debug(messages.adopted(slot.app.name, stored.generation));
        }
        this.adopt(slot, stored, true);
      } else if (
        mine &&
        slot.timing.usable(mine) &&
        (!stored || compareRecords(mine, stored) > 0)
      ) {
        await this.backend.write(slot.key, mine, stored?.generation);
      }
    } catch {
      // The backend reports its own health; the local record stays in use.
    }
  }

  /** Makes `record` the one handed out, and schedules its renewal. */
  private adopt(slot: AppSlot, record: TokenRecord, fromStore = false): void {
    const previous = slot.record;
    // Never step back to an older record while the newer one is still usable.
    if (
      !fromStore &&
      previous &&
      previous !== record &&
      newest(previous, record) === previous &&
      slot.timing.usable(previous)
    ) {
      return;
    }
    const timing = slot.timing;
    if (
      previous?.accessToken === record.accessToken &&
      previous.expiresAt === record.expiresAt &&
      previous.renewNotBefore === record.renewNotBefore
    ) {
      slot.record = record;
      return;
    }
    slot.record = record;
    slot.serveUntil = timing.serveUntil(record);
    if (timing.usable(record)) this.lift(slot);
    this.schedule(slot, timing.renewAt(record) + timing.jitter(record));
  }

  // ---------------------------------------------------------------- failures

  private afterSuccess(slot: AppSlot): void {
    if (slot.failures > 0) this.logger.log(messages.recovered(slot.app.name, slot.failures));
    slot.failures = 0;
    slot.credentialFailures = 0;
    slot.failureState = undefined;
    slot.lastError = undefined;
    slot.lastFailure = undefined;
    this.lift(slot);
  }

  private lift(slot: AppSlot): void {
    slot.holdUntil = 0;
    slot.holdReason = undefined;
  }

  /**
   * After a failed renewal: hold calls back for a while, schedule the next attempt, and log once
   * per change of state (not at every attempt).
   */
  private afterFailure(slot: AppSlot, error: unknown): void {
    if (this.destroyed) return;
    slot.failures += 1;
    const e = error instanceof QingtuiApiError ? error : undefined;
    slot.lastFailure = e;
    slot.lastError = {
      kind: e?.kind ?? 'internal',
      errcode: e?.errcode,
      errmsg: e?.errmsg ?? (error instanceof Error ? error.message : String(error)),
      at: new Date().toISOString(),
    };
    const now = Date.now();
    const left = slot.record ? slot.record.expiresAt - now : 0;
    let reason: HoldReason = 'failure';
    let delay: number;
    if (e?.kind === 'credential') {
      reason = 'credentials';
      slot.credentialFailures += 1;
      delay = Math.min(
        CREDENTIAL_BACKOFF_MAX_MS,
        CREDENTIAL_BACKOFF_MIN_MS * 2 ** (slot.credentialFailures - 1),
      );
    } else if (e?.kind === 'quota') {
      reason = 'quota';
      if (e.errcode !== undefined) void this.usage.markExhausted(slot.app.name);
      delay = nextPlatformDayAt(now) - now;
    } else if (left > 0) {
      // The token still lives: retry before it expires, but never faster than 2 s, doubling,
      // whatever is left of it, its last seconds included (5% of the lifetime for tokens shorter
      // than 40 s, such as a sandbox's, so that they still get a retry before they expire).
      const lifetime = slot.record!.expiresAt - slot.record!.issuedAt;
      const least = Math.min(OUTAGE_RETRY_MIN_MS, Math.max(100, lifetime * 0.05));
      const exp = least * 2 ** Math.min(10, slot.failures - 1);
      delay = Math.max(least, Math.min(exp * (0.8 + Math.random() * 0.2), left / 2));
    } else {
      const base = e?.kind === 'rate-limit' ? 2_000 : OUTAGE_RETRY_MIN_MS;
      const exp = Math.min(OUTAGE_RETRY_MAX_MS, base * 2 ** Math.min(10, slot.failures - 1));
      delay = Math.round(exp * (0.8 + Math.random() * 0.2));
    }
    // Some refusals ask for a longer pause than the usual back-off (WeChat 89503: an hour).
    const platformHold = e && findPlatform(slot.app.platform)?.minHoldMs?.(e);
    if (platformHold) delay = Math.max(delay, platformHold);
    slot.holdUntil = now + delay;
    slot.holdReason = reason;
    const state = `${slot.lastError.kind}:${slot.lastError.errcode ?? ''}:${left > 0}`;
    if (state !== slot.failureState) {
      slot.failureState = state;
      if (reason === 'credentials') {
        this.logger.error(
          messages.credentialsRejected(slot.app.name, slot.app.label, error, delay),
        );
      } else {
        this.logger.warn(messages.renewalFailed(slot.app.name, error, delay, left));
      }
    }
    this.events.emit(QINGTUI_EVENTS.renewalFailed, {
      app: slot.app.name,
      reason: slot.renewal?.reason ?? 'scheduled',
      error: { kind: e?.kind ?? 'internal', errcode: e?.errcode, errmsg: slot.lastError.errmsg },
      consecutiveFailures: slot.failures,
      retryInMs: delay,
      tokenStillValid: left > 0,
      durationMs: now - (slot.renewal?.startedAt ?? now),
    });
    if (reason === 'credentials') {
      this.events.emit(QINGTUI_EVENTS.credentialsRejected, {
        app: slot.app.name,
        errcode: slot.lastError.errcode,
        errmsg: slot.lastError.errmsg,
        consecutiveRejections: slot.credentialFailures,
        retryInMs: delay,
      });
    }
    this.schedule(slot, now + delay);
  }

  /**
   * Lifts a hold for the quota once the quota allows renewals again (another instance reset it
   * with `clearQuota`), and renews at once if no usable token is held.
   */
  private liftQuotaHold(slot: AppSlot): void {
    if (slot.holdReason !== 'quota' || Date.now() >= slot.holdUntil) return;
    if (!this.usage.allows(slot.app.name, 'renewal', 'token')) return;
    this.lift(slot);
    if (!slot.record || !slot.timing.usable(slot.record)) this.schedule(slot, Date.now());
  }

  /** The last failure again, with when to come back: nothing was sent. */
  private heldBackError(slot: AppSlot): QingtuiApiError {
    const retryAfterMs = Math.max(1_000, slot.holdUntil - Date.now());
    const last = slot.lastFailure;
    return new QingtuiApiError(
      last?.kind ?? 'transient',
      last?.errcode,
      last?.errmsg ?? messages.heldBack(slot.app.name, slot.holdReason ?? 'failure'),
      last?.endpoint ?? 'token',
      last?.status,
      false,
      retryAfterMs,
      last?.platform ?? this.labelOf(slot),
    );
  }

  // ---------------------------------------------------------------- scheduling

  private schedule(slot: AppSlot, at: number): void {
    if (this.destroyed) return;
    const name = `${this.timerPrefix}:renew:${slot.app.name}`;
    if (this.scheduler.doesExist('timeout', name)) this.scheduler.deleteTimeout(name);
    const delay = Math.min(Math.max(0, at - Date.now()), 2 ** 31 - 1);
    const handle = setTimeout(() => {
      if (this.scheduler.doesExist('timeout', name)) this.scheduler.deleteTimeout(name);
      void this.renewInBackground(slot);
    }, delay);
    handle.unref();
    this.scheduler.addTimeout(name, handle);
    slot.nextRenewalAt = Date.now() + delay;
  }

  private async renewInBackground(slot: AppSlot): Promise<void> {
    if (this.destroyed) return;
    if (Date.now() < slot.holdUntil) {
      this.schedule(slot, slot.holdUntil);
      return;
    }
    await this.flight(slot, slot.record ? 'scheduled' : 'initial').catch(noop);
  }

  /**
   * With a shared store, brings every app's record in line with the stored one (see
   * `reconcile`). Run each second by `TokenSweepScheduler`, so that instances converge within
   * about a second after a Redis restart, a FLUSHALL or a split.
   * @internal
   */
  reconcileAll(): void {
    if (this.backend.kind === 'memory') return;
    for (const slot of this.slots.values()) void this.reconcile(slot);
  }

  /**
   * Safety net: renews any app whose timer did not fire, and re-reads the shared call counts.
   * Run by `TokenSweepScheduler`, a `@Cron` job of `@nestjs/schedule`.
   * @internal
   */
  sweep(): void {
    const now = Date.now();
    for (const slot of this.slots.values()) {
      void this.usage.sync(slot.app.name).then(() => this.liftQuotaHold(slot));
      if (slot.inflight) continue;
      const due = Math.max(
        slot.nextRenewalAt ?? (slot.record ? slot.timing.renewAt(slot.record) : now),
        slot.holdUntil,
      );
      if (now >= due + 1_000) void this.renewInBackground(slot);
    }
  }

  // ---------------------------------------------------------------- helpers

  private backoff(attempt: number, error?: unknown): number {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    const base =
      error instanceof QingtuiApiError && error.kind === 'rate-limit'
        ? Math.max(baseDelayMs, 2_000)
        : baseDelayMs;
    const exp = Math.min(maxDelayMs, base * 2 ** Math.max(0, attempt - 1));
    return Math.round(exp / 2 + (Math.random() * exp) / 2);
  }

  private unknownApp(app: string | undefined): QingtuiError {
    return new QingtuiError(messages.unknownApp(app, this.appNames()));
  }
}

function infoOf(record: TokenRecord): TokenInfo {
  return { accessToken: record.accessToken, expiresAt: record.expiresAt };
}

/** Orders records: generation, then issue time, then the token itself (any total order will do). */
function compareRecords(a: TokenRecord, b: TokenRecord): number {
  if (a.generation !== b.generation) return a.generation - b.generation;
  if (a.issuedAt !== b.issuedAt) return a.issuedAt - b.issuedAt;
  return a.accessToken < b.accessToken ? -1 : a.accessToken > b.accessToken ? 1 : 0;
}

/** The more recent of two records. */
function newest(a: TokenRecord | undefined, b: TokenRecord | undefined): TokenRecord | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareRecords(a, b) >= 0 ? a : b;
}
