import { Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { QingtuiClient } from './clients/qingtui.client.js';
import { InjectQingtuiClient, getQingtuiClientToken } from './clients/qingtui-client.tokens.js';
import { QingtuiConfigError } from './errors/qingtui-config.error.js';
import { QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
import { QingtuiModule } from './qingtui.module.js';
import { TokenService } from './token/token.service.js';

const SECRET = 'super-secret-value-123';

@Injectable()
class UsesClients {
  constructor(
    @InjectQingtuiClient() readonly main: QingtuiClient,
    @InjectQingtuiClient('hr') readonly hr: QingtuiClient,
  ) {}
}

describe('QingtuiModule', () => {
  it('forRoot provides TokenService, the HTTP instance and one client per app', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        QingtuiModule.forRoot({
          apps: [
            { name: 'main', appId: 'a1', appSecret: SECRET },
            { name: 'hr', appId: 'a2', appSecret: SECRET },
          ],
          prefetch: false,
          isGlobal: true,
        }),
      ],
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
    await moduleRef.close();
  });

  it('forRootAsync reads options from @nestjs/config', async () => {
    @Module({})
    class Empty {}
    const moduleRef = await Test.createTestingModule({
      imports: [
        Empty,
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [() => ({ APP_ID: 'cfg-app', APP_SECRET: SECRET })],
        }),
        QingtuiModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            apps: [
              { name: 'main', appId: config.getOrThrow('APP_ID'), appSecret: config.getOrThrow('APP_SECRET') },
              { name: 'hr', appId: 'hr-app', appSecret: SECRET },
            ],
            prefetch: false,
          }),
        }),
      ],
    }).compile();
    expect(moduleRef.get(TokenService).status().map((s) => s.appId)).toEqual(['cfg-app', 'hr-app']);
    await moduleRef.close();
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
    [{ apps: [{ name: 'a', appId: 'x', appSecret: SECRET }], refresh: { ratio: 2 } }, 'refresh.ratio'],
    [{ apps: [{ name: 'a', appId: 'x', appSecret: SECRET }], httpTimeoutMs: -1 }, 'httpTimeoutMs'],
    [{}, 'apps'],
  ])('fails at start-up naming the invalid field (%#)', async (options, field) => {
    const build = Test.createTestingModule({
      imports: [QingtuiModule.forRoot(options)],
    }).compile();
    const error = await build.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QingtuiConfigError);
    expect((error as QingtuiConfigError).field).toBe(field);
    expect((error as Error).message).toContain(`"${field}"`);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('fails at start-up when a client is requested for an unknown app', async () => {
    @Injectable()
    class WantsGhost {
      constructor(@InjectQingtuiClient('ghost') readonly ghost: QingtuiClient) {}
    }
    const build = Test.createTestingModule({
      imports: [
        QingtuiModule.forRoot({ apps: { name: 'main', appId: 'a', appSecret: SECRET }, prefetch: false }),
      ],
      providers: [WantsGhost],
    }).compile();
    const moduleRef = await build;
    await expect(moduleRef.init()).rejects.toThrow(/has no app named "ghost"/);
    await moduleRef.close();
  });
});
