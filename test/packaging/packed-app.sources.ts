/*
 * The packaging test's own files in the fresh application, beside those copied from the README:
 * small programs that run the app and print what they saw as one JSON line. They use the
 * packages' public API only, as any application would.
 */

/** Runs the README's AppModule: a token, and a message through the README's Notifier. */
export const CHECK_TS = `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { TokenService } from 'nestjs-qingtui';
import { AppModule } from './app.module.js';
import { Notifier } from './notifier.service.js';

const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
const token = await app.get(TokenService).getToken();
const notifier = app.get(Notifier);
const same = (await notifier.token()) === token;
const msgId = await notifier.alert(process.env.FOLLOWER ?? '', 'Hello from a packed app');
console.log(JSON.stringify({ token, same, msgId, store: app.get(TokenService).storeInfo().kind }));
await app.close();
`;

/** Consumer mode: no AppSecret, tokens from a central control server. */
export const CONSUMER_TS = `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { InjectQingtuiClient, QingtuiClient, QingtuiModule, TokenService } from 'nestjs-qingtui';

@Injectable()
class Alerts {
  constructor(
    @InjectQingtuiClient('default') readonly client: QingtuiClient,
    readonly tokens: TokenService,
  ) {}
}

@Module({
  imports: [
    ScheduleModule.forRoot(),
    QingtuiModule.forRoot({
      centralServer: {
        url: process.env.CENTRAL_URL ?? '',
        apiKey: process.env.CENTRAL_KEY ?? '',
        apps: ['default'],
      },
      baseUrl: process.env.QINGTUI_BASE_URL,
    }),
  ],
  providers: [Alerts],
})
class ConsumerModule {}

const app = await NestFactory.createApplicationContext(ConsumerModule, { logger: ['error', 'warn'] });
const alerts = app.get(Alerts);
const token = await alerts.tokens.getToken('default');
const { msgId } = await alerts.client.sendText({ toUser: process.env.FOLLOWER ?? '' }, 'Hello, consumer');
console.log(JSON.stringify({ token, msgId }));
await app.close();
`;

/** Asks for the Redis store: a clear error without @keyv/redis, a shared token with it. */
export const REDIS_CHECK_TS = `import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { QingtuiModule, TokenService } from 'nestjs-qingtui';

@Module({
  imports: [
    ScheduleModule.forRoot(),
    QingtuiModule.forRoot({
      apps: [
        {
          name: 'crm',
          appId: process.env.QINGTUI_APP_ID ?? '',
          appSecret: process.env.QINGTUI_APP_SECRET ?? '',
        },
      ],
      baseUrl: process.env.QINGTUI_BASE_URL,
      redisUrl: process.env.REDIS_URL,
      keyPrefix: process.env.KEY_PREFIX,
    }),
  ],
})
class RedisModule {}

try {
  const app = await NestFactory.createApplicationContext(RedisModule, {
    logger: false,
    abortOnError: false,
  });
  const tokens = app.get(TokenService);
  const token = await tokens.getToken();
  console.log(JSON.stringify({ token, store: tokens.storeInfo().kind }));
  await app.close();
} catch (error) {
  console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
}
`;

/**
 * The lifecycle events without any optional package, and the `metrics` option without
 * prom-client: a clear error naming it.
 */
export const OBSERVABILITY_CHECK_TS = `import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { QINGTUI_EVENTS, QingtuiEvents, QingtuiModule, TokenService } from 'nestjs-qingtui';

function appModule(extra: { metrics?: {} }): DynamicModule {
  @Module({})
  class ObservedModule {}
  return {
    module: ObservedModule,
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [
          {
            name: 'crm',
            appId: process.env.QINGTUI_APP_ID ?? '',
            appSecret: process.env.QINGTUI_APP_SECRET ?? '',
          },
        ],
        baseUrl: process.env.QINGTUI_BASE_URL,
        prefetch: false,
        ...extra,
      }),
    ],
  };
}

// The platform allows one /v1/token call per app every 2 s; the previous program may just have made one.
await new Promise((resolve) => setTimeout(resolve, 2_100));
const options = { logger: false as const, abortOnError: false };
const app = await NestFactory.createApplicationContext(appModule({}), options);
const renewed: string[] = [];
app.get(QingtuiEvents).on(QINGTUI_EVENTS.tokenRenewed, (e) => renewed.push(\`\${e.app}:\${e.reason}:\${e.via}\`));
await app.get(TokenService).getToken();
await app.close();
let metricsError: string | undefined;
try {
  const withMetrics = await NestFactory.createApplicationContext(appModule({ metrics: {} }), options);
  await withMetrics.close();
} catch (error) {
  metricsError = error instanceof Error ? error.message : String(error);
}
console.log(JSON.stringify({ renewed, metricsError }));
`;
