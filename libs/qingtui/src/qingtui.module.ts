import { HttpModule, HttpService } from '@nestjs/axios';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { qingtuiClientProviders } from './clients/qingtui-client.providers.js';
import { QingtuiClients } from './clients/qingtui-clients.service.js';
import { resolveQingtuiOptions } from './config/resolve-options.js';
import type { ResolvedQingtuiOptions } from './config/resolved-options.js';
import { AccessTokenInterceptor } from './http/access-token.interceptor.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import type { QingtuiModuleOptions } from './interfaces/qingtui-module-options.interface.js';
import {
  QINGTUI_PLATFORM_USAGE,
  QINGTUI_RESOLVED_OPTIONS,
  QINGTUI_TOKEN_BACKEND,
  QINGTUI_TOKEN_SOURCE,
} from './qingtui.constants.js';
import {
  QINGTUI_ASYNC_OPTIONS_TYPE,
  QINGTUI_MODULE_OPTIONS,
  QINGTUI_OPTIONS_TYPE,
  QingtuiConfigurableModule,
} from './qingtui.module-definition.js';
import { QingtuiEvents } from './events/qingtui-events.service.js';
import { qingtuiObservabilityProviders } from './metrics/qingtui-metrics.providers.js';
import { qingtuiPlatform } from './platforms/qingtui/qingtui.platform.js';
import { messages } from './qingtui.messages.js';
import { createTokenBackend } from './token/backends/create-token-backend.js';
import type { TokenBackend } from './token/backends/token-backend.interface.js';
import { appKey } from './token/backends/token-keys.js';
import { PlatformUsage } from './token/platform-usage.js';
import { CentralServerTokenSource } from './token/sources/central-server.source.js';
import { createPlatformTokenSource } from './token/sources/create-platform-token-source.js';
import { TokenSweepScheduler } from './token/token-sweep.scheduler.js';
import { TokenService } from './token/token.service.js';

const logger = new Logger('QingtuiModule');

/**
 * Manages the access_tokens of Qingtui, WeChat Official Account and WeCom apps:
 * `QingtuiModule.forRoot({ apps: [...] })` or
 * `QingtuiModule.forRootAsync({ imports, inject, useFactory | useClass | useExisting, clients })`.
 *
 * It needs the application's `ScheduleModule.forRoot()` (from `@nestjs/schedule`), imported
 * once by the application: the renewal timers are kept in its `SchedulerRegistry` and the
 * safety-net sweep is one of its `@Cron` jobs. The module starts no scheduler of its own, so
 * the application's own jobs never run twice.
 */
@Module({
  // The module's own axios instance (not global): the token logic never touches the app's other
  // HTTP calls, and the app's HttpModule never sees this one.
  imports: [
    // registerAsync: the axios instance is created per application, not once per process
    // (`register()` would create it when this file loads, sharing interceptors between apps).
    HttpModule.registerAsync({ useFactory: () => ({}) }),
  ],
  providers: [
    {
      provide: QINGTUI_RESOLVED_OPTIONS,
      inject: [QINGTUI_MODULE_OPTIONS],
      useFactory: (options: QingtuiModuleOptions) => resolveQingtuiOptions(options),
    },
    {
      provide: QINGTUI_TOKEN_BACKEND,
      inject: [QINGTUI_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedQingtuiOptions) => createTokenBackend(options),
    },
    {
      provide: QINGTUI_PLATFORM_USAGE,
      inject: [QINGTUI_RESOLVED_OPTIONS, QINGTUI_TOKEN_BACKEND, QingtuiEvents],
      useFactory: (
        options: ResolvedQingtuiOptions,
        backend: TokenBackend,
        events: QingtuiEvents,
      ) => {
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
    },
    {
      provide: QINGTUI_TOKEN_SOURCE,
      inject: [
        QINGTUI_RESOLVED_OPTIONS,
        QINGTUI_MODULE_OPTIONS,
        HttpService,
        QINGTUI_TOKEN_BACKEND,
        QINGTUI_PLATFORM_USAGE,
        QingtuiEvents,
      ],
      useFactory: (
        options: ResolvedQingtuiOptions,
        raw: QingtuiModuleOptions,
        http: HttpService,
        backend: TokenBackend,
        usage: PlatformUsage,
        events: QingtuiEvents,
      ) =>
        options.mode === 'consumer'
          ? new CentralServerTokenSource({
              http: http.axiosRef,
              url: options.centralServer!.url,
              apiKey: options.centralServer!.apiKey,
              timeoutMs: options.httpTimeoutMs,
            })
          : // The secrets go from the raw options to each app's token fetcher only.
            createPlatformTokenSource(options, raw, {
              http: http.axiosRef,
              backend,
              usage,
              onRefreshTokenRejected: (app, error) =>
                logger.warn(messages.refreshTokenRejected(app, error.errcode)),
              events,
            }),
    },
    TokenService,
    TokenSweepScheduler,
    AccessTokenInterceptor,
    QingtuiClients,
    { provide: QINGTUI_HTTP, useExisting: HttpService },
    ...qingtuiObservabilityProviders,
  ],
  exports: [TokenService, QingtuiClients, QingtuiEvents, QINGTUI_RESOLVED_OPTIONS, QINGTUI_HTTP],
})
export class QingtuiModule extends QingtuiConfigurableModule {
  /**
   * Options known when the module is declared. Every Qingtui app of `apps` (or
   * `centralServer.apps`) gets an injectable client, as do the apps listed in `clients`.
   */
  static override forRoot(options: typeof QINGTUI_OPTIONS_TYPE): DynamicModule {
    const entries: unknown[] = [options.centralServer?.apps ?? options.apps ?? []].flat();
    // The typed client speaks the Qingtui API: apps of other platforms get none.
    const names = entries.flatMap((entry) => {
      if (typeof entry === 'string') return [entry];
      const app = entry as { name?: unknown; platform?: unknown } | null;
      const qingtui = app?.platform === undefined || app.platform === qingtuiPlatform.name;
      return qingtui && typeof app?.name === 'string' ? [app.name] : [];
    });
    return withClients(super.forRoot(options), [...names, ...(options.clients ?? [])]);
  }

  /**
   * Options computed at start-up (`useFactory`, `useClass` or `useExisting`). List in `clients`
   * the apps whose clients are injected with `@InjectQingtuiClient('name')`.
   */
  static override forRootAsync(options: typeof QINGTUI_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withClients(super.forRootAsync(options), options.clients ?? []);
  }
}

/** Adds the client providers of the declared apps (and of the default app), and exports them. */
function withClients(module: DynamicModule, apps: unknown[]): DynamicModule {
  const providers = qingtuiClientProviders(
    apps.filter((name): name is string => typeof name === 'string'),
  );
  return {
    ...module,
    providers: [...(module.providers ?? []), ...providers],
    exports: [...(module.exports ?? []), ...providers.map((p) => p.provide)],
  };
}
