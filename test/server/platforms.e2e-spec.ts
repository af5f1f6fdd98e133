import type { HttpService } from '@nestjs/axios';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { QINGTUI_HTTP, QingtuiModule, TokenService } from 'nestjs-qingtui';
import {
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
  wecomAppKey,
} from 'qingtui-sandbox';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/app.factory.js';
import { ConfigValidationError } from '../../src/config/config-validation.error.js';
import { validateEnvironment } from '../../src/config/validate-environment.js';
import { EmbeddedSandbox } from '../../src/sandbox/embedded-sandbox.js';
import {
  ADMIN_KEY,
  CRM_APP,
  OutputCapture,
  SECRETS,
  serverEnv,
  startHarness,
  type ServerHarness,
  writeAppsFile,
} from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';

/*
 * One server, one apps file, apps of the three platforms, against the sandbox (which emulates
 * the three): every endpoint for every app, and what the apps file accepts.
 */

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
const WX = SANDBOX_DEMO_WECHAT_APP;
const WW = SANDBOX_DEMO_WECOM_APP;
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);

/** The apps file of the server: one app of each shape (and a stable_token twin of the WeChat app). */
const APPS = [
  { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
  { name: 'wechat', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
  {
    name: 'wechat-stable',
    platform: 'wechat-mp',
    appId: WX.appId,
    appSecret: WX.appSecret,
    stableToken: true,
  },
  {
    name: 'wecom',
    platform: 'wecom',
    corpId: WW.corpId,
    agentId: Number(WW.agentId),
    secret: WW.secret,
  },
];
const ALL_SECRETS = [...SECRETS, WX.appSecret, WW.secret];

describe('apps of three platforms in one server', () => {
  let h: ServerHarness;
  const server = () => h.app.getHttpServer();

  beforeAll(async () => {
    h = await startHarness({ appsFile: APPS });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('serves GET /apps/:app/token for every app, each from its platform', async () => {
    const tokens: Record<string, string> = {};
    for (const name of ['default', 'crm', 'wechat', 'wechat-stable', 'wecom']) {
      const res = await request(server()).get(`/apps/${name}/token`).set(auth);
      expect(res.status).toBe(200);
      expect(h.sandbox.isTokenValid(res.body.access_token)).toBe(true);
      // Until each token's planned renewal: 80% of the life (Qingtui), the overlap before the
      // expiry (WeChat), the serving margin (WeCom).
      expect(res.body.expires_in).toBeGreaterThan(5700);
      tokens[name] = res.body.access_token;
    }
    expect(tokens.wechat).toBe(h.sandbox.currentToken(WX.appId));
    expect(tokens['wechat-stable']).toBe(h.sandbox.currentStableToken(WX.appId));
    expect(tokens.wecom).toBe(h.sandbox.currentToken(WW_KEY));
    expect(new Set(Object.values(tokens)).size).toBe(5);
    const c = h.sandbox.counters().apps;
    expect([c[WX.appId].tokenCalls, c[WX.appId].stableCalls, c[WW_KEY].tokenCalls]).toEqual([
      1, 1, 1,
    ]);
  });

  it('heals a token the platform revoked with one grant per app', async () => {
    const stale: Record<string, string> = {};
    for (const name of ['wechat', 'wechat-stable', 'wecom']) {
      stale[name] = (
        await request(server()).get(`/apps/${name}/token`).set(auth)
      ).body.access_token;
    }
    h.sandbox.revokeTokens(WX.appId);
    h.sandbox.revokeTokens(WW_KEY);
    for (const [name, token] of Object.entries(stale)) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          request(server())
            .post(`/apps/${name}/token/refresh`)
            .set(auth)
            .send({ stale_token: token }),
        ),
      );
      const fresh = new Set(answers.map((a) => a.body.access_token));
      expect(fresh.size).toBe(1);
      expect(h.sandbox.isTokenValid([...fresh][0])).toBe(true);
    }
    const c = h.sandbox.counters().apps;
    // WeChat revoked both tokens of the account: classic and stable_token heal apart.
    expect(c[WX.appId].grantsByKind).toMatchObject({ credentials: 2, stable: 2 });
    expect(c[WX.appId].stableCalls).toBe(2);
    expect(c[WX.appId].tokenCalls).toBe(2);
    expect(c[WW_KEY].grants).toBe(2);
    expect(c[WW_KEY].tokenCalls).toBe(2);
  });

  it('runs the passive refresh of every platform: a token the platform still accepts is kept', async () => {
    const before = h.sandbox.counters().apps;
    const apiCallsBefore = { wx: before[WX.appId].apiCalls, ww: before[WW_KEY].apiCalls };
    for (const name of ['wechat', 'wechat-stable', 'wecom']) {
      const current = (await request(server()).get(`/apps/${name}/token`).set(auth)).body
        .access_token;
      const res = await request(server())
        .post(`/apps/${name}/token/refresh`)
        .set(auth)
        .send({ stale_token: current });
      expect(res.status).toBe(200);
      expect(res.body.access_token).toBe(current);
    }
    const c = h.sandbox.counters().apps;
    // One probe each (getcallbackip, get_api_domain_ip), no token call.
    expect([c[WX.appId].tokenCalls, c[WX.appId].stableCalls, c[WW_KEY].tokenCalls]).toEqual([
      2, 2, 2,
    ]);
    expect([
      c[WX.appId].apiCalls - apiCallsBefore.wx,
      c[WW_KEY].apiCalls - apiCallsBefore.ww,
    ]).toEqual([2, 1]);
  });

  it('shows every app in the health details, with its platform, and never a secret or token', async () => {
    const res = await request(server()).get('/health/details').set(auth);
    const apps = res.body.details.tokens.apps;
    expect(apps.wechat).toMatchObject({ platform: 'wechat-mp', appId: WX.appId, state: 'valid' });
    expect(apps['wechat-stable']).toMatchObject({ platform: 'wechat-mp', appId: WX.appId });
    expect(apps.wecom).toMatchObject({ platform: 'wecom', appId: WW_KEY, state: 'valid' });
    expect(apps.wechat.platformCallsToday).toMatchObject({ limit: 2000, counted: ['token'] });
    expect(apps.wecom.platformCallsToday.limit).toBeUndefined();
    const text = JSON.stringify(res.body);
    for (const secret of ALL_SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain(h.sandbox.currentToken(WW_KEY)!);
    for (const secret of ALL_SECRETS) expect(h.printed()).not.toContain(secret);
  });

  it("reads each app's messages in its own platform's shape: a Qingtui body for a WeChat app is a 400 naming kind", async () => {
    const res = await request(server())
      .post('/apps/wechat/messages')
      .set(auth)
      .send({ type: 'text', to_user: 'openid-alice', message: { content: 'hi' } });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'kind' });
    expect(res.body.message).toContain('kind must be one of');
  });
});

