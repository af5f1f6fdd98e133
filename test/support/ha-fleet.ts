import { QingtuiSandbox } from 'qingtui-sandbox';
import { randomUUID } from 'node:crypto';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { writeAppsFile } from './central-server.harness.js';
import { sleep } from './fault-tools.js';

export const HA_KEY = 'ha-client-key-0123456789abcdef';

/** One Qingtui app of the fleet. */
export interface HaApp {
  name: string;
  appId: string;
  appSecret: string;
}

/** What the readers saw. */
export interface ReadTally {
  reads: number;
  /** Reads answered other than 200 with a token the platform accepts, while one existed. */
  failed: number;
  /** The first few failures, for the message. */
  failures: string[];
}

/**
 * The sandbox (Qingtui apps, compressed token lifetimes), `servers` processes of the built server
 * sharing one Redis given by `redisEnv` (`REDIS_SENTINELS...` or `REDIS_CLUSTER_NODES...`), and
 * readers asking every server for every app's token all along. Grants are sampled with their
 * time, so that a test can tell a grant a rotation made from an extra one.
 */
export class HaFleet {
  readonly tally: ReadTally = { reads: 0, failed: 0, failures: [] };
  /** Times (ms) at which the sandbox granted a new token, by AppID. */
  readonly grantTimes = new Map<string, number[]>();
  private reading = true;
  private readers: Promise<void>[] = [];
  private sampler?: NodeJS.Timeout;

  private constructor(
    readonly sandbox: QingtuiSandbox,
    readonly servers: ServerProcess[],
    readonly apps: HaApp[],
    readonly prefix: string,
    private readonly cleanup: () => void,
  ) {}

  static async start(options: {
    apps: HaApp[];
    servers: number;
    tokenTtlSeconds: number;
    redisEnv: Record<string, string>;
  }): Promise<HaFleet> {
    const sandbox = new QingtuiSandbox({
      apps: options.apps.map(({ appId, appSecret }) => ({ appId, appSecret })),
      tokenTtlSeconds: options.tokenTtlSeconds,
    });
    const url = await sandbox.start(0, '127.0.0.1');
    const file = writeAppsFile(options.apps);
    const prefix = `test-ha-${randomUUID().slice(0, 8)}`;
    const servers: ServerProcess[] = [];
    try {
      for (let i = 0; i < options.servers; i++) {
        const server = new ServerProcess(
          await freePort(),
          {
            QINGTUI_APPS_FILE: file.path,
            QINGTUI_BASE_URL: url,
            API_KEYS: HA_KEY,
            QINGTUI_KEY_PREFIX: prefix,
            ...options.redisEnv,
          },
          SERVER_ENTRY,
        );
        servers.push(server);
        await server.start();
      }
    } catch (error) {
      await Promise.all(servers.map((s) => s.kill()));
      await sandbox.stop();
      file.cleanup();
      throw error;
    }
    const fleet = new HaFleet(sandbox, servers, options.apps, prefix, file.cleanup);
    fleet.sampler = setInterval(() => fleet.sample(), 20);
    return fleet;
  }

  /** The key of an app's token record. */
  tokenKey(app: HaApp): string {
    return `${this.prefix}:{qingtui:${app.appId}}:token`;
  }

  /** The token one server hands out for `app` now. */
  async serve(server: ServerProcess, app: HaApp): Promise<string> {
    const res = await fetch(`${server.url}/apps/${app.name}/token`, {
      headers: { authorization: `Bearer ${HA_KEY}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200)
      throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** Whether every server hands out one token for every app (and the platform takes it). */
  async converged(): Promise<boolean> {
    for (const app of this.apps) {
      const served = await Promise.all(this.servers.map((s) => this.serve(s, app))).catch(
        () => undefined,
      );
      if (served === undefined || new Set(served).size !== 1) return false;
      if (!this.sandbox.isTokenValid(served[0])) return false;
    }
    return true;
  }

  /** Whether every server reports its shared store usable (`GET /health` says `ok`). */
  async storeShared(): Promise<boolean> {
    const states = await Promise.all(
      this.servers.map(async (s) => {
        try {
          const res = await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(2_000) });
          return ((await res.json()) as { status: string }).status;
        } catch {
          return 'unreachable';
        }
      }),
    );
    return states.every((state) => state === 'ok');
  }

  /** Starts one reader per server and app, each asking every `everyMs`. */
  startReaders(everyMs = 25): void {
    for (const server of this.servers) {
      for (const app of this.apps) {
        this.readers.push(
          (async () => {
            while (this.reading) {
              await this.readOnce(server, app);
              await sleep(everyMs);
            }
          })(),
        );
      }
    }
  }

  async stopReaders(): Promise<void> {
    this.reading = false;
    await Promise.all(this.readers);
    this.readers = [];
    this.reading = true;
  }

  /** Grants of `app` since `since` (ms). */
  grantsSince(app: HaApp, since: number): number[] {
    return (this.grantTimes.get(app.appId) ?? []).filter((t) => t >= since);
  }

  /** Waits for the next grant of `app` after now; resolves with its time. */
  async nextGrant(app: HaApp, timeoutMs: number): Promise<number> {
    const count = this.grantsSince(app, 0).length;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const times = this.grantsSince(app, 0);
      if (times.length > count) return times[count];
      await sleep(20);
    }
    throw new Error(`no grant for ${app.appId} within ${timeoutMs} ms`);
  }

  /** Everything the server processes printed. */
  output(): string {
    return this.servers.map((s) => s.output.join('')).join('\n');
  }

  async stop(): Promise<void> {
    this.reading = false;
    clearInterval(this.sampler);
    await Promise.all(this.readers);
    await Promise.all(this.servers.map((s) => s.stop()));
    await this.sandbox.stop();
    this.cleanup();
  }

  private async readOnce(server: ServerProcess, app: HaApp): Promise<void> {
    // A valid token exists from the first grant on (the sandbox keeps the old one valid until
    // it expires); before it, there is nothing a read could return.
    const validExists = this.sandbox.currentToken(app.appId) !== undefined;
    let problem: string | undefined;
    try {
      const token = await this.serve(server, app);
      if (!this.sandbox.isTokenValid(token)) problem = 'a token the platform refuses';
    } catch (error) {
      problem = (error as Error).message;
    }
    if (!validExists) return;
    this.tally.reads += 1;
    if (problem !== undefined) {
      this.tally.failed += 1;
      if (this.tally.failures.length < 5) this.tally.failures.push(`${app.name}: ${problem}`);
    }
  }

  private sample(): void {
    const counters = this.sandbox.counters().apps;
    const now = Date.now();
    for (const app of this.apps) {
      const grants = counters[app.appId]?.grants ?? 0;
      const times = this.grantTimes.get(app.appId) ?? [];
      while (times.length < grants) times.push(now);
      this.grantTimes.set(app.appId, times);
    }
  }
}

/**
 * Grants closer to the one before than half a planned renewal interval: those a rotation did not
 * call for (an instance renewing on its own while the store was out of reach).
 */
export function extraGrants(times: number[], renewalIntervalMs: number): number {
  let extra = 0;
  for (let i = 1; i < times.length; i++) {
    if (times[i] - times[i - 1] < renewalIntervalMs / 2) extra += 1;
  }
  return extra;
}
