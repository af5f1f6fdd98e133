import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import type { ResolvedApp, ResolvedQingtuiOptions } from '../config/resolved-options.js';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import {
  QINGTUI_PLATFORM_NAME,
  QINGTUI_PLATFORM_USAGE,
  QINGTUI_RESOLVED_OPTIONS,
  QINGTUI_TOKEN_BACKEND,
  QINGTUI_TOKEN_SOURCE,
} from '../qingtui.constants.js';
import { messages } from '../qingtui.messages.js';
import type { BackendState, TokenBackend, TokenLease } from '../store/token-backend.interface.js';
import { tokenKey } from '../store/token-keys.js';
import { PlatformUsage, type PlatformUsageSnapshot } from './platform-usage.js';
import type { TokenRecord } from './token-record.interface.js';
import type { RenewalReason, TokenSource } from './token-source.interface.js';

/** A token and when it stops being accepted. */
export interface TokenInfo {
  accessToken: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Token state of one app, for health checks and dashboards. Holds no secret. */
export interface AppTokenStatus {
  name: string;
  appId: string;
  state: 'valid' | 'expired' | 'missing';
  expiresAt?: string;
  nextRenewalAt?: string;
  generation?: number;
  origin?: string;
  renewing: boolean;
  consecutiveFailures: number;
  /** `getToken` calls that had to wait for the platform since start-up. */
  callersWaited: number;
  lastError?: { kind: string; errcode?: number; errmsg: string; at: string };
  platformCallsToday: PlatformUsageSnapshot;
}

/** Per-app state. `record` is the in-process layer that keeps hot reads off the store. */
interface AppSlot {
  readonly app: ResolvedApp;
  readonly key: string;
  readonly lockKey: string;
  record?: TokenRecord;
  /** Epoch ms until which `record` is handed out without any check. */
  serveUntil: number;
  inflight?: Promise<TokenRecord>;
  failures: number;
  /** `getToken` calls that had to wait for a renewal (cold start, or no valid token known). */
  waits: number;
  lastError?: AppTokenStatus['lastError'];
  nextRenewalAt?: number;
}

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
 *   the current one, so any number of reports of one stale token cost one platform call.
 */
@Injectable()
export class TokenService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QingtuiTokenService');
  private readonly slots = new Map<string, AppSlot>();
  private readonly slotsByKey = new Map<string, AppSlot>();
  private readonly defaultSlot: AppSlot;
  private readonly timerPrefix = `qingtui:${randomUUID().slice(0, 8)}`;
  private readonly leaseMs: number;
  private destroyed = false;

  constructor(
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Inject(QINGTUI_TOKEN_BACKEND) private readonly backend: TokenBackend,
    @Inject(QINGTUI_TOKEN_SOURCE) private readonly source: TokenSource,
    private readonly scheduler: SchedulerRegistry,
    @Inject(QINGTUI_PLATFORM_USAGE) private readonly usage: PlatformUsage,
  ) {
    const platform = options.mode === 'central' ? QINGTUI_PLATFORM_NAME : 'qingtui-consumer';
    for (const app of options.apps) {
      const slot: AppSlot = {
        app,
        key: tokenKey(options.keyPrefix, platform, app.appId, 'token'),
        lockKey: tokenKey(options.keyPrefix, platform, app.appId, 'lock'),
        serveUntil: 0,
        failures: 0,
        waits: 0,
      };
      this.slots.set(app.name, slot);
      this.slotsByKey.set(slot.key, slot);
    }
    this.defaultSlot = this.slots.get(options.defaultApp)!;
    // The lease covers one HTTP call and the wait for a /v1/token slot; a live holder extends
    // it (the Redis backend runs a watchdog), so a dead one blocks the others only this long.
    this.leaseMs = options.httpTimeoutMs + 3_000;
    backend.onRemoteChange((key) => {
      const slot = this.slotsByKey.get(key);
      if (slot) void this.reloadFromStore(slot);
    });
    // A store that comes back empty (Redis restarted) gets our tokens back, so that no other
    // instance fetches a new one (and kills the refresh_token) for nothing.
    backend.onRecovered?.(() => {
      for (const slot of this.slots.values()) {
        if (slot.record && this.usable(slot.record)) {
          void this.backend.write(slot.key, slot.record, undefined).catch(noop);
        }
      }
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
      return Promise.resolve({ accessToken: record.accessToken, expiresAt: record.expiresAt });
    }
    return this.getSlow(slot).then((r) => ({ accessToken: r.accessToken, expiresAt: r.expiresAt }));
  }

  /**
   * Passive refresh: a caller saw `staleToken` rejected by the platform. Renews the token only
   * if `staleToken` is still the current one; otherwise returns the current token without any
   * platform call. Resolves to the token to use now.
   */
  async refreshIfCurrent(app: string | undefined, staleToken: string): Promise<string> {
    return (await this.refreshInfoIfCurrent(app, staleToken)).accessToken;
  }

  /** Like `refreshIfCurrent()`, with the token's expiry. */
  async refreshInfoIfCurrent(app: string | undefined, staleToken: string): Promise<TokenInfo> {
    const slot = this.slotOf(app);
    if (slot === undefined) throw this.unknownApp(app);
    // Let a renewal that is already running finish: it may well replace the stale token.
    while (slot.inflight) await slot.inflight.catch(noop);
    const current = slot.record;
    if (current && current.accessToken !== staleToken && this.usable(current)) {
      return { accessToken: current.accessToken, expiresAt: current.expiresAt };
    }
    if (current?.accessToken === staleToken) {
      this.logger.log(messages.staleReported(slot.app.name, staleToken));
    }
    try {
      const record = await this.flight(slot, 'stale', staleToken);
      return { accessToken: record.accessToken, expiresAt: record.expiresAt };
    } catch (error) {
      const now = Date.now();
      const record = slot.record;
      if (record && record.accessToken !== staleToken && now < record.expiresAt) {
        return { accessToken: record.accessToken, expiresAt: record.expiresAt };
      }
      throw error;
    }
  }

  /** Names of the configured apps; the first is the default. */
  appNames(): string[] {
    return [...this.slots.keys()];
  }

  /** Whether `app` is configured. */
  hasApp(app: string): boolean {
    return this.slots.has(app);
  }

  /** Today's platform call counts of an app (China Standard Time day). */
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
    return { kind: this.backend.kind, state: this.backend.state(), instanceId: this.backend.instanceId };
  }

