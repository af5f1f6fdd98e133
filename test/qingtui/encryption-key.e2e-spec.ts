import { QingtuiModule, TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { createClient } from '@keyv/redis';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
// Internal, from the built package the tests load (one copy of every module).
import { openRefreshToken } from '../../libs/qingtui/dist/platforms/qingtui/refresh-token-seal.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = 'enc-app';
const SECRET = 'enc-secret-DO-NOT-LOG';
const ENCRYPTION_KEY = 'a-configured-encryption-key-0123';

const modules: TestingModule[] = [];
const prefixes: string[] = [];
let sandbox: QingtuiSandbox | undefined;

async function instance(baseUrl: string, keyPrefix: string, encryptionKey?: string) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }],
        baseUrl,
        redisUrl: REDIS_URL,
        keyPrefix,
        prefetch: false,
        ...(encryptionKey === undefined ? {} : { encryptionKey }),
      }),
    ],
  }).compile();
  await moduleRef.init();
  modules.push(moduleRef);
  return moduleRef.get(TokenService);
}

/** The refresh_token as stored in Redis (sealed). */
async function storedRefreshToken(prefix: string): Promise<string> {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  const raw = await redis.get(`${prefix}:{qingtui:${APP_ID}}:token`);
  await redis.close();
  const record = JSON.parse(JSON.parse(raw!).value) as { refreshToken: string };
  return record.refreshToken;
}

afterEach(async () => {
  await Promise.all(modules.splice(0).map((m) => m.close()));
  await sandbox?.stop();
  await deleteKeysWithPrefix(REDIS_URL, prefixes.splice(0));
});

describe('encryptionKey: the key of the refresh_token at rest', () => {
  it('seals with the configured key instead of the AppSecret, and a restart with it renews with the refresh_token', async () => {
    sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    const prefix = `test-${randomUUID()}`;
    prefixes.push(prefix);
    const first = await instance(url, prefix, ENCRYPTION_KEY);
    const token = await first.getToken();
    const sealed = await storedRefreshToken(prefix);
    expect(openRefreshToken(sealed, ENCRYPTION_KEY, APP_ID)).toEqual(expect.any(String));
    expect(openRefreshToken(sealed, SECRET, APP_ID)).toBeUndefined();

    // Another instance with the same key renews a reported revoked token with the refresh_token.
    const second = await instance(url, prefix, ENCRYPTION_KEY);
    expect(await second.getToken()).toBe(token);
    sandbox.revokeTokens(APP_ID);
    const renewed = await second.refreshIfCurrent('main', token);
    expect(renewed).not.toBe(token);
    const c = sandbox.counters().apps[APP_ID];
    expect(c.tokenCalls).toBe(1);
    expect(c.refreshGrants).toBe(1);
  });

  it('without it, the key derives from the AppSecret', async () => {
    sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
    const url = await sandbox.start();
    const prefix = `test-${randomUUID()}`;
    prefixes.push(prefix);
    await (await instance(url, prefix)).getToken();
    const sealed = await storedRefreshToken(prefix);
    expect(openRefreshToken(sealed, SECRET, APP_ID)).toEqual(expect.any(String));
    expect(openRefreshToken(sealed, ENCRYPTION_KEY, APP_ID)).toBeUndefined();
  });
});
