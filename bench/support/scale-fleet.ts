import { QingtuiSandbox } from 'qingtui-sandbox';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@keyv/redis';
import { freePort, SERVER_ENTRY, ServerProcess } from './server-process.js';

/** The client key of the scale fleet's servers. */
export const SCALE_KEY = 'scale-client-key-0123456789abcdef';

/** `count` Qingtui apps: `app-<i>`, AppID `scale<i>` (for the sandbox and the apps file). */
export function scaleApps(count: number): { name: string; appId: string; appSecret: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `app-${i}`,
    appId: `scale${String(i).padStart(6, '0')}`,
    appSecret: `scale-secret-${i}-DO-NOT-LOG`,
  }));
}

/** Sum of the calls of every command since the Redis server started (`INFO commandstats`). */
export async function redisCommandCalls(url: string): Promise<number> {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const info = await client.info('commandstats');
    let total = 0;
    for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
    return total;
  } finally {
    client.destroy();
  }
}

/**
 * The sandbox with `apps` Qingtui apps, an apps file listing them, and the built server's
 * processes started on demand against a given Redis, all with one key prefix.
 */
export class ScaleFleet {
  readonly servers: ServerProcess[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'qingtui-scale-'));
  readonly appsFile = join(this.dir, 'apps.json');

  private constructor(
    readonly sandbox: QingtuiSandbox,
    readonly url: string,
    readonly apps: ReturnType<typeof scaleApps>,
  ) {
    writeFileSync(this.appsFile, JSON.stringify(apps));
  }

  static async start(count: number, tokenTtlSeconds = 7_200): Promise<ScaleFleet> {
    const apps = scaleApps(count);
    const sandbox = new QingtuiSandbox({
      apps: apps.map(({ appId, appSecret }) => ({ appId, appSecret })),
      tokenTtlSeconds,
    });
    return new ScaleFleet(sandbox, await sandbox.start(), apps);
  }

  /** Platform calls of every app so far (token, refresh and business calls). */
  platformCalls(): number {
    let total = 0;
    for (const c of Object.values(this.sandbox.counters().apps)) {
      total += c.tokenCalls + c.refreshCalls + c.apiCalls;
    }
    return total;
  }

  /** Starts `count` server processes at once, sharing `redisUrl` under `prefix`. */
  async startServers(
    count: number,
    redisUrl: string,
    prefix: string,
    env: Record<string, string> = {},
    timeoutMs = 60_000,
  ): Promise<ServerProcess[]> {
    const started = await Promise.all(
      Array.from({ length: count }, async () =>
        new ServerProcess(
          await freePort(),
          {
            QINGTUI_BASE_URL: this.url,
            QINGTUI_APPS_FILE: this.appsFile,
            API_KEYS: SCALE_KEY,
            // '' for a store given by `env` alone (REDIS_CLUSTER_NODES...).
            ...(redisUrl === '' ? {} : { REDIS_URL: redisUrl }),
            QINGTUI_KEY_PREFIX: prefix,
            LOG_LEVEL: 'warn',
            ...env,
          },
          SERVER_ENTRY,
        ).start(timeoutMs),
      ),
    );
    this.servers.push(...started);
    return started;
  }

  /** Stops every server process started so far. */
  async stopServers(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((s) => s.stop()));
  }

  /** The token `server` hands out for `app` now (HTTP status and body). */
  async token(server: ServerProcess, app: string): Promise<{ status: number; token?: string }> {
    const res = await fetch(`${server.url}/apps/${app}/token`, {
      headers: { authorization: `Bearer ${SCALE_KEY}` },
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as { access_token?: string };
    return { status: res.status, token: body.access_token };
  }

  async stop(): Promise<void> {
    await this.stopServers();
    await this.sandbox.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
