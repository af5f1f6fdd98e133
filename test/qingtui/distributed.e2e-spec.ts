import { QingtuiModule, TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { createClient, createKeyv } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { Test, type TestingModule } from '@nestjs/testing';
import { ScheduleModule } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LogCapture } from '../support/log-capture.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = 'dist-app';
const SECRET = 'dist-secret-DO-NOT-LOG';
const logs = new LogCapture();

const modules: TestingModule[] = [];
let sandbox: QingtuiSandbox | undefined;

const prefixes = new Set<string>();

async function instance(baseUrl: string, keyPrefix: string): Promise<TokenService> {
  prefixes.add(keyPrefix);
  const moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }],
        baseUrl,
        redisUrl: REDIS_URL,
        keyPrefix,
        prefetch: false,
        httpTimeoutMs: 2_000,
      }),
    ],
  })
    .setLogger(logs)
    .compile();
  await moduleRef.init();
  modules.push(moduleRef);
  return moduleRef.get(TokenService);
}

afterEach(async () => {
  await Promise.all(modules.splice(0).map((m) => m.close()));
  await sandbox?.stop();
  await deleteKeysWithPrefix(REDIS_URL, [...prefixes]);
  prefixes.clear();
});

describe('several instances sharing Redis (in one process)', () => {
  it('cold start on 3 instances at once → exactly one platform grant', async () => {
    sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    const prefix = `test-${randomUUID()}`;
    const instances = await Promise.all([1, 2, 3].map(() => instance(url, prefix)));
    const tokens = await Promise.all(
      instances.flatMap((s) => Array.from({ length: 100 }, () => s.getToken())),
    );
    expect(new Set(tokens).size).toBe(1);
    expect(sandbox.counters().apps[APP_ID].grants).toBe(1);
    expect(sandbox.counters().apps[APP_ID].tokenRejected).toEqual({});
  });

  it('passive reports of one stale token on every instance → one renewal, seen by all', async () => {
    sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    const prefix = `test-${randomUUID()}`;
    const instances = await Promise.all([1, 2, 3].map(() => instance(url, prefix)));
    const stale = await instances[0].getToken();
    await Promise.all(instances.map((s) => s.getToken()));
    sandbox.revokeTokens(APP_ID);
    const answers = await Promise.all(
      instances.flatMap((s) => Array.from({ length: 50 }, () => s.refreshIfCurrent('main', stale))),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).not.toBe(stale);
    const c = sandbox.counters().apps[APP_ID];
    expect(c.grants).toBe(2);
    expect(c.refreshGrants).toBe(1);
    // Probes confirmed the rejection: at most one per instance, none after the renewal.
    expect(c.apiCalls).toBeLessThanOrEqual(3);
    // Pub/sub: every instance now hands out the new token without asking.
    await new Promise((r) => setTimeout(r, 100));
    for (const s of instances) expect(await s.getToken()).toBe(answers[0]);
  });

  it('a restarted instance finds the token in Redis and makes no platform call', async () => {
    sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    const prefix = `test-${randomUUID()}`;
    const first = await instance(url, prefix);
    const token = await first.getToken();
    await modules.splice(0)[0].close();
    const restarted = await instance(url, prefix);
    expect(await restarted.getToken()).toBe(token);
    expect(sandbox.counters().apps[APP_ID].grants).toBe(1);

    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const keys = await redis.keys(`${prefix}:*`);
    await redis.close();
    expect(keys).toContain(`${prefix}:{qingtui:${APP_ID}}:token`);
    // Besides the app's keys, the store's data marker (read by the heartbeat; no app in it).
    expect(keys).toContain(`${prefix}:{store}:data-marker`);
    for (const key of keys.filter((k) => k !== `${prefix}:{store}:data-marker`)) {
      expect(key).toMatch(
        new RegExp(
          `^${prefix}:\\{qingtui:${APP_ID}\\}:(token|token-call|lock|(calls|quota-exhausted):\\d{4}-\\d{2}-\\d{2})$`,
        ),
      );
    }
  });

  it('turns on the shared mode with the client of a cache built on @keyv/redis', async () => {
    sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    const keyPrefix = `test-${randomUUID()}`;
    prefixes.add(keyPrefix);
    const make = async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          ScheduleModule.forRoot(),
          QingtuiModule.forRoot({
            apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }],
            baseUrl: url,
            store: createCache({ stores: [createKeyv(REDIS_URL)] }),
            keyPrefix,
            prefetch: false,
          }),
        ],
      })
        .setLogger(logs)
        .compile();
      await moduleRef.init();
      modules.push(moduleRef);
      return moduleRef.get(TokenService);
    };
    const [a, b] = [await make(), await make()];
    expect(a.storeInfo().kind).toBe('redis');
    expect(a.storeInfo().state).toBe('ok');
    const [ta, tb] = await Promise.all([a.getToken(), b.getToken()]);
    expect(ta).toBe(tb);
    expect(sandbox.counters().apps[APP_ID].grants).toBe(1);
  });

  it('never writes secrets into store keys or logs', () => {
    expect(logs.text()).not.toContain(SECRET);
  });
});
