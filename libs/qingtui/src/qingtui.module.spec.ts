import { Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { Test } from '@nestjs/testing';
import { describe, expect, it, vi } from 'vitest';
import { QingtuiClient } from './clients/qingtui.client.js';
import { InjectQingtuiClient, getQingtuiClientToken } from './clients/qingtui-client.tokens.js';
import { QingtuiClients } from './clients/qingtui-clients.service.js';
import { QingtuiConfigError } from './errors/qingtui-config.error.js';
import { QingtuiError } from './errors/qingtui.error.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import type { QingtuiModuleOptions } from './interfaces/qingtui-module-options.interface.js';
import type { QingtuiOptionsFactory } from './interfaces/qingtui-options-factory.interface.js';
import { qingtuiPlatform } from './platforms/qingtui/qingtui.platform.js';
import { QINGTUI_RESOLVED_OPTIONS } from './qingtui.constants.js';
import { QingtuiModule } from './qingtui.module.js';
import { TokenService } from './token/token.service.js';

const SECRET = 'super-secret-value-123';

const TWO_APPS: QingtuiModuleOptions = {
  apps: [
    { name: 'main', appId: 'a1', appSecret: SECRET },
    { name: 'hr', appId: 'a2', appSecret: SECRET },
  ],
  prefetch: false,
};

@Injectable()
class UsesClients {
  constructor(
    @InjectQingtuiClient() readonly main: QingtuiClient,
    @InjectQingtuiClient('hr') readonly hr: QingtuiClient,
  ) {}
}

/** Options from an injectable class, for `useClass` and `useExisting`. */
@Injectable()
class QingtuiConfig implements QingtuiOptionsFactory {
  constructor(@Inject('APP_IDS') private readonly ids: { main: string; hr: string }) {}

  createQingtuiOptions(): QingtuiModuleOptions {
    return {
      apps: [
        { name: 'main', appId: this.ids.main, appSecret: SECRET },
        { name: 'hr', appId: this.ids.hr, appSecret: SECRET },
      ],
      prefetch: false,
    };
  }
}

@Module({
  providers: [
    { provide: 'APP_IDS', useValue: { main: 'class-main', hr: 'class-hr' } },
    QingtuiConfig,
  ],
  exports: [QingtuiConfig, 'APP_IDS'],
})
class QingtuiConfigModule {}

/** Where the module ends up: its clients, as `UsesClients` sees them, and the AppIDs. */
async function clientsAndAppIds(imports: unknown[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [ScheduleModule.forRoot(), ...(imports as never[])],
    providers: [UsesClients],
  }).compile();
  const uses = moduleRef.get(UsesClients);
  const result = {
    main: uses.main.app,
    hr: uses.hr.app,
    appIds: moduleRef
      .get(TokenService)
      .status()
      .map((s) => s.appId),
  };
  await moduleRef.close();
  return result;
}

