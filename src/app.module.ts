import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { QingtuiModule } from 'nestjs-qingtui';
import { AuthModule } from './auth/auth.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { createValidationPipe } from './common/validation-pipe.js';
import { qingtuiOptions } from './config/qingtui-options.js';
import type { ServerConfig } from './config/server-config.interface.js';
import { BenchModule } from './bench/bench.module.js';
import { HealthModule } from './health/health.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { EmbeddedSandbox } from './sandbox/embedded-sandbox.js';
import { SandboxModule } from './sandbox/sandbox.module.js';
import { TokensModule } from './tokens/tokens.module.js';

/** The central control server. Built around a validated `ConfigModule` (see `createApp`). */
@Module({})
export class AppModule {
  static register(
    configModule: DynamicModule,
    options: { benchBareEndpoint?: boolean } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule,
        // The application's scheduler, which QingtuiModule's renewal timers and sweep job use.
        ScheduleModule.forRoot(),
        SandboxModule,
        QingtuiModule.forRootAsync({
          isGlobal: true,
          imports: [SandboxModule],
          inject: [ConfigService, EmbeddedSandbox],
          useFactory: (config: ConfigService<ServerConfig, true>, sandbox: EmbeddedSandbox) =>
            qingtuiOptions(
              config.get('platform', { infer: true }),
              config.get('store', { infer: true }),
              sandbox,
            ),
        }),
        AuthModule,
        TokensModule,
        MessagesModule,
        HealthModule,
        ...(options.benchBareEndpoint ? [BenchModule] : []),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
