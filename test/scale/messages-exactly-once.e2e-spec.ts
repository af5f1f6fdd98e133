import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  QingtuiSandbox,
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECOM_APP,
  wecomAppKey,
} from 'qingtui-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { writeAppsFile } from '../support/central-server.harness.js';

/*
 * Issue 17.2, 17.3, 17.5 with real processes: two server instances on one private Redis (an
 * append-only file synced on every write), the sandbox in this process. Idempotency keys and
 * WeCom's per-member counts are shared by the instances and survive a Redis restart; a Redis
 * that comes back empty still sends nothing twice on WeCom (its duplicate check, switched on by
 * the key, drops the repeat).
 */
const WW = SANDBOX_DEMO_WECOM_APP;
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);
const KEY = 'messages-scale-client-key-0123456789';

describe('messages exactly once across instances and Redis restarts', () => {
  let sandbox: QingtuiSandbox;
  let redis: RedisProcess;
  let dataDir: string;
  let apps: ReturnType<typeof writeAppsFile>;
  const servers: ServerProcess[] = [];
  let unique = 0;

  const send = async (server: ServerProcess, body: unknown, key?: string) => {
    const res = await fetch(`${server.url}/apps/ww/messages`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    return {
      status: res.status,
      replayed: res.headers.get('idempotent-replayed'),
      json: (await res.json()) as Record<string, unknown>,
    };
  };
  const text = (user: string) => ({
    touser: user,
    msgtype: 'text',
    text: { content: `message ${++unique}` },
  });
  const deliveries = () => sandbox.push.deliveries({ appKey: WW_KEY });

  beforeAll(async () => {
    sandbox = new QingtuiSandbox({ apps: [{ ...SANDBOX_DEMO_APP }] });
    const url = await sandbox.start(0, '127.0.0.1');
    dataDir = mkdtempSync(join(tmpdir(), 'qingtui-redis-aof-'));
    redis = await RedisProcess.start(undefined, { persistIn: dataDir });
    apps = writeAppsFile([
      {
        name: 'ww',
        platform: 'wecom',
        corpId: WW.corpId,
        agentId: Number(WW.agentId),
        secret: WW.secret,
      },
    ]);
    const prefix = `msg-${randomUUID()}`;
    for (let i = 0; i < 2; i += 1) {
      const server = new ServerProcess(
        await freePort(),
        {
          QINGTUI_BASE_URL: url,
          WECHAT_BASE_URL: url,
          WECOM_BASE_URL: url,
          QINGTUI_APP_ID: SANDBOX_DEMO_APP.appId,
          QINGTUI_APP_SECRET: SANDBOX_DEMO_APP.appSecret,
          QINGTUI_APPS_FILE: apps.path,
          API_KEYS: KEY,
          REDIS_URL: redis.url,
          QINGTUI_KEY_PREFIX: prefix,
        },
        SERVER_ENTRY,
      );
      servers.push(server);
    }
    await Promise.all(servers.map((s) => s.start()));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
    await sandbox?.stop();
    apps?.cleanup();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('1000 concurrent sends with one key over two instances: 1 delivery, no other send', async () => {
    const body = text('alice');
    const before = deliveries().length;
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => send(servers[i % 2], body, 'burst-across')),
    );
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 409)).toEqual([]);
    expect(deliveries().length - before).toBe(1);
    expect(answers.filter((a) => a.replayed === 'false')).toHaveLength(1);
    const ids = new Set(answers.filter((a) => a.status === 200).map((a) => a.json.msg_id));
    expect(ids.size).toBe(1);
  }, 90_000);

  it('a key survives a Redis restart (persisted): the retry on the other instance is a replay', async () => {
    const body = text('bob');
    const before = deliveries().length;
    const first = await send(servers[0], body, 'across-restart');
    expect(first.status).toBe(200);
    await redis.stop();
    await redis.restart();
    let retry = await send(servers[1], body, 'across-restart');
    // Just after the restart the instance may still see Redis as down: 503, nothing sent.
    for (let i = 0; i < 40 && retry.status === 503; i += 1) {
      await new Promise((r) => setTimeout(r, 250));
      retry = await send(servers[1], body, 'across-restart');
    }
    expect(retry.status).toBe(200);
    expect(retry.replayed).toBe('true');
    expect(retry.json).toEqual(first.json);
    expect(deliveries().length - before).toBe(1);
  }, 60_000);

  it('Redis back empty (flushed): the retry is sent again, and WeCom drops it (duplicate check): 1 delivery', async () => {
    const body = text('carol');
    const before = deliveries().length;
    const drops = sandbox.push.drops({ appKey: WW_KEY }).length;
    expect((await send(servers[0], body, 'across-flush')).status).toBe(200);
    const client = await import('@keyv/redis').then((m) => m.createClient({ url: redis.url }));
    await client.connect();
    await client.flushAll();
    await client.close();
    const retry = await send(servers[1], body, 'across-flush');
    expect(retry.status).toBe(200);
    expect(deliveries().length - before).toBe(1);
    expect(
      sandbox.push
        .drops({ appKey: WW_KEY })
        .slice(drops)
        .map((d) => d.reason),
    ).toEqual(['duplicate-check']);
  }, 60_000);

  it('the per-member limit is counted across instances: 32 sends to one member, 30 delivered, 2 refused, 0 dropped', async () => {
    const before = deliveries().length;
    const answers = await Promise.all(
      Array.from({ length: 32 }, (_, i) => send(servers[i % 2], text('dave'))),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(deliveries().length - before).toBe(30);
    expect(sandbox.push.drops({ appKey: WW_KEY, reason: 'minute-limit' })).toHaveLength(0);
  }, 60_000);

  it('logs no secret or client key', () => {
    const printed = servers.map((s) => s.output.join('')).join('\n');
    expect(printed).not.toContain(WW.secret);
    expect(printed).not.toContain(KEY);
  });
});
