import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { BUILT, BuiltServer } from '../support/built-server.js';

/* Issue 13, point 6: SIGTERM while Redis is frozen (SIGSTOP) keeps to SHUTDOWN_TIMEOUT_MS. */
const APP = { appId: 'frozen-shutdown', appSecret: 'frozen-shutdown-secret-DO-NOT-LOG' };
const KEY = 'frozen-shutdown-key-0123456789abcdef';

let redis: RedisProcess | undefined;
let sandbox: QingtuiSandbox | undefined;

afterAll(async () => {
  redis?.thaw();
  await redis?.stop();
  await sandbox?.stop();
});

describe.skipIf(!BUILT)('SIGTERM with a frozen Redis', () => {
  it('exits within about SHUTDOWN_TIMEOUT_MS (1 s here), saying why', async () => {
    redis = await RedisProcess.start();
    sandbox = new QingtuiSandbox({ apps: [APP], tokenTtlSeconds: 4 });
    const url = await sandbox.start();
    const server = new BuiltServer({
      PORT: '0',
      QINGTUI_BASE_URL: url,
      QINGTUI_APP_ID: APP.appId,
      QINGTUI_APP_SECRET: APP.appSecret,
      API_KEYS: KEY,
      REDIS_URL: redis.url,
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    const base = await server.url();
    const res = await fetch(`${base}/apps/default/token`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.status).toBe(200);
    redis.freeze();
    // Clients keep asking through the freeze, and renewals fall inside it (4 s tokens).
    let stop = false;
    const clients = Array.from({ length: 4 }, async () => {
      while (!stop) {
        await fetch(`${base}/apps/default/token`, {
          headers: { authorization: `Bearer ${KEY}` },
          signal: AbortSignal.timeout(20_000),
        }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await new Promise((r) => setTimeout(r, 4_000));
    const started = Date.now();
    server.signal('SIGTERM');
    const exit = await server.exited;
    const tookMs = Date.now() - started;
    stop = true;
    await Promise.all(clients);
    process.stdout.write(
      `    [figure] SIGTERM with Redis frozen: exited ${tookMs} ms later, code ${exit.code}\n`,
    );
    expect(tookMs).toBeLessThan(6_000);
    expect(server.text()).toMatch(/SHUTDOWN_TIMEOUT_MS/);
    expect(server.text()).not.toContain(APP.appSecret);
  }, 60_000);
});
