import type { HttpService } from '@nestjs/axios';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { QINGTUI_HTTP, QingtuiModule } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { BUILT } from '../support/built-server.js';
import { writeAppsFile } from '../support/central-server.harness.js';
import { LogCapture } from '../support/log-capture.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

/**
 * WeChat classic rules (every `/cgi-bin/token` call kills the previous token after the overlap)
 * with compressed time, over 3 processes of the built server sharing Redis, with business
 * servers that cache the token for the `expires_in` the server gives, and a consumer-mode
 * instance of the library: one grant per rotation, no call refused.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = 'wx-scale-app';
const SECRET = 'wx-scale-secret-DO-NOT-LOG';
const KEY = 'wx-scale-client-key-0123456789ab';
const RUN_MS = 15_000;

const servers: ServerProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A business server: asks a server for the token, caches it for `expires_in`, calls WeChat. */
async function cachingClient(
  server: ServerProcess,
  sandboxUrl: string,
  until: number,
  refused: Map<number, number>,
): Promise<number> {
  let calls = 0;
  let cached: { token: string; until: number } | undefined;
  while (Date.now() < until) {
    // Leave the request itself 100 ms to reach the platform before the cached expiry.
    if (cached === undefined || Date.now() >= cached.until - 100) {
      const res = await fetch(`${server.url}/apps/wechat/token`, {
        headers: { authorization: `Bearer ${KEY}` },
      });
      const body = (await res.json()) as { access_token: string; expires_in: number };
      cached = { token: body.access_token, until: Date.now() + body.expires_in * 1000 };
      if (body.expires_in === 0) continue;
    }
    const res = await fetch(`${sandboxUrl}/cgi-bin/getcallbackip?access_token=${cached.token}`);
    const answer = (await res.json()) as { errcode?: number };
    if (answer.errcode) refused.set(answer.errcode, (refused.get(answer.errcode) ?? 0) + 1);
    calls += 1;
    await sleep(25);
  }
  return calls;
}

describe.skipIf(!BUILT)('WeChat classic over 3 server processes (6 s tokens, 2 s overlap)', () => {
  it('one grant per rotation; caching clients and consumer-mode instances never refused', async () => {
    const sandbox = new QingtuiSandbox({
      wechatApps: [{ appId: APP_ID, appSecret: SECRET }],
      wechatRules: { tokenTtlSeconds: 6, overlapSeconds: 2 },
    });
    const url = await sandbox.start();
    cleanups.push(() => sandbox.stop());
    const apps = writeAppsFile([
      { name: 'wechat', platform: 'wechat-mp', appId: APP_ID, appSecret: SECRET },
    ]);
    cleanups.push(apps.cleanup);
    const prefix = `test-wx-${randomUUID().slice(0, 8)}`;
    cleanups.push(() => deleteKeysWithPrefix(REDIS_URL, [prefix]));
    const started = await Promise.all(
      [1, 2, 3].map(async () => {
        const server = new ServerProcess(
          await freePort(),
          {
            QINGTUI_APPS_FILE: apps.path,
            WECHAT_BASE_URL: url,
            QINGTUI_BASE_URL: url,
            WECOM_BASE_URL: url,
            WECHAT_TOKEN_OVERLAP_MS: '2000',
            // Renewing at half the lifetime would kill tokens clients still hold (they die 2 s
            // after the renewal, before their own expiry): the overlap rule must win.
            QINGTUI_REFRESH_RATIO: '0.5',
            API_KEYS: KEY,
            REDIS_URL,
            QINGTUI_KEY_PREFIX: prefix,
          },
          SERVER_ENTRY,
        );
        servers.push(server);
        return server.start();
      }),
    );

    // A business server in consumer mode: its token from the first server, calls to WeChat
    // through the library's HTTP instance.
    const logs = new LogCapture();
    const consumer: TestingModule = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRoot({
          centralServer: {
            url: started[0].url,
            apiKey: KEY,
            apps: [{ name: 'wechat', platform: 'wechat-mp' }],
          },
          baseUrls: { 'wechat-mp': url },
        }),
      ],
    })
      .setLogger(logs)
      .compile();
    await consumer.init();
    cleanups.push(() => consumer.close());
    const http = consumer.get<HttpService>(QINGTUI_HTTP);

    const until = Date.now() + RUN_MS;
    const refused = new Map<number, number>();
    let consumerCalls = 0;
    await Promise.all([
      ...started.map((s) => cachingClient(s, url, until, refused)),
      (async () => {
        while (Date.now() < until) {
          const res = await http.axiosRef.get('/cgi-bin/getcallbackip', {
            qingtui: { app: 'wechat' },
          });
          expect(Array.isArray((res.data as { ip_list?: unknown }).ip_list)).toBe(true);
          consumerCalls += 1;
          await sleep(25);
        }
      })(),
    ]);

    const c = sandbox.counters().apps[APP_ID];
    const details = await fetch(`${started[0].url}/health/details`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const generation = (
      (await details.json()) as {
        details: { tokens: { apps: { wechat: { generation: number } } } };
      }
    ).details.tokens.apps.wechat.generation;
    // Rotations happened, each with one grant for the 3 processes (one generation each).
    expect(c.grants).toBeGreaterThanOrEqual(3);
    expect(generation).toBe(c.grants);
    expect(c.tokenCalls).toBe(c.grants);
    // Nobody was refused: no "not latest" (40001), no expired token.
    expect(refused).toEqual(new Map());
    expect(c.apiRejected).toEqual({});
    expect(c.invalidTokenCalls).toBe(0);
    expect(consumerCalls).toBeGreaterThan(50);
    const output = servers.map((s) => s.output.join('')).join('\n');
    expect(output).not.toContain(SECRET);
    expect(logs.text()).not.toContain(SECRET);
  });
});
