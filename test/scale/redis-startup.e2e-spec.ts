import { QingtuiConfigError, QingtuiModule, TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { figure, readStoredRecord, redisCommand, waitFor } from '../support/fault-tools.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * Issue 7, point 4 (e): a Redis that is wrong at start-up (wrong password, wrong DB, nothing
 * listening) refuses the start, naming `redisUrl` and never the password, before any platform
 * call; `redisOptional: true` starts degraded instead and joins Redis once it is there.
 */
const APP_ID = 'startup-app';
const SECRET = 'startup-secret-DO-NOT-LOG';
const KEY = 'startup-client-key-0123456789abcdef';
const PASSWORD = 'right-redis-password-DO-NOT-LOG';
const WRONG_PASSWORD = 'wrong-redis-password-DO-NOT-LOG';
const logs = new LogCapture();

let redis: RedisProcess;
let sandbox: QingtuiSandbox;
let baseUrl: string;
let cases: { name: string; url: string }[];
const modules: TestingModule[] = [];
let lateRedis: RedisProcess | undefined;

beforeAll(async () => {
  redis = await RedisProcess.start();
  await redisCommand(redis.url, ['CONFIG', 'SET', 'requirepass', PASSWORD]);
  sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
  baseUrl = await sandbox.start();
  const host = `127.0.0.1:${redis.port}`;
  cases = [
    { name: 'wrong password', url: `redis://:${WRONG_PASSWORD}@${host}` },
    { name: 'wrong DB', url: `redis://:${PASSWORD}@${host}/99` },
    { name: 'nothing listening', url: `redis://:${PASSWORD}@127.0.0.1:${await freePort()}` },
  ];
});

afterAll(async () => {
  await Promise.all(modules.splice(0).map((m) => m.close()));
  await sandbox?.stop();
  await redis?.stop();
  await lateRedis?.stop();
});

function moduleWith(redisUrl: string, redisOptional = false) {
  return Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }],
        baseUrl,
        redisUrl,
        redisOptional,
        keyPrefix: `test-startup-${randomUUID().slice(0, 8)}`,
        prefetch: false,
        httpTimeoutMs: 2_000,
      }),
    ],
  })
    .setLogger(logs)
    .compile();
}

describe('a Redis that is wrong at start-up', () => {
  it('the library refuses to start with a QingtuiConfigError naming redisUrl, without the password', async () => {
    for (const c of cases) {
      const started = Date.now();
      const error = await moduleWith(c.url).catch((e: unknown) => e);
      figure(
        `library, ${c.name}: refused in ${Date.now() - started} ms: ${(error as Error).message}`,
      );
      expect(error, c.name).toBeInstanceOf(QingtuiConfigError);
      expect((error as QingtuiConfigError).field).toBe('redisUrl');
      expect(String((error as Error).message)).not.toContain(PASSWORD);
      expect(String((error as Error).message)).not.toContain(WRONG_PASSWORD);
      expect(String((error as Error).stack)).not.toContain(PASSWORD);
    }
    expect(sandbox.counters().apps[APP_ID].tokenCalls).toBe(0);
    expect(logs.text()).not.toContain(PASSWORD);
    expect(logs.text()).not.toContain(WRONG_PASSWORD);
  }, 30_000);

  it('the server process exits before any platform call, naming the Redis setting and not the password', async () => {
    const outcomes = await Promise.all(
      cases.map(async (c) => {
        const server = new ServerProcess(
          await freePort(),
          {
            QINGTUI_BASE_URL: baseUrl,
            QINGTUI_APP_ID: APP_ID,
            QINGTUI_APP_SECRET: SECRET,
            API_KEYS: KEY,
            REDIS_URL: c.url,
            QINGTUI_KEY_PREFIX: `test-startup-${randomUUID().slice(0, 8)}`,
          },
          SERVER_ENTRY,
        );
        const error = await server.start(15_000).then(
          () => undefined,
          (e: unknown) => e,
        );
        await server.stop();
        return { c, error, output: server.output.join(''), code: await server.exited };
      }),
    );
    for (const { c, error, output, code } of outcomes) {
      const line = output.split('\n').find((l) => /REDIS_URL/.test(l));
      figure(`server, ${c.name}: exit ${code}: ${line?.trim()}`);
      expect(error, `${c.name} started:\n${output}`).toBeDefined();
      expect(code).not.toBe(0);
      expect(line, output).toMatch(
        /Invalid configuration: REDIS_URL does not lead to a usable Redis/,
      );
      // One line, no stack trace.
      expect(output, output).not.toMatch(/\n\s+at /);
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(WRONG_PASSWORD);
      expect(output).not.toContain(SECRET);
    }
    expect(sandbox.counters().apps[APP_ID].tokenCalls).toBe(0);
  }, 40_000);

  it('with redisOptional: true the library starts degraded, serves tokens, and joins Redis once it is there', async () => {
    const port = await freePort();
    const moduleRef = await moduleWith(`redis://127.0.0.1:${port}`, true);
    modules.push(moduleRef);
    await moduleRef.init();
    const tokens = moduleRef.get(TokenService);
    expect(tokens.storeInfo()).toMatchObject({ kind: 'redis', state: 'degraded' });
    const token = await tokens.getToken();
    expect(sandbox.isTokenValid(token)).toBe(true);
    lateRedis = await RedisProcess.start(port);
    const okIn = await waitFor('store ok', () => tokens.storeInfo().state === 'ok', 8_000);
    const keys = (await redisCommand(lateRedis.url, ['KEYS', '*:token'])) as string[];
    const storedIn = await waitFor(
      'record written back',
      async () => {
        const k = ((await redisCommand(lateRedis!.url, ['KEYS', '*:token'])) as string[])[0];
        return (
          k !== undefined &&
          (await readStoredRecord(lateRedis!.url, k))?.record.accessToken === token
        );
      },
      5_000,
    );
    figure(
      `redisOptional: Redis appeared, store ok after ${okIn} ms, record stored after ${okIn + storedIn} ms (keys before: ${keys.length})`,
    );
    expect(await tokens.getToken()).toBe(token);
    expect(logs.text()).toMatch(/Redis unreachable/);
    expect(logs.text()).toMatch(/Redis reachable again/);
  }, 30_000);
});
