import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { ApiKeyRegistry } from './auth/api-key.registry.js';
import { BODY_LIMIT } from './common/error-response.js';
import { setupOpenApi } from './common/openapi.js';
import type { ServerConfig } from './config/server-config.interface.js';
import { serverConfigModule } from './config/server-config.module.js';
import { EmbeddedSandbox } from './sandbox/embedded-sandbox.js';
import { sandboxBanner } from './sandbox/sandbox-banner.js';

export interface CreateAppOptions {
  /** Nest logger (a `LoggerService`, log levels, or false for silence). Default: Nest's console logger. */
  logger?: LoggerService | LogLevel[] | false;
  /**
   * Close the app gracefully on SIGTERM/SIGINT (`enableShutdownHooks`). On in `main.ts`; tests
   * that create many apps in one process leave it off.
   * @default false
   */
  shutdownHooks?: boolean;
}

/**
 * Builds and initialises the server from an environment (`process.env` in `main.ts`, a plain
 * object in tests) without listening: use `app.getHttpServer()` with supertest, or `startServer`.
 * @throws ConfigValidationError naming the variable, when the environment is invalid
 */
export async function createApp(
  env: Record<string, unknown>,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  // Validated before Nest starts, so that a configuration error is one clear line.
  const configModule = await serverConfigModule(env);
  const bare = env.BENCH_BARE_ENDPOINT;
  const benchBareEndpoint = typeof bare === 'string' && ['true', '1'].includes(bare.trim());
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(configModule, { benchBareEndpoint }),
    {
      // One JSON parser with our limit; no urlencoded parser: the API speaks JSON only.
      bodyParser: false,
      abortOnError: false,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    },
  );
  app.useBodyParser('json', { limit: BODY_LIMIT });
  app.disable('x-powered-by');
  if (options.shutdownHooks) app.enableShutdownHooks();
  setupOpenApi(app);
  await app.init();
  return app;
}

/**
 * `createApp`, then listens on `PORT` and logs where; in sandbox mode, prints the banner with
 * the development key and ready-to-paste curl commands.
 */
export async function startServer(
  env: Record<string, unknown>,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await createApp(env, options);
  const config = app.get<ConfigService<ServerConfig, true>>(ConfigService);
  await app.listen(config.get('http', { infer: true }).port);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const logger = new Logger('Bootstrap');

  const sandbox = app.get(EmbeddedSandbox);
  if (sandbox.enabled) {
    const platform = config.get('platform', { infer: true });
    if (platform.mode === 'sandbox' && platform.ignoredBaseUrl) {
      logger.warn('QINGTUI_BASE_URL is ignored in sandbox mode (no app configured)');
    }
    logger.log(
      sandboxBanner({
        serverUrl: url,
        sandboxUrl: sandbox.url!,
        developmentKey: app.get(ApiKeyRegistry).developmentKey,
        follower: sandbox.followers[0],
      }),
    );
  }
  logger.log(`Qingtui token server listening on ${url} (API docs: ${url}/docs)`);
  return app;
}