describe('the apps file: exactly three shapes', () => {
  /** The error the server's start-up validation gives for this apps file. */
  function configError(content: unknown): ConfigValidationError {
    const file = writeAppsFile(content);
    try {
      validateEnvironment(serverEnv('http://127.0.0.1:1', file.path, { API_KEYS: ADMIN_KEY }));
    } catch (error) {
      return error as ConfigValidationError;
    } finally {
      file.cleanup();
    }
    throw new Error('expected a configuration error');
  }

  it('names the index and field of a bad entry, never its secret', () => {
    const secret = 'file-secret-DO-NOT-LOG';
    const cases: [unknown, string][] = [
      [
        [{ name: 'x', platform: 'dingtalk', appId: 'a', appSecret: secret }],
        '[0].platform must be one of "qingtui", "wechat-mp", "wecom"',
      ],
      [
        [{ name: 'x', platform: 'wechat-mp', appId: 'a' }],
        '[0].appSecret must be a non-empty string',
      ],
      [
        [{ name: 'x', platform: 'wechat-mp', appId: 'a', appSecret: secret, stableToken: 'yes' }],
        '[0].stableToken must be true or false',
      ],
      [
        [
          {
            name: 'x',
            platform: 'wechat-mp',
            appId: 'a',
            appSecret: secret,
            dailyQuota: 'enterprise',
          },
        ],
        '[0].dailyQuota of a WeChat app must be a whole number',
      ],
      [
        [{ name: 'x', platform: 'wecom', corpId: 'c', agentId: 'one', secret }],
        '[0].agentId must be a whole number',
      ],
      [
        [{ name: 'x', platform: 'wecom', corpId: 'c', secret }],
        '[0].agentId must be a whole number',
      ],
      [
        [{ name: 'x', platform: 'wecom', corpId: 'c', agentId: 1, secret, dailyQuota: 100 }],
        '[0] has an unknown field "dailyQuota"',
      ],
      [
        [{ name: 'x', platform: 'wecom', corpId: 'c', agentId: 1, appSecret: secret }],
        '[0] has an unknown field "appSecret"',
      ],
      [
        [{ name: 'x', appId: 'a', appSecret: secret, stableToken: true }],
        '[0] has an unknown field "stableToken"',
      ],
    ];
    for (const [content, expected] of cases) {
      const error = configError(content);
      expect(error.variable).toBe('QINGTUI_APPS_FILE');
      expect(error.message).toContain(expected);
      expect(error.message).not.toContain(secret);
    }
  });

  it('refuses one app under two names: same WeCom agent, same WeChat AppID and API', () => {
    const agent = configError([
      { name: 'oa', platform: 'wecom', corpId: 'ww1', agentId: 7, secret: 'a' },
      { name: 'oa2', platform: 'wecom', corpId: 'ww1', agentId: '7', secret: 'b' },
    ]);
    expect(agent.message).toContain(
      '[1].agentId is already the WeCom corpId and agentId of app "oa"',
    );
    const account = configError([
      { name: 'wx', platform: 'wechat-mp', appId: 'wx1', appSecret: 'a' },
      { name: 'wx2', platform: 'wechat-mp', appId: 'wx1', appSecret: 'a' },
    ]);
    expect(account.message).toContain('[1].appId is already the WeChat AppID of app "wx"');
    // Two agents of one company, and one account through both token APIs, are two apps.
    const file = writeAppsFile([
      { name: 'oa', platform: 'wecom', corpId: 'ww1', agentId: 7, secret: 'a' },
      { name: 'hr', platform: 'wecom', corpId: 'ww1', agentId: 8, secret: 'b' },
      { name: 'wx', platform: 'wechat-mp', appId: 'wx1', appSecret: 'a' },
      { name: 'wxs', platform: 'wechat-mp', appId: 'wx1', appSecret: 'a', stableToken: true },
    ]);
    try {
      const config = validateEnvironment(
        serverEnv('http://127.0.0.1:1', file.path, { API_KEYS: ADMIN_KEY }),
      );
      expect(config.platform.mode === 'platform' && config.platform.apps.length).toBe(5);
    } finally {
      file.cleanup();
    }
  });
});

