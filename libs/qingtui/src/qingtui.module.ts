import { HttpModule, HttpService } from '@nestjs/axios';
import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
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
import { QingtuiClient } from './clients/qingtui.client.js';
import {
  appOfClientToken,
  getQingtuiClientToken,
  requestedClientTokens,
} from './clients/qingtui-client.tokens.js';
import { ClientInjectionValidator } from './clients/client-injection.validator.js';
import { QingtuiClients } from './clients/qingtui-clients.service.js';
import { DiscoveryModule } from '@nestjs/core';
import { AccessTokenInterceptor } from './http/access-token.interceptor.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import { messages } from './qingtui.messages.js';
import { createTokenBackend } from './store/create-token-backend.js';
import type { TokenBackend } from './store/token-backend.interface.js';
import { tokenKey } from './store/token-keys.js';
import { PlatformUsage } from './token/platform-usage.js';
import { TokenService } from './token/token.service.js';

const logger = new Logger('QingtuiModule');

/**
 * Manages Qingtui access_tokens: `QingtuiModule.forRoot({ apps: [...] })` or
 * `QingtuiModule.forRootAsync({ imports, inject, useFactory })`.
 */
@Module({
  // The module's own axios instance: the token logic never touches the app's other HTTP calls.
  imports: [
    // registerAsync: the axios instance is created per application, not once per process
    // (`register()` would create it when this file loads, sharing interceptors between apps).
    HttpModule.registerAsync({ useFactory: () => ({}) }),
    ScheduleModule.forRoot(),
    DiscoveryModule,
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
      inject: [QINGTUI_RESOLVED_OPTIONS, QINGTUI_TOKEN_BACKEND],
      useFactory: (options: ResolvedQingtuiOptions, backend: TokenBackend) => {
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
      ],
      useFactory: (
        options: ResolvedQingtuiOptions,
        raw: QingtuiModuleOptions,
        http: HttpService,
        backend: TokenBackend,
        usage: PlatformUsage,
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
            }),
    },
    TokenService,
    AccessTokenInterceptor,
    ClientInjectionValidator,
    QingtuiClients,
    { provide: QINGTUI_HTTP, useExisting: HttpService },
  ],
  exports: [TokenService, QingtuiClients, QINGTUI_RESOLVED_OPTIONS, QINGTUI_HTTP],
})
export class QingtuiModule extends QingtuiConfigurableModule {
  static override forRoot(options: typeof QINGTUI_OPTIONS_TYPE): DynamicModule {
    const apps = options.apps === undefined ? [] : [options.apps].flat().map((a) => a?.name);
    const names = options.centralServer?.apps ?? apps;
    return withClientProviders(super.forRoot(options), names);
  }

  static override forRootAsync(options: typeof QINGTUI_ASYNC_OPTIONS_TYPE): DynamicModule {
    return withClientProviders(super.forRootAsync(options), []);
  }
}

/**
 * Adds one `QingtuiClient` provider per app: every app named in synchronous options, and every
 * app requested with `@InjectQingtuiClient()` (decorators run when their classes are defined,
 * before the root module's imports are evaluated). An unknown app fails at start-up.
 */
function withClientProviders(module: DynamicModule, appNames: (string | undefined)[]): DynamicModule {
  const names = new Set<string>();
  for (const name of appNames) if (typeof name === 'string') names.add(name);
  const tokens = new Set([...names].map((n) => getQingtuiClientToken(n)));
  for (const requested of requestedClientTokens) tokens.add(requested);
  const providers: Provider[] = [...tokens].map((token) => ({
    provide: token,
    inject: [HttpService, TokenService],
    useFactory: (http: HttpService, tokenService: TokenService) => {
      // An unknown app is reported at start-up by ClientInjectionValidator when it is injected.
      const app = appOfClientToken(token) ?? tokenService.appNames()[0];
      return new QingtuiClient(http.axiosRef, app);
    },
  }));
  return {
    ...module,
    providers: [...(module.providers ?? []), ...providers],
    exports: [...(module.exports ?? []), ...tokens],
  };
}
