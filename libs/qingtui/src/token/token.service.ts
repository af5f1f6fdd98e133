import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { setTimeout as delay } from 'node:timers/promises';
import { AppCatalogue } from '../config/app-catalogue.js';
import type { CredentialKind } from '../core/credential-kind.js';
import type { TokenSource } from '../core/credential-source.js';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import type { BackendState, TokenBackend } from '../core/store.js';
import { CredentialEngine } from '../engine/credential-engine.js';
import { tokenEvents } from '../engine/credential-events.js';
import type { AppTokenStatus, TokenInfo } from '../engine/credential-status.js';
import { QingtuiApiError, type QingtuiErrorKind } from '../errors/qingtui-api.error.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import { eventPlatformOf } from '../events/event-platform.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { QINGTUI_EVENTS } from '../events/qingtui-event-names.js';
import { findPlatform } from '../platforms/platforms.registry.js';
import {
  QINGTUI_APP_CATALOGUE,
  QINGTUI_PLATFORM_USAGE,
  QINGTUI_RESOLVED_OPTIONS,
  QINGTUI_TOKEN_BACKEND,
  QINGTUI_TOKEN_SOURCE,
} from '../qingtui.constants.js';
import { messages } from '../qingtui.messages.js';
import type { PlatformUsage, PlatformUsageSnapshot } from '../quotas/platform-usage.js';
import { CENTRAL_SERVER_LABEL } from './sources/central-server.source.js';

export type { AppTokenStatus, TokenInfo } from '../engine/credential-status.js';
export type { HoldReason } from '../engine/renewal-hold.js';

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

/** Where an app's platform API is, for a caller that sends business calls itself (a relay). */
export interface PlatformEndpoint {
  /** `qingtui`, `wechat-mp`, `wecom`. */
  platform: string;
  /** The configured base URL of the platform (`baseUrls`; the sandbox's in tests). */
  baseUrl: string;
  /** The timeout of one platform call (`httpTimeoutMs`). */
  timeoutMs: number;
}

/**
 * Ends a business call started with `startBusinessCall`: `ok`, or the class of the failure
 * (`token-invalid`, `request`, `transient` for no readable answer...), and the errcode if any.
 */
export type BusinessCallDone = (outcome: 'ok' | QingtuiErrorKind, errcode?: number) => void;

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

