import { HttpService } from '@nestjs/axios';
import { Logger, type FactoryProvider, type Provider } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppCatalogue } from './config/app-catalogue.js';
import type { AppSecrets, QingtuiSetup } from './config/app-secrets.interface.js';
import { resolveQingtuiSetup } from './config/resolve-options.js';
import type { ResolvedQingtuiOptions } from './core/resolved-options.js';
import { QingtuiError } from './errors/qingtui.error.js';
import { QingtuiEvents } from './events/qingtui-events.service.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import type { QingtuiModuleOptions } from './interfaces/qingtui-module-options.interface.js';
import type { TokenFetcher } from './platforms/platform.interface.js';
import { platformNamed } from './platforms/platforms.registry.js';
import {
  QINGTUI_APP_CATALOGUE,
  QINGTUI_PLATFORM_USAGE,
  QINGTUI_RESOLVED_OPTIONS,
  QINGTUI_TOKEN_BACKEND,
  QINGTUI_TOKEN_SOURCE,
} from './qingtui.constants.js';
import { messages } from './qingtui.messages.js';
import { QINGTUI_MODULE_OPTIONS } from './qingtui.module-definition.js';
import { createTokenBackend } from './store/create-token-backend.js';
import type { TokenBackend } from './core/store.js';
import { appKey } from './core/store-keys.js';
import { MemberMessageLimits } from './quotas/member-message-limits.js';
import { IdempotencyLedger } from './idempotency/idempotency-ledger.js';
import { PlatformUsage } from './quotas/platform-usage.js';
import { CentralServerTokenSource } from './token/sources/central-server.source.js';
import { PlatformTokenSource } from './token/sources/platform-token.source.js';
import { AppFetcherDeps, type SharedFetcherDeps } from './token/sources/app-fetcher-deps.js';
import type { TokenSource } from './core/credential-source.js';
import { TicketService } from './tickets/ticket.service.js';
import { TokenService } from './token/token.service.js';

/*
 * The factories of QingtuiModule's providers (as @nestjs/cache-manager keeps its own in
 * cache.providers.ts). The options are validated once; the secrets that pass stay behind a
 * private token that nothing outside this file can name, and reach the token fetchers only.
 */

const logger = new Logger('QingtuiModule');

/** The validated options and the secrets, from one validation pass. Private. */
const QINGTUI_SETUP = Symbol('QINGTUI_SETUP');
/** The apps' secret readers and the encryption key (`AppSecrets`), for the token fetchers. Private. */
const QINGTUI_APP_SECRETS = Symbol('QINGTUI_APP_SECRETS');

/** The options, validated once: the shared `ResolvedQingtuiOptions` and the private secrets. */
export const qingtuiOptionsProviders: Provider[] = [
  {
    provide: QINGTUI_SETUP,
    inject: [QINGTUI_MODULE_OPTIONS],
    useFactory: (options: QingtuiModuleOptions): QingtuiSetup => resolveQingtuiSetup(options),
  },
  {
    provide: QINGTUI_RESOLVED_OPTIONS,
    inject: [QINGTUI_SETUP],
    useFactory: (setup: QingtuiSetup): ResolvedQingtuiOptions => setup.options,
  },
  {
    provide: QINGTUI_APP_SECRETS,
    inject: [QINGTUI_SETUP],
    useFactory: (setup: QingtuiSetup): AppSecrets => setup.secrets,
  },
];

/** The configured apps, by name: one catalogue for the token service, the clients, the events. */
export const appCatalogueProvider: FactoryProvider<AppCatalogue> = {
  provide: QINGTUI_APP_CATALOGUE,
  inject: [QINGTUI_RESOLVED_OPTIONS],
  useFactory: (options: ResolvedQingtuiOptions) =>
    new AppCatalogue(options.apps, options.defaultApp),
};

/** The token store: in-memory, a cache-manager `store`, or Redis. */
export const tokenBackendProvider: FactoryProvider<TokenBackend> = {
  provide: QINGTUI_TOKEN_BACKEND,
  inject: [QINGTUI_RESOLVED_OPTIONS],
  useFactory: (options: ResolvedQingtuiOptions) => createTokenBackend(options),
};

/** The per-app, per-day counters of platform calls (shared through the store in central mode). */
export const platformUsageProvider: FactoryProvider<PlatformUsage> = {
  provide: QINGTUI_PLATFORM_USAGE,
  inject: [QINGTUI_RESOLVED_OPTIONS, QINGTUI_TOKEN_BACKEND, QingtuiEvents],
  useFactory: (options: ResolvedQingtuiOptions, backend: TokenBackend, events: QingtuiEvents) => {
    const apps = new Map(options.apps.map((a) => [a.name, a]));
    const key = (app: string, kind: Parameters<typeof appKey>[2]) =>
      appKey(options.keyPrefix, apps.get(app)!, kind);
    const suffix = (epoch: number) => (epoch === 0 ? '' : `#${epoch}`);
    return new PlatformUsage(
      new Map(options.apps.map((a) => [a.name, a.quota])),
      // Consumer mode: the central server counts; these are this process's own calls.
      options.mode === 'central'
        ? {
            backend,
            keys: (app) => ({
              calls: (day, epoch) => key(app, `calls:${day}${suffix(epoch)}`),
              exhausted: (day, epoch) => key(app, `quota-exhausted:${day}${suffix(epoch)}`),
              clears: apps.get(app)?.semantics.clearQuota
                ? (day) => key(app, `quota-clears:${day}`)
                : undefined,
            }),
          }
        : undefined,
      undefined,
      events,
    );
  },
};

