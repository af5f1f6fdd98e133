import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { AppModule } from './app.module.js';
import { checkRedis, checkRedisTopology } from './config/redis-preflight.js';
import { ApiKeyRegistry } from './auth/api-key.registry.js';
import { setupOpenApi } from './common/openapi.js';
import { AppsFileReloader } from './config/apps-file.reloader.js';
import type { ServerConfig } from './config/server-config.interface.js';
import { serverConfigModule } from './config/server-config.module.js';
import { validateEnvironment } from './config/validate-environment.js';
import { securityHeaders } from './http/security-headers.middleware.js';
import { GracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { listenOnPort } from './lifecycle/listen-on-port.js';
import { RequestGate } from './lifecycle/request-gate.js';
import { AccessLog } from './logging/access-log.middleware.js';
import { SecretRedactor } from './logging/secret-redactor.js';
import { secretValuesOf } from './logging/secret-values.js';
import { ServerLogger } from './logging/server-logger.js';
import { unknownVariables } from './config/unknown-variables.js';
import { HttpMetrics } from './metrics/http-metrics.middleware.js';
import { EmbeddedSandbox } from './sandbox/embedded-sandbox.js';
import { sandboxBanner } from './sandbox/sandbox-banner.js';

export interface CreateAppOptions {
  /**
   * Nest logger (a `LoggerService`, log levels, or false for silence). Default: the server's own
   * (`ServerLogger`: `LOG_LEVEL`, `LOG_FORMAT`, ISO timestamps, secrets redacted).
   */
  logger?: LoggerService | LogLevel[] | false;
  /**
   * Handle process signals (`startServer` only): SIGTERM/SIGINT stop accepting connections,
   * finish the requests in flight and exit; SIGHUP reloads `QINGTUI_APPS_FILE`. On in `main.ts`;
   * tests that create many apps in one process leave it off.
   * @default false
   */
  handleSignals?: boolean;
  /** Interval of the refused-client-keys summary line. @default 60_000 (ms) */
  authFailureLogIntervalMs?: number;
}

interface BuiltApp {
  app: NestExpressApplication;
  config: ServerConfig;
  gate: RequestGate;
}

/** Validates the environment and builds the Nest application, neither initialised nor listening. */
async function buildApp(
  env: Record<string, unknown>,
  options: CreateAppOptions,
): Promise<BuiltApp> {
  // Validated before Nest starts, so that a configuration error is one clear line.
  const config = validateEnvironment(env);
  const preflightMs = Math.max(2_000, config.store.redisTimeoutMs ?? 2_000);
  if (config.store.redisUrl !== undefined && !config.store.redisOptional) {
    await checkRedis(config.store.redisUrl, preflightMs);
  }
  if (config.store.redis !== undefined && !config.store.redisOptional) {
    await checkRedisTopology(
      config.store.redis,
      config.store.redisVariable!,
      config.store.redisDisplay!,
      preflightMs,
    );
  }
  const redactor = new SecretRedactor(secretValuesOf(env, config));
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(await serverConfigModule(config), {
      benchBareEndpoint: config.tuning.benchBareEndpoint,
      authFailureLogIntervalMs: options.authFailureLogIntervalMs,
      redactor,
    }),
    {
      // No global body parser: JsonBodyInterceptor parses the bodies of the routes that take
      // one, with that route's limit, after the client key is checked.
      bodyParser: false,
      abortOnError: false,
      logger: options.logger ?? new ServerLogger({ ...config.logging, redactor }),
    },
  );
  for (const unknown of unknownVariables(env)) {
    new Logger('Config').warn(
      `${unknown.name} is set but is not a variable this server reads` +
        (unknown.closest === undefined
          ? ' (ignored)'
          : `: did you mean ${unknown.closest}? (ignored)`),
    );
  }
  // The banner shows the development key on purpose (the only key ever printed).
  const developmentKey = app.get(ApiKeyRegistry).developmentKey;
  if (developmentKey !== undefined) redactor.allow(developmentKey);
  const gate = new RequestGate();
  // First, so that they see every request, the ones waiting for the start-up included.
  app.use(new AccessLog().middleware);
  app.use(app.get(HttpMetrics).middleware);
  app.use(securityHeaders);
  app.use(gate.middleware);
  app.disable('x-powered-by');
  // Node answers `Expect: 100-continue` with "100 Continue" before any handler runs, inviting
  // the body of a client not yet authenticated. Handled as a plain request instead: the JSON
  // body interceptor (after the guards) sends the 100 once the key was accepted.
  const http = app.getHttpServer();
  http.on('checkContinue', (request: IncomingMessage, response: ServerResponse) =>
    http.emit('request', request, response),
  );
  setupOpenApi(app);
  return { app, config, gate };
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
  const { app, gate } = await buildApp(env, options);
  await app.init();
  gate.open();
  return app;
}

