import { QingtuiModule, TokenService } from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { randomUUID } from 'node:crypto';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { readStoredRecord } from './fault-tools.js';
import { LogCapture } from './log-capture.js';

export const FLEET_APP_ID = 'fleet-app';
export const FLEET_SECRET = 'fleet-secret-DO-NOT-LOG';
export const FLEET_KEY = 'fleet-client-key-0123456789abcdef';

/**
 * A private redis-server, the sandbox, `servers` processes of the built server sharing that Redis,
 * and one instance of the library in this process (same Redis, same prefix) whose `storeInfo()`
 * tells the store's state.
 */
export class RedisFleet {
  readonly logs = new LogCapture();
  private moduleRef?: TestingModule;
  tokens!: TokenService;

  private constructor(
    readonly redis: RedisProcess,
    readonly sandbox: QingtuiSandbox,
    readonly servers: ServerProcess[],
    readonly prefix: string,
  ) {}

  static async start(options: { servers?: number; tokenTtlSeconds: number }): Promise<RedisFleet> {
    const redis = await RedisProcess.start();
    const sandbox = new QingtuiSandbox({
      apps: [{ appId: FLEET_APP_ID, appSecret: FLEET_SECRET }],
      tokenTtlSeconds: options.tokenTtlSeconds,
    });
    const url = await sandbox.start();
    const prefix = `test-fleet-${randomUUID().slice(0, 8)}`;
    const servers = await Promise.all(
      Array.from({ length: options.servers ?? 3 }, async () =>
        new ServerProcess(
          await freePort(),
          {
            QINGTUI_BASE_URL: url,
            QINGTUI_APP_ID: FLEET_APP_ID,
            QINGTUI_APP_SECRET: FLEET_SECRET,
            API_KEYS: FLEET_KEY,
            REDIS_URL: redis.url,
            QINGTUI_KEY_PREFIX: prefix,
          },
          SERVER_ENTRY,
        ).start(),
      ),
    );
    const fleet = new RedisFleet(redis, sandbox, servers, prefix);
    fleet.moduleRef = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRoot({
          apps: [{ name: 'default', appId: FLEET_APP_ID, appSecret: FLEET_SECRET }],
          baseUrl: url,
          redisUrl: redis.url,
          keyPrefix: prefix,
          prefetch: false,
          httpTimeoutMs: 2_000,
        }),
      ],
    })
      .setLogger(fleet.logs)
      .compile();
    await fleet.moduleRef.init();
    fleet.tokens = fleet.moduleRef.get(TokenService);
    return fleet;
  }

  get key(): string {
    return `${this.prefix}:{qingtui:${FLEET_APP_ID}}:token`;
  }

  counters() {
    return this.sandbox.counters().apps[FLEET_APP_ID];
  }

  /** The token one server hands out now. */
  async serve(server: ServerProcess): Promise<string> {
    const res = await fetch(`${server.url}/apps/default/token`, {
      headers: { authorization: `Bearer ${FLEET_KEY}` },
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** The tokens every member hands out now: the servers', then this process's instance. */
  async served(): Promise<string[]> {
    return Promise.all([...this.servers.map((s) => this.serve(s)), this.tokens.getToken()]);
  }

  /** The access_token of the record stored in Redis, undefined when none (or no answer). */
  async stored(): Promise<string | undefined> {
    try {
      return (await readStoredRecord(this.redis.url, this.key))?.record.accessToken;
    } catch {
      return undefined;
    }
  }

  /** Whether every member hands out the token stored in Redis. */
  async converged(): Promise<boolean> {
    const [stored, served] = await Promise.all([this.stored(), this.served().catch(() => [])]);
    return stored !== undefined && served.length > 0 && served.every((t) => t === stored);
  }

  /** Everything the server processes printed. */
  output(): string {
    return this.servers.map((s) => s.output.join('')).join('\n');
  }

  async stop(): Promise<void> {
    this.redis.thaw();
    await this.moduleRef?.close();
    await Promise.all(this.servers.map((s) => s.stop()));
    await this.sandbox.stop();
    await this.redis.stop();
  }
}
