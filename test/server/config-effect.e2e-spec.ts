import { randomUUID } from 'node:crypto';
import { createClient } from '@keyv/redis';
import type { QingtuiModuleOptions } from 'nestjs-qingtui';
import {
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
  wecomAppKey,
} from 'qingtui-sandbox';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/support/server-process.js';
// Internal tokens, from the built package the server loads (one copy of every class and symbol).
import { QINGTUI_RESOLVED_OPTIONS } from '../../libs/qingtui/dist/qingtui.constants.js';
import { QINGTUI_MODULE_OPTIONS } from '../../libs/qingtui/dist/qingtui.module-definition.js';
import type { ResolvedQingtuiOptions } from '../../libs/qingtui/dist/core/resolved-options.js';
import { createApp, startServer } from '../../src/app.factory.js';
import { ConfigValidationError } from '../../src/config/config-validation.error.js';
import { EmbeddedSandbox } from '../../src/sandbox/embedded-sandbox.js';
import {
  ADMIN_KEY,
  CRM_APP,
  CRM_KEY,
  serverEnv,
  startHarness,
  startPlatform,
  writeAppsFile,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

/**
 * One test per documented variable, each failing if the variable stops having an effect.
 * Variables whose effect needs a real process are tested there: PORT (busy) in
 * `process.e2e-spec.ts`, SHUTDOWN_TIMEOUT_MS in `shutdown.e2e-spec.ts`; QINGTUI_APPS_FILE reloads
 * in `apps-reload.e2e-spec.ts`.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DEMO = SANDBOX_DEMO_APP.appId;
const WX = SANDBOX_DEMO_WECHAT_APP;
const WW_KEY = wecomAppKey(SANDBOX_DEMO_WECOM_APP.corpId, SANDBOX_DEMO_WECOM_APP.agentId);
/** An apps file with the crm app and the sandbox's WeChat (classic and stable) and WeCom apps. */
const PLATFORM_APPS = [
  { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
  { name: 'wechat', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
  {
    name: 'wechat-stable',
    platform: 'wechat-mp',
    appId: WX.appId,
    appSecret: WX.appSecret,
    stableToken: true,
  },
  { name: 'wecom', platform: 'wecom', ...SANDBOX_DEMO_WECOM_APP },
];
const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

const closers: (() => Promise<void>)[] = [];
const prefixes: string[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  await deleteKeysWithPrefix(REDIS_URL, prefixes.splice(0));
});

async function harness(options: Parameters<typeof startHarness>[0] = {}): Promise<ServerHarness> {
  const h = await startHarness(options);
  closers.push(() => h.close());
  return h;
}

/** The options the server handed to `QingtuiModule.forRootAsync`. */
function moduleOptions(h: ServerHarness): QingtuiModuleOptions {
  return h.app.get<QingtuiModuleOptions>(QINGTUI_MODULE_OPTIONS);
}

function resolvedOptions(h: ServerHarness): ResolvedQingtuiOptions {
  return h.app.get<ResolvedQingtuiOptions>(QINGTUI_RESOLVED_OPTIONS);
}

// The Terminus result is checked field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function details(h: ServerHarness): Promise<Record<string, any>> {
  const res = await request(h.app.getHttpServer()).get('/health/details').set(auth);
  return res.body.details;
}

describe('every documented variable takes effect', () => {
  it('PORT: the server listens on that port', async () => {
    const port = await freePort();
    await harness({ listen: true, env: { PORT: String(port) } });
    const res = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(res.status).toBe(200);
  });

  it('QINGTUI_BASE_URL: tokens come from the platform at that URL', async () => {
    const other = await startPlatform();
    closers.push(() => other.sandbox.stop());
    const h = await harness({ env: { QINGTUI_BASE_URL: other.url } });
    const res = await request(h.app.getHttpServer()).get('/apps/default/token').set(auth);
    expect(res.body.access_token).toBe(other.sandbox.currentToken(DEMO));
    expect(other.sandbox.counters().apps[DEMO].tokenCalls).toBe(1);
    expect(h.sandbox.counters().apps[DEMO].tokenCalls).toBe(0);
  });

  it('WECHAT_BASE_URL: WeChat tokens come from the platform at that URL', async () => {
    const other = await startPlatform();
    closers.push(() => other.sandbox.stop());
    const h = await harness({ env: { WECHAT_BASE_URL: other.url }, appsFile: PLATFORM_APPS });
    const res = await request(h.app.getHttpServer()).get('/apps/wechat/token').set(auth);
    expect(res.body.access_token).toBe(other.sandbox.currentToken(WX.appId));
    expect(other.sandbox.counters().apps[WX.appId].tokenCalls).toBe(1);
    expect(h.sandbox.counters().apps[WX.appId].tokenCalls).toBe(0);
    // The other platforms stay where they were.
    expect(h.sandbox.counters().apps[WW_KEY].tokenCalls).toBe(1);
  });

  it('WECOM_BASE_URL: WeCom tokens come from the platform at that URL', async () => {
    const other = await startPlatform();
    closers.push(() => other.sandbox.stop());
    const h = await harness({ env: { WECOM_BASE_URL: other.url }, appsFile: PLATFORM_APPS });
    const res = await request(h.app.getHttpServer()).get('/apps/wecom/token').set(auth);
    expect(res.body.access_token).toBe(other.sandbox.currentToken(WW_KEY));
    expect(other.sandbox.counters().apps[WW_KEY].tokenCalls).toBe(1);
    expect(h.sandbox.counters().apps[WW_KEY].tokenCalls).toBe(0);
    expect(h.sandbox.counters().apps[WX.appId].tokenCalls).toBe(1);
  });

  it('WECHAT_TOKEN_OVERLAP_MS: classic WeChat tokens are renewed no earlier than expiry minus it', async () => {
    const h = await harness({ env: { WECHAT_TOKEN_OVERLAP_MS: '20000' }, appsFile: PLATFORM_APPS });
    const wechat = (await details(h)).tokens.apps.wechat;
    const left = Date.parse(wechat.expiresAt) - Date.parse(wechat.nextRenewalAt);
    // 20 s overlap, 2 s safety: renewed 18 s before expiry (less a jitter of at most half the
    // way to the 9 s margin); the default 300 s overlap would renew ~295 s before.
    expect(left).toBeGreaterThanOrEqual(13_400);
    expect(left).toBeLessThanOrEqual(18_000);
  });

  it('WECHAT_STABLE_WINDOW_MS: stable_token renewals happen inside that window', async () => {
    const h = await harness({ env: { WECHAT_STABLE_WINDOW_MS: '40000' }, appsFile: PLATFORM_APPS });
    const stable = (await details(h)).tokens.apps['wechat-stable'];
    const left = Date.parse(stable.expiresAt) - Date.parse(stable.nextRenewalAt);
    // 40 s window, 4 s safety and the round trip: ~36 s before expiry, less a jitter of at most
    // half the way to the 20 s margin (8 s); the default 300 s window would renew ~270 s before.
    expect(left).toBeGreaterThan(27_000);
    expect(left).toBeLessThan(40_000);
  });

  it('QINGTUI_APP_ID and QINGTUI_APP_SECRET: the app "default" uses those credentials', async () => {
    const good = await harness();
    const res = await request(good.app.getHttpServer()).get('/apps/default/token').set(auth);
    expect(good.sandbox.isTokenValid(res.body.access_token)).toBe(true);
    expect((await details(good)).tokens.apps.default.appId).toBe(DEMO);

    const wrong = await harness({ env: { QINGTUI_APP_SECRET: 'not-the-demo-app-secret' } });
    expect(wrong.sandbox.counters().apps[DEMO].tokenRejected[40401]).toBeGreaterThanOrEqual(1);
    const refused = await request(wrong.app.getHttpServer()).get('/apps/default/token').set(auth);
    expect(refused.status).not.toBe(200);
    expect((await details(wrong)).tokens.apps.default.lastError.kind).toBe('credential');
  });

  it('QINGTUI_DAILY_QUOTA: the quota of the "default" app reaches the module', async () => {
    const counted = await harness({ env: { QINGTUI_DAILY_QUOTA: '300' } });
    expect(moduleOptions(counted).apps).toMatchObject([
      { name: 'default', dailyQuota: 300 },
      { name: 'crm' },
    ]);
    expect(
      (moduleOptions(counted).apps as { dailyQuota?: unknown }[])[1].dailyQuota,
    ).toBeUndefined();
    const edition = await harness({ env: { QINGTUI_DAILY_QUOTA: 'free-verified' } });
    expect(moduleOptions(edition).apps).toMatchObject([{ dailyQuota: 'free-verified' }, {}]);
  });

  it('QINGTUI_APPS_FILE: its apps are served, with their dailyQuota', async () => {
    const h = await harness({
      appsFile: [
        {
          name: 'crm',
          appId: CRM_APP.appId,
          appSecret: CRM_APP.appSecret,
          dailyQuota: 'free-unverified',
        },
      ],
    });
    const res = await request(h.app.getHttpServer()).get('/apps/crm/token').set(auth);
    expect(res.body.access_token).toBe(h.sandbox.currentToken(CRM_APP.appId));
    expect(moduleOptions(h).apps).toMatchObject([
      { name: 'default' },
      { name: 'crm', appId: CRM_APP.appId, dailyQuota: 'free-unverified' },
    ]);
  });

  it('API_KEYS: listed keys are accepted within their scope, others refused', async () => {
    const h = await harness({ env: { API_KEYS: `${CRM_KEY}:crm` } });
    const server = h.app.getHttpServer();
    expect(
      (await request(server).get('/apps/crm/token').set('Authorization', `Bearer ${CRM_KEY}`))
        .status,
    ).toBe(200);
    expect(
      (await request(server).get('/apps/default/token').set('Authorization', `Bearer ${CRM_KEY}`))
        .status,
    ).toBe(403);
    // ADMIN_KEY is not in this API_KEYS.
    expect((await request(server).get('/apps/crm/token').set(auth)).status).toBe(401);
  });

  it('REDIS_URL: token records are kept in that Redis', async () => {
    const prefix = `test-server-${randomUUID()}`;
    prefixes.push(prefix);
    const h = await harness({ env: { REDIS_URL, QINGTUI_KEY_PREFIX: prefix } });
    expect((await details(h)).store).toMatchObject({ kind: 'redis', state: 'ok' });
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      expect(await redis.exists(`${prefix}:{qingtui:${DEMO}}:token`)).toBe(1);
    } finally {
      await redis.close();
    }
  });

  it('QINGTUI_KEY_PREFIX: every Redis key of the server starts with it', async () => {
    const prefix = `test-prefix-${randomUUID()}`;
    prefixes.push(prefix);
    await harness({ env: { REDIS_URL, QINGTUI_KEY_PREFIX: prefix } });
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys).toEqual(
        expect.arrayContaining([
          `${prefix}:{qingtui:${DEMO}}:token`,
          `${prefix}:{qingtui:${CRM_APP.appId}}:token`,
        ]),
      );
    } finally {
      await redis.close();
    }
  });

  it('REDIS_OPTIONAL: reaches the module, and the Redis password is never printed', async () => {
    const h = await harness({
      listen: true,
      env: { REDIS_URL: 'redis://user:redis-pw-DO-NOT-LOG@127.0.0.1:1', REDIS_OPTIONAL: 'true' },
    });
    expect(moduleOptions(h)).toMatchObject({ redisOptional: true });
    expect(h.printed()).toContain(
      'Token store: Redis at redis://***@127.0.0.1:1 (REDIS_URL), optional at start-up',
    );
    await request(h.app.getHttpServer()).get('/apps/default/token').set(auth).expect(200);
    expect(h.printed()).not.toContain('redis-pw-DO-NOT-LOG');
    const strict = await harness({
      env: { REDIS_URL, QINGTUI_KEY_PREFIX: `test-${randomUUID()}` },
    });
    prefixes.push(moduleOptions(strict).keyPrefix!);
    expect(moduleOptions(strict)).toMatchObject({ redisOptional: false });
  });

  it('REDIS_TIMEOUT_MS: reaches the module', async () => {
    const prefix = `test-${randomUUID()}`;
    prefixes.push(prefix);
    const h = await harness({
      env: { REDIS_URL, QINGTUI_KEY_PREFIX: prefix, REDIS_TIMEOUT_MS: '750' },
    });
    expect(moduleOptions(h)).toMatchObject({ redisTimeoutMs: 750 });
  });

  it('QINGTUI_PREFETCH_CONCURRENCY: reaches the module (its effect: token.service.prefetch.spec.ts); nonsense refuses to start', async () => {
    const h = await harness({ env: { QINGTUI_PREFETCH_CONCURRENCY: '7' } });
    expect(moduleOptions(h)).toMatchObject({ prefetchConcurrency: 7 });
    for (const value of ['0', 'many', '1001']) {
      await expect(harness({ env: { QINGTUI_PREFETCH_CONCURRENCY: value } })).rejects.toThrow(
        /QINGTUI_PREFETCH_CONCURRENCY/,
      );
    }
  });

  it('QINGTUI_ENCRYPTION_KEY: reaches the module, and is never printed', async () => {
    const key = 'encryption-key-DO-NOT-LOG-0123456789abcdef';
    const h = await harness({ listen: true, env: { QINGTUI_ENCRYPTION_KEY: key } });
    expect(moduleOptions(h)).toMatchObject({ encryptionKey: key });
    expect(h.printed()).not.toContain(key);
  });

  it('QINGTUI_HTTP_TIMEOUT_MS: a hung platform is given up after that long', async () => {
    const started = Date.now();
    // Every /v1/token call hangs: the start-up's fetches end only by timing out (3 attempts each).
    const h = await harness({
      env: { QINGTUI_HTTP_TIMEOUT_MS: '300' },
      beforeServer: (sandbox) => sandbox.addFault({ kind: 'hang', path: '/v1/token' }),
    });
    const startupMs = Date.now() - started;
    expect(resolvedOptions(h).httpTimeoutMs).toBe(300);
    // With the default 10 s timeout the start-up would take 30 s or more.
    expect(startupMs).toBeLessThan(10_000);
    console.log(
      `QINGTUI_HTTP_TIMEOUT_MS=300: start-up against a hung platform took ${startupMs} ms`,
    );
    expect((await details(h)).tokens.apps.default.lastError).toMatchObject({ kind: 'transient' });
  });

  it('QINGTUI_REFRESH_RATIO: tokens are renewed after that fraction of their lifetime', async () => {
    const h = await harness({
      env: { QINGTUI_REFRESH_RATIO: '0.1' },
      sandbox: { tokenTtlSeconds: 30 },
    });
    expect(resolvedOptions(h).refresh.ratio).toBe(0.1);
    const next = Date.parse((await details(h)).tokens.apps.default.nextRenewalAt);
    // 10% of 30 s = 3 s (+ up to 2% jitter); the default 0.8 would be 24 s.
    expect(next - Date.now()).toBeLessThan(5_000);
    const deadline = Date.now() + 8_000;
    while (h.sandbox.counters().apps[DEMO].grants < 2) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('QINGTUI_SANDBOX: serves the embedded sandbox even with API_KEYS set', async () => {
    const env = { PORT: '0', API_KEYS: ADMIN_KEY };
    await expect(createApp(env, { logger: false })).rejects.toBeInstanceOf(ConfigValidationError);
    const app = await startServer(
      { ...env, QINGTUI_SANDBOX: 'true' },
      { logger: new LogCapture() },
    );
    closers.push(() => app.close());
    const res = await request(app.getHttpServer()).get('/apps/default/token').set(auth);
    expect(app.get(EmbeddedSandbox).sandbox!.isTokenValid(res.body.access_token)).toBe(true);
  });

  it('BENCH_BARE_ENDPOINT: serves GET /bench/bare only when true', async () => {
    const on = await harness({ env: { BENCH_BARE_ENDPOINT: 'true' } });
    expect((await request(on.app.getHttpServer()).get('/bench/bare').set(auth)).status).toBe(200);
    const off = await harness();
    expect((await request(off.app.getHttpServer()).get('/bench/bare').set(auth)).status).toBe(404);
  });
});

describe('the apps of QINGTUI_APPS_FILE and QINGTUI_APP_ID together', () => {
  it('serve nothing that is not configured', async () => {
    const apps = writeAppsFile([
      { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
    ]);
    const { sandbox, url } = await startPlatform();
    closers.push(async () => {
      await sandbox.stop();
      apps.cleanup();
    });
    const env = serverEnv(url, apps.path);
    delete (env as Record<string, string | undefined>).QINGTUI_APPS_FILE;
    const app = await createApp({ ...env, API_KEYS: ADMIN_KEY }, { logger: new LogCapture() });
    closers.push(() => app.close());
    expect((await request(app.getHttpServer()).get('/apps/crm/token').set(auth)).status).toBe(404);
  });
});
