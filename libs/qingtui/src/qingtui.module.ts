import { HttpModule, HttpService } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { CentralServerTokenSource } from './central/central-server.source.js';
import { resolveQingtuiOptions } from './config/resolve-options.js';
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
import { QingtuiConfigurableModule, QINGTUI_MODULE_OPTIONS } from './qingtui.module-definition.js';
import { messages } from './qingtui.messages.js';
import { createTokenBackend } from './store/create-token-backend.js';
import type { TokenBackend } from './store/token-backend.interface.js';
import { tokenKey } from './store/token-keys.js';
import { PlatformUsage } from './token/platform-usage.js';
import { TokenService } from './token/token.service.js';
import { Logger } from '@nestjs/common';

const logger = new Logger('QingtuiModule');

/**
 * Manages Qingtui access_tokens: `QingtuiModule.forRoot({ apps: [...] })` or
 * `QingtuiModule.forRootAsync({ imports, inject, useFactory })`.
 */
@Module({
  // The module's own axios instance: the token logic never touches the app's other HTTP calls.
  imports: [HttpModule.register({}), ScheduleModule.forRoot()],
  providers: [
    {
      provide: QINGTUI_RESOLVED_OPTIONS,
      inject: [QINGTUI_MODULE_OPTIONS],
      useFactory: (options: QingtuiModuleOptions) => resolveQingtuiOptions(options),
    },
    { provide: QINGTUI_PLATFORM_USAGE, useFactory: () => new PlatformUsage() },
    {
      provide: QINGTUI_TOKEN_BACKEND,
      inject: [QINGTUI_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedQingtuiOptions) => createTokenBackend(options),
    },
    {
      provide: QINGTUI_TOKEN_SOURCE,
      inject: [QINGTUI_RESOLVED_OPTIONS, HttpService, QINGTUI_TOKEN_BACKEND, QINGTUI_PLATFORM_USAGE],
      useFactory: (
        options: ResolvedQingtuiOptions,
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
  ],
  exports: [TokenService, QINGTUI_RESOLVED_OPTIONS],
})
export class QingtuiModule extends QingtuiConfigurableModule {}
