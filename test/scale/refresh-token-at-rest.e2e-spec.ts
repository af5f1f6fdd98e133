import { QingtuiSandbox } from 'qingtui-sandbox';
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { figure, readStoredRecord, redisCommand, waitFor } from '../support/fault-tools.js';
import { deleteKeysWithPrefix } from '../support/redis-cleanup.js';

/**
 * Issue 7, point 9: refresh_tokens are sealed before they reach Redis. The server processes talk
 * to the sandbox through a recording proxy that keeps every refresh_token the platform issued,
 * so that the test can look for them, byte for byte, in everything stored under the prefix.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const APP_ID = 'at-rest-app';
const SECRET = 'at-rest-secret-DO-NOT-LOG';
const KEY = 'at-rest-client-key-0123456789abcdef';
const prefix = `test-at-rest-${randomUUID().slice(0, 8)}`;

let sandbox: QingtuiSandbox | undefined;
let proxy: Server | undefined;
const servers: ServerProcess[] = [];
/** Every refresh_token the platform issued (seen on its way back from `/v1/token`). */
const issued = new Set<string>();

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await new Promise((r) => proxy?.close(r));
  await sandbox?.stop();
  await deleteKeysWithPrefix(REDIS_URL, [prefix]);
});

/** Forwards platform GETs to the sandbox and records the refresh_tokens it hands out. */
async function startRecordingProxy(target: string): Promise<string> {
  proxy = createServer((req, res) => {
    void (async () => {
      const upstream = await fetch(`${target}${req.url}`, { method: req.method });
      const text = await upstream.text();
      try {
        const body = JSON.parse(text) as { refresh_token?: unknown };
        if (typeof body.refresh_token === 'string') issued.add(body.refresh_token);
      } catch {
        // not JSON: nothing to record
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'text/plain',
      });
      res.end(text);
    })().catch(() => res.destroy());
  });
  const port = await freePort();
  await new Promise<void>((r) => proxy!.listen(port, '127.0.0.1', r));
  return `http://127.0.0.1:${port}`;
}

async function server(baseUrl: string): Promise<ServerProcess> {
  const s = new ServerProcess(
    await freePort(),
    {
      QINGTUI_BASE_URL: baseUrl,
      QINGTUI_APP_ID: APP_ID,
      QINGTUI_APP_SECRET: SECRET,
      API_KEYS: KEY,
      REDIS_URL,
      QINGTUI_KEY_PREFIX: prefix,
    },
    SERVER_ENTRY,
  );
  servers.push(s);
  return s.start();
}

async function tokenOf(s: ServerProcess): Promise<string> {
  const res = await fetch(`${s.url}/apps/default/token`, {
    headers: { authorization: `Bearer ${KEY}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Every string value stored under the test's prefix. */
async function storedValues(): Promise<string[]> {
  const keys = (await redisCommand(REDIS_URL, ['KEYS', `${prefix}:*`])) as string[];
  const values = await Promise.all(
    keys.map((k) => redisCommand(REDIS_URL, ['GET', k]).catch(() => '')),
  );
  return values.filter((v): v is string => typeof v === 'string');
}

describe('refresh_token at rest (server processes, shared Redis)', () => {
  it('Redis never holds a refresh_token the platform issued, and a restarted process still renews with the stored one', async () => {
    sandbox = new QingtuiSandbox({
      apps: [{ appId: APP_ID, appSecret: SECRET }],
      tokenTtlSeconds: 4,
    });
    const baseUrl = await startRecordingProxy(await sandbox.start());
    const first = await server(baseUrl);
    const token = await tokenOf(first);
    expect(issued.size).toBe(1);
    const [refreshToken] = [...issued];
    expect(refreshToken).toMatch(/^rt_[0-9a-f]{32}$/);

    const stored = await readStoredRecord(REDIS_URL, `${prefix}:{qingtui:${APP_ID}}:token`);
    expect(stored?.record.accessToken).toBe(token);
    const sealed = stored!.record.refreshToken!;
    figure(
      `refresh_token at rest: issued ${refreshToken.length} chars, stored sealed as ${sealed.length} chars (v1.iv.tag.ciphertext)`,
    );
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const values = await storedValues();
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(value).not.toContain(refreshToken);
      expect(value).not.toMatch(/rt_[0-9a-f]{32}/);
      expect(value).not.toContain(SECRET);
    }
    expect(first.output.join('')).not.toContain(refreshToken);

    // A new process (same AppSecret) opens the sealed refresh_token and renews with it.
    await first.stop();
    const second = await server(baseUrl);
    await waitFor(
      'renewal by refresh_token',
      async () => (await tokenOf(second)) !== token,
      8_000,
      50,
    );
    const renewed = await tokenOf(second);
    const c = sandbox.counters().apps[APP_ID];
    expect(renewed).not.toBe(token);
    expect(sandbox.isTokenValid(renewed)).toBe(true);
    expect(c.tokenCalls).toBe(1);
    expect(c.refreshRejected).toEqual({});
    expect(issued.size).toBe(1);
    for (const value of await storedValues()) expect(value).not.toContain(refreshToken);
    expect(second.output.join('')).not.toContain(refreshToken);
  }, 40_000);
});
