import { createClient } from '@keyv/redis';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';

/**
 * Real processes of the built server (`npm run build`), real Redis, the sandbox in this process.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = 'scale-app';
const SECRET = 'scale-secret-DO-NOT-LOG';
const KEY = 'scale-test-client-key-0123456789';

const servers: ServerProcess[] = [];
const prefixes: string[] = [];
let sandbox: QingtuiSandbox | undefined;
let privateRedis: RedisProcess | undefined;

async function startServers(
  count: number,
  baseUrl: string,
  redisUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<ServerProcess[]> {
  const prefix = `test-${randomUUID()}`;
  prefixes.push(prefix);
  const started = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = new ServerProcess(
        await freePort(),
        {
          QINGTUI_BASE_URL: baseUrl,
          QINGTUI_APP_ID: APP_ID,
          QINGTUI_APP_SECRET: SECRET,
          API_KEYS: KEY,
          REDIS_URL: redisUrl,
          QINGTUI_KEY_PREFIX: prefix,
          ...extraEnv,
        },
        SERVER_ENTRY,
      );
      servers.push(server);
      return server.start();
    }),
  );
  return started;
}

async function getToken(server: ServerProcess): Promise<string> {
  const res = await fetch(`${server.url}/apps/default/token`, {
    headers: { authorization: `Bearer ${KEY}` },
    signal: AbortSignal.timeout(15_000),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Uses a token on the platform, as a business server would. */
async function useOnPlatform(token: string): Promise<void> {
  const res = await fetch(
    `${sandbox!.url}/v1/app/followers?access_token=${encodeURIComponent(token)}`,
  );
  const body = (await res.json()) as { errcode?: number };
  if (body.errcode) throw new Error(`platform refused the token: ${body.errcode}`);
}

interface LoadResult {
  ok: number;
  failed: number;
  tokens: Set<string>;
  errors: string[];
}