async function startUpError(build: Promise<unknown>): Promise<Error> {
  const error = await build.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('QingtuiModule', () => {
  it('forRoot provides TokenService, the HTTP instance and one client per app', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot({ ...TWO_APPS, isGlobal: true })],
      providers: [UsesClients],
    }).compile();
    const tokens = moduleRef.get(TokenService);
    expect(tokens.appNames()).toEqual(['main', 'hr']);
    expect(moduleRef.get(QINGTUI_HTTP)).toBeDefined();
    const uses = moduleRef.get(UsesClients);
    expect(uses.main).toBeInstanceOf(QingtuiClient);
    expect(uses.main.app).toBe('main');
    expect(uses.hr.app).toBe('hr');
    expect(moduleRef.get<QingtuiClient>(getQingtuiClientToken('hr')).app).toBe('hr');
    // The injected clients are the registry's: one client per app.
    expect(moduleRef.get(QingtuiClients).get('hr')).toBe(uses.hr);
    await moduleRef.close();
  });

  it('forRootAsync with useFactory reads options from @nestjs/config; clients are declared', async () => {
    const result = await clientsAndAppIds([
      ConfigModule.forRoot({
        ignoreEnvFile: true,
        load: [() => ({ APP_ID: 'cfg-app', APP_SECRET: SECRET })],
      }),
      QingtuiModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({
          apps: [
            {
              name: 'main',
              appId: config.getOrThrow('APP_ID'),
              appSecret: config.getOrThrow('APP_SECRET'),
            },
            { name: 'hr', appId: 'hr-app', appSecret: SECRET },
          ],
          prefetch: false,
        }),
        clients: ['hr'],
      }),
    ]);
    expect(result).toEqual({ main: 'main', hr: 'hr', appIds: ['cfg-app', 'hr-app'] });
  });

  it('forRootAsync with useClass builds the options with a class of its own', async () => {
    const result = await clientsAndAppIds([
      QingtuiModule.forRootAsync({
        imports: [QingtuiConfigModule],
        useClass: QingtuiConfig,
        clients: ['hr'],
      }),
    ]);
    expect(result).toEqual({ main: 'main', hr: 'hr', appIds: ['class-main', 'class-hr'] });
  });

  it('forRootAsync with useExisting reuses a provider of an imported module', async () => {
    const result = await clientsAndAppIds([
      QingtuiModule.forRootAsync({
        imports: [QingtuiConfigModule],
        useExisting: QingtuiConfig,
        clients: ['hr'],
      }),
    ]);
    expect(result).toEqual({ main: 'main', hr: 'hr', appIds: ['class-main', 'class-hr'] });
  });

  it('fails through Nest when a client of an undeclared app is injected', async () => {
    @Injectable()
    class WantsGhost {
      constructor(@InjectQingtuiClient('ghost') readonly ghost: QingtuiClient) {}
    }
    const error = await startUpError(
      Test.createTestingModule({
        imports: [
          ScheduleModule.forRoot(),
          QingtuiModule.forRoot({
            apps: { name: 'main', appId: 'a', appSecret: SECRET },
            prefetch: false,
          }),
        ],
        providers: [WantsGhost],
      }).compile(),
    );
    expect(error.message).toMatch(/can't resolve dependencies of the WantsGhost/);
    expect(error.message).toContain('"QingtuiClient:ghost"');
    expect(error.message).not.toContain(SECRET);
  });

  it('fails through Nest when forRootAsync does not declare the injected client', async () => {
    const error = await startUpError(
      Test.createTestingModule({
        imports: [
          ScheduleModule.forRoot(),
          QingtuiModule.forRootAsync({ useFactory: () => TWO_APPS }),
        ],
        providers: [UsesClients],
      }).compile(),
    );
    expect(error.message).toContain('"QingtuiClient:hr"');
  });

  it('fails at start-up when `clients` names an app that is not configured', async () => {
    const error = await startUpError(
      Test.createTestingModule({
        imports: [
          ScheduleModule.forRoot(),
          QingtuiModule.forRootAsync({ useFactory: () => TWO_APPS, clients: ['hr', 'payroll'] }),
        ],
      }).compile(),
    );
    expect(error).toBeInstanceOf(QingtuiConfigError);
    expect((error as QingtuiConfigError).field).toBe('clients');
    expect(error.message).toBe(
      'Invalid Qingtui configuration: "clients" names "payroll", which is not a configured app ' +
        '(configured: main, hr)',
    );
  });

  it("needs the application's ScheduleModule, and says what to import", async () => {
    const error = await startUpError(
      Test.createTestingModule({ imports: [QingtuiModule.forRoot(TWO_APPS)] }).compile(),
    );
    expect(error).toBeInstanceOf(QingtuiError);
    expect(error.message).toContain(
      'import ScheduleModule.forRoot() from @nestjs/schedule in your root module',
    );
    expect(error.message).toContain('SchedulerRegistry');
    expect(error.message).not.toMatch(/can't resolve dependencies/);
  });

  it('validates each app once', async () => {
    const resolveApp = vi.spyOn(qingtuiPlatform, 'resolveApp');
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot(TWO_APPS)],
      }).compile();
      expect(resolveApp).toHaveBeenCalledTimes(2);
      await moduleRef.close();
    } finally {
      resolveApp.mockRestore();
    }
  });

  it('keeps its internal options to itself: the resolved options are not exported', async () => {
    @Injectable()
    class ReadsOptions {
      constructor(@Inject(QINGTUI_RESOLVED_OPTIONS) readonly options: unknown) {}
    }
    const error = await startUpError(
      Test.createTestingModule({
        imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot(TWO_APPS)],
        providers: [ReadsOptions],
      }).compile(),
    );
    expect(error.message).toMatch(/can't resolve dependencies of the ReadsOptions/);
  });

  it.each([
    [{ apps: [] }, 'apps'],
    [{ apps: [{ name: 'a', appId: '', appSecret: SECRET }] }, 'apps[0].appId'],
    [{ apps: [{ name: 'a', appId: 'x', appSecret: '' }] }, 'apps[0].appSecret'],
    [
      {
        apps: [
          { name: 'a', appId: 'x', appSecret: SECRET },
          { name: 'a', appId: 'y', appSecret: SECRET },
        ],
      },
      'apps[1].name',
    ],
    [{ apps: [{ name: 'a', appId: 'x', appSecret: SECRET }], baseUrl: 'ftp://x' }, 'baseUrl'],
    [
      { apps: [{ name: 'a', appId: 'x', appSecret: SECRET }], refresh: { ratio: 2 } },
      'refresh.ratio',
    ],
    [
      { apps: [{ name: 'a', appId: 'x', appSecret: SECRET }], refresh: { sweepIntervalMs: 500 } },
      'refresh.sweepIntervalMs',
    ],
    [{ apps: [{ name: 'a', appId: 'x', appSecret: SECRET }], httpTimeoutMs: -1 }, 'httpTimeoutMs'],
    [{}, 'apps'],
  ])('fails at start-up naming the invalid field (%#)', async (options, field) => {
    const error = await startUpError(
      Test.createTestingModule({
        imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot(options)],
      }).compile(),
    );
    expect(error).toBeInstanceOf(QingtuiConfigError);
    expect((error as QingtuiConfigError).field).toBe(field);
    expect(error.message).toContain(`"${field}"`);
    expect(error.message).not.toContain(SECRET);
  });
});