/**
 * Binds `PORT` first, then initialises the application (which fetches the tokens), so that a
 * busy port fails before any platform call; requests that arrive meanwhile wait for the end of
 * the start-up. Logs where it listens and which store it uses; in sandbox mode, prints the
 * banner with the development key and ready-to-paste curl commands.
 * @throws ConfigValidationError naming the variable (`PORT` for a busy port)
 */
export async function startServer(
  env: Record<string, unknown>,
  options: CreateAppOptions = {},
): Promise<NestExpressApplication> {
  const { app, config, gate } = await buildApp(env, options);
  const server = app.getHttpServer();
  try {
    await listenOnPort(server, config.http.port);
    await app.init();
  } catch (error) {
    server.closeAllConnections();
    await app.close().catch(() => undefined);
    throw error;
  }
  gate.open();
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  const logger = new Logger('Bootstrap');

  const sandbox = app.get(EmbeddedSandbox);
  if (sandbox.enabled) {
    const ignored = config.platform.mode === 'sandbox' ? config.platform.ignoredBaseUrls : [];
    if (ignored.length > 0) {
      logger.warn(
        `${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored in sandbox mode (no app configured)`,
      );
    }
    logger.log(
      sandboxBanner({
        serverUrl: url,
        sandboxUrl: sandbox.url!,
        developmentKey: app.get(ApiKeyRegistry).developmentKey,
        follower: sandbox.followers[0],
        metricsProtected: config.metrics.keyDigest !== undefined,
        tokenTtlSeconds:
          config.platform.mode === 'sandbox' ? config.platform.tokenTtlSeconds : undefined,
      }),
    );
  } else {
    logger.log(
      `Status page: ${url}/status (a browser signs in with any user name and a client key as ` +
        `password); metrics: ${url}/metrics (${config.metrics.keyDigest === undefined ? 'open' : 'Bearer METRICS_KEY'})`,
    );
    if (config.metrics.keyDigest === undefined) {
      // Open by choice: Prometheus scrapes without credentials by default, the metrics hold no
      // token or secret, and a rendering is cached for a second whatever the scrapers.
      logger.warn(
        `${url}/metrics is open to anyone who reaches this port: set METRICS_KEY to require a key`,
      );
    }
  }
  logger.log(
    config.store.redisDisplay === undefined
      ? 'Token store: this process only (set REDIS_URL to share tokens between instances)'
      : `Token store: Redis at ${config.store.redisDisplay} (${config.store.redisVariable})` +
          (config.store.redisOptional ? ', optional at start-up (REDIS_OPTIONAL)' : ''),
  );
  logger.log(
    `Token server for Qingtui, WeChat and WeCom listening on ${url} (API docs: ${url}/docs)`,
  );

  if (options.handleSignals) {
    new GracefulShutdown(app, server, gate, config.http.shutdownTimeoutMs).install();
    const reloader = app.get(AppsFileReloader);
    process.on('SIGHUP', () => reloader.reload('SIGHUP'));
  }
  return app;
}
