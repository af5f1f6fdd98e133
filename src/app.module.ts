import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { QingtuiModule } from 'nestjs-qingtui';
import { AuthModule } from './auth/auth.module.js';
import { BenchModule } from './bench/bench.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { createValidationPipe } from './common/validation-pipe.js';
import { AppsConfigModule } from './config/apps-config.module.js';
import { AppsFileReloader } from './config/apps-file.reloader.js';
import { qingtuiOptions } from './config/qingtui-options.js';
import type { ServerConfig } from './config/server-config.interface.js';
import { HealthModule } from './health/health.module.js';
import { JsonBodyInterceptor } from './http/json-body.interceptor.js';
import { LoggingModule } from './logging/logging.module.js';
import { SecretRedactor } from './logging/secret-redactor.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { PlatformPathsModule } from './platform-paths/platform-paths.module.js';
import { RelayModule } from './relay/relay.module.js';
import { EmbeddedSandbox } from './sandbox/embedded-sandbox.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { StatusModule } from './status/status.module.js';
import { TicketsModule } from './tickets/tickets.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { Registry } from 'prom-client';

/** Options of `AppModule.register` that do not come from the environment. */
export interface AppModuleOptions {
  /** Serve `GET /bench/bare` (`BENCH_BARE_ENDPOINT`). */
  benchBareEndpoint?: boolean;
  /** Interval of the refused-client-keys summary line. @default 60_000 (ms) */
  authFailureLogIntervalMs?: number;
  /** The logger's redactor, told of AppSecrets learned after start-up. @default a new one */
  redactor?: SecretRedactor;
}

/** The central control server. Built around a validated `ConfigModule` (see `createApp`). */
@Module({})
export class AppModule {
  static register(configModule: DynamicModule, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule,
        LoggingModule.register(options.redactor ?? new SecretRedactor()),
        MetricsModule,
        // The application's scheduler, which QingtuiModule's renewal timers and sweep job use.
        ScheduleModule.forRoot(),
        SandboxModule,
        AppsConfigModule,
        QingtuiModule.forRootAsync({
          isGlobal: true,
          imports: [SandboxModule, AppsConfigModule, MetricsModule],
          inject: [ConfigService, EmbeddedSandbox, AppsFileReloader, Registry],
          useFactory: (
            config: ConfigService<ServerConfig, true>,
            sandbox: EmbeddedSandbox,
            secrets: AppsFileReloader,
            registry: Registry,
          ) => ({
            ...qingtuiOptions(
              {
                platform: config.get('platform', { infer: true }),
                store: config.get('store', { infer: true }),
                tuning: config.get('tuning', { infer: true }),
              },
              sandbox,
              secrets,
            ),
            // The library's qingtui_* metrics, served with the server's own at GET /metrics.
            metrics: { registry },
          }),
        }),
        AuthModule.register({ failureLogIntervalMs: options.authFailureLogIntervalMs }),
        TokensModule,
        TicketsModule,
        PlatformPathsModule,
        MessagesModule,
        HealthModule,
        StatusModule,
        // Last: its wildcard routes pass on what they do not relay (token paths) to later routes.
        RelayModule,
        ...(options.benchBareEndpoint ? [BenchModule] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: JsonBodyInterceptor },
      ],
    };
  }
}