  /** Token state of every app. */
  status(): AppTokenStatus[] {
    const now = Date.now();
    return [...this.slots.values()].map((slot) => {
      const r = slot.record;
      return {
        name: slot.app.name,
        appId: slot.app.appId,
        state: r === undefined ? 'missing' : now < r.expiresAt ? 'valid' : 'expired',
        expiresAt: r ? new Date(r.expiresAt).toISOString() : undefined,
        nextRenewalAt: slot.nextRenewalAt ? new Date(slot.nextRenewalAt).toISOString() : undefined,
        generation: r?.generation,
        origin: r?.origin,
        renewing: slot.inflight !== undefined,
        consecutiveFailures: slot.failures,
        callersWaited: slot.waits,
        lastError: slot.lastError,
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
        } catch (error) {
          this.logger.error(messages.prefetchFailed(slot.app.name, error));
          this.noteFailure(slot, error);
          this.scheduleRetry(slot);
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
    await Promise.allSettled([...this.slots.values()].flatMap((s) => (s.inflight ? [s.inflight] : [])));
    await this.backend.close();
  }

  // ---------------------------------------------------------------- read path

  private slotOf(app: string | undefined): AppSlot | undefined {
    return app === undefined ? this.defaultSlot : this.slots.get(app);
  }

  private async getSlow(slot: AppSlot): Promise<TokenRecord> {
    slot.waits += 1;
    try {
      return await this.flight(slot, slot.record ? 'expired' : 'initial');
    } catch (error) {
      // A failed renewal never fails a caller while the token it has is still accepted.
      const record = slot.record;
      if (record && Date.now() < record.expiresAt) return record;
      throw error;
    }
  }

  // ---------------------------------------------------------------- renewal

  /** Single-flight: every caller during a renewal shares its outcome. */
  private flight(slot: AppSlot, reason: RenewalReason, staleToken?: string): Promise<TokenRecord> {
    if (slot.inflight === undefined) {
      const run = this.renewWithRetries(slot, reason, staleToken);
      slot.inflight = run;
      run.then(
        () => this.clearFlight(slot, run),
        () => this.clearFlight(slot, run),
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
    const { attempts } = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        const record = await this.renewOnce(slot, reason, staleToken);
        slot.failures = 0;
        slot.lastError = undefined;
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
    const waitUntil = Date.now() + this.leaseMs + this.options.httpTimeoutMs;
    let lease: TokenLease | undefined;
    let stored: TokenRecord | undefined;
    let base: TokenRecord | undefined;
    for (;;) {
      lease = await this.backend.tryLock(slot.lockKey, this.leaseMs);
      stored = await this.backend.read(slot.key);
      base = newest(stored, slot.record);
      if (base && this.satisfies(base, reason, staleToken)) {
        await lease?.release();
        this.adopt(slot, base);
        return base;
      }
      if (lease) break;
      if (Date.now() >= waitUntil) {
        throw new QingtuiApiError('transient', undefined, messages.lockWaitTimedOut(slot.app.name), 'lock');
      }
      // Another instance is renewing: wait for its write (or its lease to lapse), then re-read.
      await this.backend.waitForChange(slot.key, 250);
    }
    try {
      const grant = await this.source.renew(slot.app, base, reason, staleToken);
      const record: TokenRecord = { ...grant, generation: (base?.generation ?? 0) + 1 };
      if (!(await this.backend.write(slot.key, record, stored?.generation))) {
        // Fenced: a newer record got there first (our lease had lapsed). Use that one.
        const newer = await this.backend.read(slot.key);
        if (newer) {
          this.adopt(slot, newer);
          return newer;
        }
      }
      this.logger.log(
        messages.renewed(
          slot.app.name,
          record.origin,
          record.generation,
          Math.round((record.expiresAt - record.issuedAt) / 1000),
        ),
      );
      this.adopt(slot, record);
      return record;
    } finally {
      await lease.release();
    }
  }

  /** Whether `record` already answers this renewal, so no platform call is needed. */
  private satisfies(record: TokenRecord, reason: RenewalReason, staleToken?: string): boolean {
    if (!this.usable(record)) return false;
    switch (reason) {
      case 'scheduled':
        return Date.now() < this.refreshAt(record);
      case 'stale':
        return record.accessToken !== staleToken;
      default:
        return true;
    }
  }

  private async reloadFromStore(slot: AppSlot): Promise<void> {
    try {
      const stored = await this.backend.read(slot.key);
      if (stored && stored !== newest(stored, slot.record)) return;
      if (stored && stored.accessToken !== slot.record?.accessToken) {
        this.logger.debug(messages.adopted(slot.app.name, stored.generation));
        this.adopt(slot, stored);
      }
    } catch {
      // The backend reports its own health; the local record stays in use.
    }
  }

  /** Makes `record` the one handed out, and schedules its renewal. */
  private adopt(slot: AppSlot, record: TokenRecord): void {
    const previous = slot.record;
    // Never step back to an older record while the newer one is still usable.
    if (previous && previous !== record && newest(previous, record) === previous && this.usable(previous)) {
      return;
    }
    slot.record = record;
    slot.serveUntil = record.expiresAt - this.minValidity(record);
    this.schedule(slot, this.refreshAt(record) + this.jitter(record));
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
    try {
      await this.flight(slot, slot.record ? 'scheduled' : 'initial');
    } catch (error) {
      this.noteFailure(slot, error);
      this.scheduleRetry(slot, error);
    }
  }

  private noteFailure(slot: AppSlot, error: unknown): void {
    slot.failures += 1;
    const e = error instanceof QingtuiApiError ? error : undefined;
    slot.lastError = {
      kind: e?.kind ?? 'internal',
      errcode: e?.errcode,
      errmsg: e?.errmsg ?? (error instanceof Error ? error.message : String(error)),
      at: new Date().toISOString(),
    };
  }

  private scheduleRetry(slot: AppSlot, error?: unknown): void {
    const now = Date.now();
    const left = slot.record ? slot.record.expiresAt - now : 0;
    let delay = this.backoff(slot.failures, error);
    // While the token lives, retry well before it expires.
    if (left > 0) delay = Math.max(200, Math.min(delay, left / 2));
    if (error instanceof QingtuiApiError && error.kind === 'credential') {
      this.logger.error(messages.credentialsRejected(slot.app.name, slot.app.appId, error));
      delay = this.options.retry.maxDelayMs;
    } else if (slot.failures === 1 || slot.failures % 10 === 0) {
      this.logger.warn(messages.renewalFailed(slot.app.name, error, delay, left));
    }
    this.schedule(slot, now + delay);
  }

  /**
   * Safety net: renews any app whose timer did not fire, and revalidates shared records. Run by
   * `TokenSweepScheduler`, a `@Cron` job of `@nestjs/schedule`.
   * @internal
   */
  sweep(): void {
    const now = Date.now();
    for (const slot of this.slots.values()) {
      if (slot.inflight) continue;
      const due = slot.nextRenewalAt ?? (slot.record ? this.refreshAt(slot.record) : now);
      if (now >= due + 1_000) void this.renewInBackground(slot);
      else if (this.backend.kind !== 'memory') void this.reloadFromStore(slot);
    }
  }

  // ---------------------------------------------------------------- timing policy

  private lifetime(record: TokenRecord): number {
    return Math.max(1, record.expiresAt - record.issuedAt);
  }

  private refreshAt(record: TokenRecord): number {
    return record.issuedAt + this.lifetime(record) * this.options.refresh.ratio;
  }

  private jitter(record: TokenRecord): number {
    return Math.random() * this.lifetime(record) * this.options.refresh.jitterRatio;
  }

  private minValidity(record: TokenRecord): number {
    return Math.min(this.options.refresh.minValidityMs, this.lifetime(record) * 0.1);
  }

  private usable(record: TokenRecord): boolean {
    return Date.now() < record.expiresAt - this.minValidity(record);
  }

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

/** The more recent of two records (by generation, then issue time). */
function newest(a: TokenRecord | undefined, b: TokenRecord | undefined): TokenRecord | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.generation !== b.generation) return a.generation > b.generation ? a : b;
  return a.issuedAt >= b.issuedAt ? a : b;
}
