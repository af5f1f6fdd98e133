import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { BUILT } from '../support/built-server.js';
import { writeAppsFile } from '../support/central-server.harness.js';
import { figure } from '../support/fault-tools.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

type PeersModule = typeof import('../../bench/sections/peers-wechat.js');
type Run = import('../../bench/sections/peers-wechat.js').Run;
type InstallModule = typeof import('../../bench/support/peers-install.js');
type VariantsModule = typeof import('../../bench/sections/peers-wechat.variants.js');

/*
 * Issue 16.4: the npm WeChat SDKs people run (co-wechat-api, wechat-api, node-easywechat), from
 * npm, unmodified (their public API and documented base-URL settings only), in 3 processes
 * each, pointed at the central server: their /cgi-bin/token is the server's platform-shaped
 * path, their business calls go through the relay. WeChat classic rules with compressed time
 * (6 s tokens, the previous one dead 1 s after a new fetch). Straight to the platform the same
 * SDKs make dozens of grants per lifetime at N = 3 (bench section (i)).
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const KEY = 'sdk-through-client-key-0123456789';
const TTL_S = 6;
const OVERLAP_S = 1;
const LIFETIMES = 3;
const prefix = `test-sdks-${randomUUID().slice(0, 8)}`;
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const load = async <T>(path: string): Promise<T> =>
  (await import(pathToFileURL(resolve(path)).href)) as T;

describe.skipIf(!BUILT)('npm WeChat SDKs, unmodified, through the central server', () => {
  it('3 processes of each: one grant per rotation, 0 calls rejected, 0 failed', async () => {
    const { ensurePeersInstalled } = await load<InstallModule>(
      'dist/bench/support/peers-install.js',
    );
    const { runBatch } = await load<PeersModule>('dist/bench/sections/peers-wechat.js');
    const { PEER_VARIANTS } = await load<VariantsModule>(
      'dist/bench/sections/peers-wechat.variants.js',
    );
    await ensurePeersInstalled();
    const variants = PEER_VARIANTS.filter((v) => !v.client.endsWith('/redis'));
    expect(variants.map((v) => v.client)).toEqual([
      'co-wechat-api/memory',
      'wechat-api/memory',
      'node-easywechat/file',
    ]);
    const apps = variants.map((v, i) => ({
      name: `sdk${i + 1}`,
      appId: `wx-sdk-through-${i + 1}`,
      appSecret: `wx-sdk-through-${i + 1}-secret-DO-NOT-LOG`,
      variant: v,
    }));
    const sandbox = new QingtuiSandbox({
      wechatApps: apps.map((a) => ({ appId: a.appId, appSecret: a.appSecret })),
      wechatRules: { tokenTtlSeconds: TTL_S, overlapSeconds: OVERLAP_S },
    });
    const url = await sandbox.start();
    cleanups.push(() => sandbox.stop());
    const file = writeAppsFile(
      apps.map((a) => ({
        name: a.name,
        platform: 'wechat-mp',
        appId: a.appId,
        appSecret: a.appSecret,
      })),
    );
    cleanups.push(file.cleanup);
    cleanups.push(() => deleteKeysWithPrefix(REDIS_URL, [prefix]));
    const server = await new ServerProcess(
      await freePort(),
      {
        QINGTUI_APPS_FILE: file.path,
        WECHAT_BASE_URL: url,
        QINGTUI_BASE_URL: url,
        WECOM_BASE_URL: url,
        WECHAT_TOKEN_OVERLAP_MS: String(OVERLAP_S * 1000),
        API_KEYS: KEY,
        REDIS_URL,
        QINGTUI_KEY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
      },
      SERVER_ENTRY,
    ).start();
    cleanups.push(() => server.stop());

    const runs: Run[] = await Promise.all(
      apps.map(async (a): Promise<Run> => ({
        variant: a.variant,
        label: a.variant.client,
        targetUrl: `${server.url}/apps/${a.name}`,
        instances: 3,
        appId: a.appId,
        // The SDK's AppSecret slot holds the client key.
        appSecret: KEY,
        keyPrefix: `${prefix}-${a.name}`,
        scratchDir: await mkdtemp(join(tmpdir(), 'sdk-through-')),
        processes: [],
        results: [],
      })),
    );
    cleanups.push(() =>
      Promise.all(runs.map((r) => rm(r.scratchDir, { recursive: true, force: true }))),
    );
    await runBatch(sandbox, runs, REDIS_URL, TTL_S * LIFETIMES * 1000, OVERLAP_S);

    for (const run of runs) {
      const row = run.row!;
      figure(
        `${row.variant} ×3 → server, ${LIFETIMES} lifetimes of ${TTL_S} s: ${row.calls} calls, ${row.grants} grants, ${row.tokenFetches} platform token calls, ${row.rejected} rejected, ${row.failed} failed ${JSON.stringify(row.failures)}`,
      );
      expect(row.error).toBeUndefined();
      expect(row.calls).toBeGreaterThan(100);
      expect(row.rejected).toBe(0);
      expect(row.failed).toBe(0);
      // The server's renewals only: one per rotation, none wasted.
      expect(row.grants).toBeGreaterThanOrEqual(LIFETIMES - 1);
      expect(row.grants).toBeLessThanOrEqual(LIFETIMES + 1);
      expect(row.tokenFetches).toBe(row.grants);
    }
  }, 240_000);
});