describe('consumer mode for a WeChat app', () => {
  let h: ServerHarness;
  let consumer: TestingModule | undefined;

  afterEach(async () => {
    await consumer?.close();
    await h?.close();
  });

  it("gets the server's WeChat token, calls WeChat directly and heals through the server", async () => {
    h = await startHarness({ listen: true, appsFile: APPS });
    const { port } = h.app.getHttpServer().address() as AddressInfo;
    const logs = new LogCapture();
    consumer = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRoot({
          centralServer: {
            url: `http://127.0.0.1:${port}`,
            apiKey: ADMIN_KEY,
            apps: [
              { name: 'wechat', platform: 'wechat-mp' },
              { name: 'wecom', platform: 'wecom' },
            ],
          },
          baseUrls: { 'wechat-mp': h.sandbox.url, wecom: h.sandbox.url },
        }),
      ],
    })
      .setLogger(logs)
      .compile();
    await consumer.init();
    const http = consumer.get<HttpService>(QINGTUI_HTTP);
    const first = await consumer.get(TokenService).getToken('wechat');
    expect(first).toBe(h.sandbox.currentToken(WX.appId));

    h.sandbox.revokeTokens(WX.appId);
    // 40001 on getcallbackip: the consumer reports the token to the server, which confirms,
    // renews once, and answers the new token; the call is re-sent once.
    const res = await http.axiosRef.get('/cgi-bin/getcallbackip', { qingtui: { app: 'wechat' } });
    expect(Array.isArray((res.data as { ip_list: unknown }).ip_list)).toBe(true);
    const c = h.sandbox.counters().apps[WX.appId];
    expect(c.grantsByKind.credentials).toBe(2);
    expect(c.tokenCalls).toBe(2);
    expect(await consumer.get(TokenService).getToken('wechat')).toBe(
      h.sandbox.currentToken(WX.appId),
    );

    const wecom = await http.axiosRef.get('/cgi-bin/get_api_domain_ip', {
      qingtui: { app: 'wecom' },
    });
    expect(wecom.data).toMatchObject({ errcode: 0 });
    expect(logs.text()).not.toContain(WX.appSecret);
  });
});

describe('sandbox mode', () => {
  let output: OutputCapture | undefined;
  afterEach(() => output?.uninstall());

  it("serves the sandbox's three demo apps, as the banner says", async () => {
    const logs = new LogCapture();
    output = new OutputCapture().install();
    const app = await startServer({ PORT: '0' }, { logger: logs });
    try {
      expect(logs.text()).toContain(
        '"default" (Qingtui), "wechat" (WeChat Official Account) and "wecom" (WeCom)',
      );
      const key = /Bearer (\S+)'/.exec(logs.text())![1];
      const sandbox = app.get(EmbeddedSandbox).sandbox!;
      for (const name of ['default', 'wechat', 'wecom']) {
        const res = await request(app.getHttpServer())
          .get(`/apps/${name}/token`)
          .set('Authorization', `Bearer ${key}`);
        expect(res.status).toBe(200);
        expect(sandbox.isTokenValid(res.body.access_token)).toBe(true);
      }
      expect(sandbox.currentToken(SANDBOX_DEMO_APP.appId)).toBeDefined();
      expect(sandbox.currentToken(WX.appId)).toBeDefined();
      expect(sandbox.currentToken(WW_KEY)).toBeDefined();
    } finally {
      await app.close();
    }
  });
});