/**
 * Owns the access_token of every configured app: the first credential kind of the lifecycle
 * engine (`CredentialEngine`), with the package's public API.
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
  private readonly engine: CredentialEngine;
  private readonly events: QingtuiEvents;

  constructor(
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Inject(QINGTUI_TOKEN_BACKEND) private readonly backend: TokenBackend,
    @Inject(QINGTUI_TOKEN_SOURCE) private readonly source: TokenSource,
    scheduler: SchedulerRegistry,
    @Inject(QINGTUI_PLATFORM_USAGE) private readonly usage: PlatformUsage,
    @Optional() events?: QingtuiEvents,
    @Optional() @Inject(QINGTUI_APP_CATALOGUE) catalogue?: AppCatalogue,
  ) {
    this.catalogue = catalogue ?? new AppCatalogue(options.apps, options.defaultApp);
    this.events = events ?? new QingtuiEvents((app) => eventPlatformOf(options, app));
    const label = (platform: string) =>
      options.mode === 'consumer'
        ? CENTRAL_SERVER_LABEL
        : (findPlatform(platform)?.label ?? platform);
    const accessToken: CredentialKind = {
      name: 'token',
      source,
      callKind: 'token',
      semanticsOf: (app) => app.semantics,
      labelOf: (app) => label(app.platform),
      minHoldMs: (app, error) => findPlatform(app.platform)?.minHoldMs?.(error),
    };
    this.engine = new CredentialEngine(accessToken, {
      options,
      catalogue: this.catalogue,
      backend,
      usage,
      events: tokenEvents(this.events),
      scheduler,
      logger: this.logger,
    });
  }

  private readonly catalogue: AppCatalogue;

  /**
   * Returns a valid access_token of the app (the default app when `app` is omitted).
   * Never waits for the platform while a valid token is known.
   */
  getToken(app?: string): Promise<string> {
    return this.engine.value(app);
  }

  /** Like `getToken()`, with the token's expiry. */
  getTokenInfo(app?: string): Promise<TokenInfo> {
    return this.engine.info(app);
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
    return this.engine.reportStale(app, staleToken, false, options.reporter ?? '');
  }

  /**
   * @internal The library's own HTTP interceptor saw the platform reject `staleToken`: that is
   * first-hand evidence, so the token is renewed without a probe, unless such a renewal already
   * ran in the last few seconds (then a probe decides, so that a mistaken errcode cannot loop).
   */
  async renewRejected(app: string | undefined, staleToken: string): Promise<string> {
    return (await this.engine.reportStale(app, staleToken, true, '(interceptor)')).accessToken;
  }

  /**
   * Tells the service that an app's credentials were replaced (a rotated AppSecret): lifts the
   * credential back-off and, if no valid token is held, tries again at once.
   */
  credentialsChanged(app?: string): void {
    this.engine.credentialsChanged(app);
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
    const resolved = this.catalogue.get(app);
    const rules = resolved.semantics.forceRefresh;
    if (rules === undefined || this.options.mode !== 'central') {
      throw new QingtuiError(messages.noForceRefresh(resolved.name, resolved.label));
    }
    const first = await this.engine.forceRefresh(resolved.name);
    if (options.retirePrevious !== true) return first;
    // The second call retires the token that was current before the first. Another instance's
    // forced refresh in between moves the spacing on: wait for it, a few times at most.
    let waitMs = rules.minIntervalMs;
    for (let attempt = 0; ; attempt++) {
      await delay(waitMs);
      try {
        return await this.engine.forceRefresh(resolved.name);
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
    const resolved = this.catalogue.get(app);
    if (!resolved.semantics.clearQuota || this.source.clearQuota === undefined) {
      throw new QingtuiError(messages.noClearQuota(resolved.name, resolved.label));
    }
    await this.source.clearQuota(resolved);
    await this.usage.cleared(resolved.name);
    this.logger.warn(messages.quotaCleared(resolved.name));
    this.engine.liftQuotaHold(resolved.name);
  }

  /** Names of the configured apps; the first is the default. */
  appNames(): string[] {
    return this.catalogue.names();
  }

  /** Whether `app` is configured. */
  hasApp(app: string): boolean {
    return this.catalogue.has(app);
  }

  /**
   * The public identity of a configured app: its platform and its id there (the AppID, or
   * WeCom's `corpId/agentId`). Holds no secret.
   */
  identityOf(app?: string): { name: string; platform: string; appId: string } {
    const { name, platform, appId } = this.catalogue.get(app);
    return { name, platform, appId };
  }

  /** Messages one member may receive from the app (WeCom), per minute and hour; undefined: no such limit. */
  messageLimitsOf(app?: string): { perMemberMinute: number; perMemberHour: number } | undefined {
    return this.catalogue.get(app).messageLimits;
  }

  /** The platform of a configured app (`qingtui`, `wechat-mp`, `wecom`). */
  platformOf(app?: string): string {
    return this.catalogue.get(app).platform;
  }

  /** The platform, base URL and call timeout of a configured app. @throws QingtuiError for an unknown app */
  platformEndpoint(app?: string): PlatformEndpoint {
    const resolved = this.catalogue.get(app);
    return {
      platform: resolved.platform,
      baseUrl: resolved.baseUrl,
      timeoutMs: this.options.httpTimeoutMs,
    };
  }

  /**
   * A business call sent outside the library's HTTP client (a relay): counted in the app's
   * platform usage like the client's own calls (kind `api`), and reported as
   * `qingtui.platform.call` (endpoint `api`) when the returned function is called. Call it once
   * per request sent (a retry is a second call).
   * @throws QingtuiApiError held back (kind `quota`) when the app's daily quota is down to the
   * reserve kept for renewals, as the library's own business calls are
   */
  startBusinessCall(app: string): BusinessCallDone {
    const name = this.catalogue.get(app).name;
    if (!this.usage.allows(name, 'demand', 'api')) {
      const usage = this.usage.get(name);
      throw QingtuiApiError.heldBack({
        kind: 'quota',
        errmsg: messages.quotaHeldBack(usage.state, usage.total, usage.limit),
        endpoint: 'api',
        retryAfterMs: this.usage.msUntilReset(),
        platform: findPlatform(this.catalogue.get(app).platform)?.label ?? 'platform',
      });
    }
    this.usage.record(name, 'api');
    const sentAt = Date.now();
    let ended = false;
    return (outcome, errcode) => {
      if (ended) return;
      ended = true;
      this.events.emit(QINGTUI_EVENTS.platformCall, {
        app: name,
        endpoint: 'api',
        outcome,
        ...(errcode === undefined ? {} : { errcode }),
        durationMs: Date.now() - sentAt,
      });
    };
  }

  /** Today's platform calls of an app and its quota state (China Standard Time day). */
  platformUsage(app?: string): PlatformUsageSnapshot {
    return this.usage.get(this.catalogue.get(app).name);
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

  /** Token state of every app, or of the apps named (unknown names are skipped). */
  status(apps?: readonly string[]): AppTokenStatus[] {
    return this.engine.status(apps);
  }

  /**
   * Only whether each app holds a valid token (`valid`, `expired`, `missing`), in configuration
   * order: what a readiness check or a summary of 10,000 apps needs, without building their
   * whole status.
   */
  tokenStates(): { name: string; state: AppTokenStatus['state'] }[] {
    return this.engine.states();
  }

  /**
   * Fetches every app's token (`prefetchConcurrency` at a time), waiting at most
   * `prefetchWaitMs`: the rest goes on in the background, and its apps answer "not fetched yet"
   * at once (a `QingtuiApiError` of kind `transient` with `retryAfterMs`) until their turn.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.prefetch) return;
    const startedAt = Date.now();
    const prefetch = this.engine.prefetch(this.options.prefetchConcurrency);
    const waiting = new AbortController();
    const done = await Promise.race([
      prefetch.then(() => true),
      delay(this.options.prefetchWaitMs, false, { signal: waiting.signal }).catch(() => false),
    ]);
    waiting.abort();
    if (done) return;
    const fetched = this.engine.detachPrefetch();
    this.logger.warn(
      messages.prefetchInBackground(fetched, this.catalogue.names().length, Date.now() - startedAt),
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.engine.stop();
    await this.backend.close();
  }

  /**
   * With a shared store, brings every app's record in line with the stored one, in batches (run
   * by the engine itself when the store is back after an outage).
   * @internal
   */
  reconcileAll(): Promise<void> {
    return this.engine.reconcileAll();
  }

  /**
   * The backstop of the store's notifications, run each second by `TokenSweepScheduler`: re-reads
   * the next `refresh.reconcilePerSecond` records and the shared call counts of a fifth as many
   * apps, in turn, so that the store commands of an idle instance do not grow with the apps.
   * @internal
   */
  reconcileNext(): void {
    const perSecond = this.options.refresh.reconcilePerSecond;
    this.engine.reconcileNext(perSecond);
    this.engine.syncUsageNext(Math.max(1, Math.ceil(perSecond / 5)));
  }

  /**
   * Safety net: renews any app whose timer did not fire. Run by `TokenSweepScheduler`, a `@Cron`
   * job of `@nestjs/schedule`.
   * @internal
   */
  sweep(): void {
    this.engine.sweep();
  }
}
