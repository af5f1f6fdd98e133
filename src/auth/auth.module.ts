import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyRegistry } from './api-key.registry.js';
import { AuthFailureMonitor } from './auth-failure.monitor.js';

/** Default interval of the refused-requests summary line. */
export const DEFAULT_AUTH_FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * Client-key authentication of every route, through a global guard. Global, so that health can
 * read the refusal counts.
 */
@Module({})
export class AuthModule {
  static register(options: { failureLogIntervalMs?: number } = {}): DynamicModule {
    const interval = options.failureLogIntervalMs ?? DEFAULT_AUTH_FAILURE_LOG_INTERVAL_MS;
    return {
      module: AuthModule,
      global: true,
      providers: [
        ApiKeyRegistry,
        { provide: AuthFailureMonitor, useFactory: () => new AuthFailureMonitor(interval) },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [ApiKeyRegistry, AuthFailureMonitor],
    };
  }
}
