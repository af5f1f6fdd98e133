import { HttpModule, HttpService } from '@nestjs/axios';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { CentralServerTokenSource } from './central/central-server.source.js';
import {
  encryptionKey,
  resolveAppSecrets,
  resolveQingtuiOptions,
} from './config/resolve-options.js';
import type { ResolvedQingtuiOptions } from './config/resolved-options.js';
import type { QingtuiModuleOptions } from './interfaces/qingtui-module-options.interface.js';
import { QingtuiTokenSource } from './platform/qingtui-token.source.js';
import {
  QINGTUI_PLATFORM_NAME,
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
import { qingtuiClientProviders } from './clients/qingtui-client.providers.js';
import { QingtuiClients } from './clients/qingtui-clients.service.js';
import { QingtuiEvents } from './events/qingtui-events.service.js';
import { AccessTokenInterceptor } from './http/access-token.interceptor.js';
import { qingtuiObservabilityProviders } from './metrics/qingtui-metrics.providers.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import { messages } from './qingtui.messages.js';
import { createTokenBackend } from './store/create-token-backend.js';
import type { TokenBackend } from './store/token-backend.interface.js';
import { tokenKey } from './store/token-keys.js';
import { PlatformUsage } from './token/platform-usage.js';
import { TokenSweepScheduler } from './token/token-sweep.scheduler.js';
import { TokenService } from './token/token.service.js';

const logger = new Logger('QingtuiModule');

/**
 * Manages Qingtui access_tokens: `QingtuiModule.forRoot({ apps: [...] })` or
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
      useFactory: (options: ResolvedQingtuiOptions, backend: TokenBackend, events: QingtuiEvents) => {
        const appIds = new Map(options.apps.map((a) => [a.name, a.appId]));
        const key = (app: string, kind: 'calls' | 'quota-exhausted', day: string) =>
          tokenKey(options.keyPrefix, QINGTUI_PLATFORM_NAME, appIds.get(app) ?? app, `${kind}:${day}`);
        return new PlatformUsage(
          new Map(options.apps.map((a) => [a.name, a.dailyQuota])),
          // Consumer mode: the central server counts; these are this process's own calls.
          options.mode === 'central'
            ? {
                backend,
                keys: (app) => ({
                  calls: (day) => key(app, 'calls', day),
                  exhausted: (day) => key(app, 'quota-exhausted', day),
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
          : new QingtuiTokenSource({
              http: http.axiosRef,
              baseUrl: options.baseUrl,
              timeoutMs: options.httpTimeoutMs,
              usage,
              // The secrets go from the raw options to this fetcher only.
              secrets: resolveAppSecrets(raw),
              encryptionKey: encryptionKey(raw.encryptionKey),
              gate: {
                reserve: (app, intervalMs) =>
                  backend.reserveCall(
                    tokenKey(options.keyPrefix, QINGTUI_PLATFORM_NAME, app.appId, 'token-call'),
                    intervalMs,
                  ),
              },
              onRefreshTokenRejected: (app, error) =>
                logger.warn(messages.refreshTokenRejected(app.name, error.errcode)),
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
   * Options known when the module is declared. Every app of `apps` (or `centralServer.apps`)
   * gets an injectable client, as do the apps listed in `clients`.
   */
  static override forRoot(options: typeof QINGTUI_OPTIONS_TYPE): DynamicModule {
    const apps = options.apps === undefined ? [] : [options.apps].flat();
    const names = options.centralServer?.apps ?? apps.map((app) => app?.name);
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