/** Closed-loop load: `workers` loops per server, until `until()` says stop. */
async function load(
  targets: () => ServerProcess[],
  until: (progress: LoadResult) => boolean,
  workers = 4,
  deadlineMs = 60_000,
): Promise<LoadResult> {
  const result: LoadResult = { ok: 0, failed: 0, tokens: new Set(), errors: [] };
  const deadline = Date.now() + deadlineMs;
  const loop = async (i: number) => {
    while (!until(result) && Date.now() < deadline) {
      const list = targets();
      const server = list[i % list.length];
      try {
        const token = await getToken(server);
        await useOnPlatform(token);
        result.tokens.add(token);
        result.ok += 1;
      } catch (error) {
        result.failed += 1;
        if (result.errors.length < 5) result.errors.push(String(error));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await Promise.all(Array.from({ length: workers * 3 }, (_, i) => loop(i)));
  return result;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  await deleteKeysWithPrefix(REDIS_URL, prefixes.splice(0));
  await sandbox?.stop();
  sandbox = undefined;
  await privateRedis?.stop();
  privateRedis = undefined;
});

describe('several server processes sharing Redis', () => {
  it('3 instances under load through 5 rotations of 3 s tokens behave like one toward the platform', async () => {
    sandbox = new QingtuiSandbox({
      apps: [{ appId: APP_ID, appSecret: SECRET }],
      tokenTtlSeconds: 3,
    });
    const url = await sandbox.start();
    const list = await startServers(3, url, REDIS_URL);
    // Until 5 rotations happened and the load has been served the last of them.
    const result = await load(
      () => list,
      (progress) => {
        const c = sandbox!.counters().apps[APP_ID];
        return c.refreshGrants >= 5 && progress.tokens.size >= c.grants;
      },
    );
    const c = sandbox.counters().apps[APP_ID];
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.ok).toBeGreaterThan(300);
    expect(c.invalidTokenCalls).toBe(0);
    expect(c.tokenGrants).toBe(1); // the cold start
    // Every grant after the cold start is one rotation, and every rotation was seen.
    expect(c.refreshGrants, JSON.stringify(c)).toBe(5);
    expect(c.grants, `tokens seen: ${result.tokens.size}`).toBe(result.tokens.size);
    expect(c.tokenRejected).toEqual({});
    for (const s of list) expect(s.output.join('')).not.toContain(SECRET);
  }, 90_000);

  it('when the lock holder is SIGKILLed mid-refresh, another instance completes it after the lease', async () => {
    sandbox = new QingtuiSandbox({
      apps: [{ appId: APP_ID, appSecret: SECRET }],
      tokenTtlSeconds: 12,
    });
    const url = await sandbox.start();
    const list = await startServers(3, url, REDIS_URL, {
      QINGTUI_HTTP_TIMEOUT_MS: '1500',
      QINGTUI_REFRESH_RATIO: '0.5',
    });
    const first = await getToken(list[0]);
    // Make the next refresh slow, so that its holder can be caught in the middle of it.
    sandbox.addFault({ kind: 'latency', path: '/auth/autoRefreshToken', ms: 1_000, times: 1 });
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    let owner: string | null = null;
    const lockKey = `${prefixes[0]}:{qingtui:${APP_ID}}:lock`;
    const deadline = Date.now() + 15_000;
    while (!owner && Date.now() < deadline) {
      owner = await redis.get(lockKey);
      if (!owner) await new Promise((r) => setTimeout(r, 20));
    }
    await redis.close();
    expect(owner).toBeTruthy();
    const healths = await Promise.all(
      list.map(
        async (s) =>
          (await (
            await fetch(`${s.url}/health/details`, { headers: { authorization: `Bearer ${KEY}` } })
          ).json()) as Record<string, unknown>,
      ),
    );
    const holderIndex = healths.findIndex((h) =>
      owner!.startsWith(JSON.stringify(h).match(/"instanceId":"([^"]+)"/)?.[1] ?? '§'),
    );
    expect(holderIndex).toBeGreaterThanOrEqual(0);
    await list[holderIndex].kill();
    const survivors = list.filter((_, i) => i !== holderIndex);
    // The survivors keep serving, and one of them renews once the dead holder's lease lapses.
    const result = await load(
      () => survivors,
      (progress) => [...progress.tokens].some((t) => t !== first),
      2,
      20_000,
    );
    const c = sandbox.counters().apps[APP_ID];
    expect(result.failed).toBe(0);
    // The dead holder's refresh call, and the survivor's: at most one extra platform call.
    expect(c.refreshCalls).toBeLessThanOrEqual(2);
    expect(c.tokenCalls).toBe(1);
    const now = await getToken(survivors[0]);
    expect(now).not.toBe(first);
    expect(await getToken(survivors[1])).toBe(now);
    expect(c.invalidTokenCalls).toBe(0);
  }, 90_000);

  it('keeps serving when Redis stops, reports degraded once, and recovers when Redis returns', async () => {
    sandbox = new QingtuiSandbox({
      apps: [{ appId: APP_ID, appSecret: SECRET }],
      tokenTtlSeconds: 4,
    });
    const url = await sandbox.start();
    privateRedis = await RedisProcess.start();
    const list = await startServers(2, url, privateRedis.url);
    let phase: 'before' | 'down' | 'after' | 'done' = 'before';
    const loadRun = load(
      () => list,
      () => phase === 'done',
      2,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    await privateRedis.stop();
    phase = 'down';
    await new Promise((r) => setTimeout(r, 5_000)); // more than one rotation without Redis
    const degraded = await Promise.all(
      list.map(async (s) => JSON.stringify(await (await fetch(`${s.url}/health`)).json())),
    );
    for (const h of degraded) expect(h).toContain('degraded');
    await privateRedis.restart();
    phase = 'after';
    await new Promise((r) => setTimeout(r, 5_000));
    const recovered = await Promise.all(
      list.map(async (s) => JSON.stringify(await (await fetch(`${s.url}/health`)).json())),
    );
    for (const h of recovered) expect(h).not.toContain('degraded');
    phase = 'done';
    const result = await loadRun;
    expect(result.errors).toEqual([]);
    expect(result.failed).toBe(0);
    expect(sandbox.counters().apps[APP_ID].invalidTokenCalls).toBe(0);
    for (const s of list) {
      const out = s.output.join('');
      expect(out.match(/Redis unreachable/g) ?? []).toHaveLength(1);
      expect(out).toContain('Redis reachable again');
      expect(out).not.toContain(SECRET);
    }
  }, 90_000);
});