/**
 * Where tokens come from: the central control server (consumer mode), or each app's platform
 * through its platform's fetcher, which alone gets the app's secret reader, and a token-call gate
 * keyed by the app's own identity (two apps of one WeCom company never share one).
 */
export const tokenSourceProvider: FactoryProvider<TokenSource> = {
  provide: QINGTUI_TOKEN_SOURCE,
  inject: [
    QINGTUI_RESOLVED_OPTIONS,
    QINGTUI_APP_SECRETS,
    HttpService,
    QINGTUI_TOKEN_BACKEND,
    QINGTUI_PLATFORM_USAGE,
    QingtuiEvents,
  ],
  useFactory: (
    options: ResolvedQingtuiOptions,
    secrets: AppSecrets,
    http: HttpService,
    backend: TokenBackend,
    usage: PlatformUsage,
    events: QingtuiEvents,
  ): TokenSource => {
    if (options.mode === 'consumer') {
      return new CentralServerTokenSource({
        http: http.axiosRef,
        url: options.centralServer!.url,
        apiKey: options.centralServer!.apiKey,
        timeoutMs: options.httpTimeoutMs,
      });
    }
    const fetchers = new Map<string, TokenFetcher>();
    const shared: SharedFetcherDeps = {
      http: http.axiosRef,
      timeoutMs: options.httpTimeoutMs,
      usage,
      backend,
      keyPrefix: options.keyPrefix,
      encryptionKey: secrets.encryptionKey,
      events,
      warn: (message) => logger.warn(message),
    };
    const windowsOf = AppFetcherDeps.windowsByNamespace(shared);
    for (const app of options.apps) {
      const deps = new AppFetcherDeps(shared, app, windowsOf(app.keyNamespace));
      const fetcher = platformNamed(app.platform).createFetcher(
        deps,
        app,
        secrets.readers.get(app.name)!,
      );
      fetchers.set(app.name, fetcher);
    }
    return new PlatformTokenSource(fetchers);
  },
};

/**
 * `TokenService`, which keeps its renewal timers in the application's `SchedulerRegistry`. The
 * registry is looked up here, optionally, so that a missing `ScheduleModule.forRoot()` fails
 * with a message that says what to import rather than Nest's generic resolution error.
 * (QingtuiModule does not import ScheduleModule itself: a second `forRoot()` would be a second
 * scheduler, and every `@Cron`/`@Interval` job of the application would run twice.)
 */
export const tokenServiceProvider: FactoryProvider<TokenService> = {
  provide: TokenService,
  inject: [
    QINGTUI_RESOLVED_OPTIONS,
    QINGTUI_TOKEN_BACKEND,
    QINGTUI_TOKEN_SOURCE,
    { token: SchedulerRegistry, optional: true },
    QINGTUI_PLATFORM_USAGE,
    QingtuiEvents,
    QINGTUI_APP_CATALOGUE,
  ],
  useFactory: (
    options: ResolvedQingtuiOptions,
    backend: TokenBackend,
    source: TokenSource,
    scheduler: SchedulerRegistry | undefined,
    usage: PlatformUsage,
    events: QingtuiEvents,
    catalogue: AppCatalogue,
  ) => {
    if (scheduler === undefined) throw new QingtuiError(messages.scheduleModuleMissing());
    return new TokenService(options, backend, source, scheduler, usage, events, catalogue);
  },
};

/** The JS-SDK tickets: one credential kind of the engine per ticket kind. */
export const ticketServiceProvider: FactoryProvider<TicketService> = {
  provide: TicketService,
  inject: [
    QINGTUI_RESOLVED_OPTIONS,
    QINGTUI_TOKEN_BACKEND,
    QINGTUI_TOKEN_SOURCE,
    { token: SchedulerRegistry, optional: true },
    QINGTUI_PLATFORM_USAGE,
    TokenService,
    QINGTUI_APP_CATALOGUE,
    QingtuiEvents,
  ],
  useFactory: (
    options: ResolvedQingtuiOptions,
    backend: TokenBackend,
    source: TokenSource,
    scheduler: SchedulerRegistry | undefined,
    usage: PlatformUsage,
    tokens: TokenService,
    catalogue: AppCatalogue,
    events: QingtuiEvents,
  ) => {
    if (scheduler === undefined) throw new QingtuiError(messages.scheduleModuleMissing());
    return new TicketService(options, backend, source, scheduler, usage, tokens, catalogue, events);
  },
};

/** `@InjectQingtuiHttp()`: the module's own axios instance. */
export const qingtuiHttpProvider: Provider = { provide: QINGTUI_HTTP, useExisting: HttpService };

/** Exactly-once sends under a client's idempotency key, in the module's store. */
export const idempotencyLedgerProvider: FactoryProvider<IdempotencyLedger> = {
  provide: IdempotencyLedger,
  inject: [QINGTUI_RESOLVED_OPTIONS, QINGTUI_TOKEN_BACKEND],
  useFactory: (options: ResolvedQingtuiOptions, backend: TokenBackend) =>
    new IdempotencyLedger(backend.values, options.keyPrefix),
};

/** WeCom's per-member message limits, counted in the module's store. */
export const memberMessageLimitsProvider: FactoryProvider<MemberMessageLimits> = {
  provide: MemberMessageLimits,
  inject: [QINGTUI_RESOLVED_OPTIONS, QINGTUI_TOKEN_BACKEND],
  useFactory: (options: ResolvedQingtuiOptions, backend: TokenBackend) =>
    new MemberMessageLimits(backend.values, options.keyPrefix),
};
