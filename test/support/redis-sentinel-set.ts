import {
  RedisServerProcess,
  redisCli,
  removeDir,
  tempDir,
} from '../../bench/support/redis-processes.js';

export const SENTINEL_MASTER_NAME = 'qingtui-primary';

/**
 * A local Sentinel set: one primary, one replica, three sentinels (`redis-server --sentinel`, each
 * with its config file in a temporary directory), on ports `basePort` (primary),
 * `basePort + 1` (replica) and `basePort + 10..12` (sentinels). Failover is fast:
 * `down-after-milliseconds` 1000, quorum 2. Data nodes and sentinels each have a password.
 */
export class RedisSentinelSet {
  private constructor(
    private readonly dir: string,
    readonly data: RedisServerProcess[],
    readonly sentinels: RedisServerProcess[],
    readonly password: string,
    readonly sentinelPassword: string,
  ) {}

  static async start(options: {
    basePort: number;
    password: string;
    sentinelPassword: string;
  }): Promise<RedisSentinelSet> {
    const { basePort: p, password, sentinelPassword } = options;
    const dir = await tempDir('qingtui-sentinel');
    const common = [
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'repl-diskless-sync-delay 0',
      `requirepass "${password}"`,
      `masterauth "${password}"`,
    ];
    const primary = await RedisServerProcess.withConfig(p, dir, [`port ${p}`, ...common]);
    const replica = await RedisServerProcess.withConfig(p + 1, dir, [
      `port ${p + 1}`,
      ...common,
      `replicaof 127.0.0.1 ${p}`,
    ]);
    await primary.start();
    await replica.start();
    const sentinels: RedisServerProcess[] = [];
    for (const port of [p + 10, p + 11, p + 12]) {
      sentinels.push(
        await RedisServerProcess.withConfig(
          port,
          dir,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `requirepass "${sentinelPassword}"`,
            `sentinel sentinel-pass "${sentinelPassword}"`,
            `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${p} 2`,
            `sentinel auth-pass ${SENTINEL_MASTER_NAME} "${password}"`,
            `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
            `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 4000`,
            `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          ],
          ['--sentinel'],
        ),
      );
    }
    await Promise.all(sentinels.map((s) => s.start()));
    const set = new RedisSentinelSet(
      dir,
      [primary, replica],
      sentinels,
      password,
      sentinelPassword,
    );
    await set.waitFor(
      'replica in sync and known to every sentinel',
      async () =>
        (await set.info(p + 1, 'replication')).includes('master_link_status:up') &&
        (await Promise.all(sentinels.map((s) => set.sentinelSees(s.port)))).every(Boolean),
      15_000,
    );
    return set;
  }

  get sentinelNodes(): { host: string; port: number }[] {
    return this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  /** The port of the primary as the sentinels see it now. */
  async primaryPort(): Promise<number> {
    for (const s of this.sentinels.filter((x) => x.alive)) {
      try {
        const out = await redisCli(
          ['-p', String(s.port), 'SENTINEL', 'get-master-addr-by-name', SENTINEL_MASTER_NAME],
          this.sentinelPassword,
          2_000,
        );
        const port = Number(out.trim().split('\n')[1]);
        if (Number.isInteger(port)) return port;
      } catch {
        // the next sentinel
      }
    }
    throw new Error('no sentinel answers');
  }

  /** Kills the current primary; resolves with its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    await this.data.find((d) => d.port === port)!.kill();
    return port;
  }

  /** Waits until the sentinels name a primary other than `oldPort` and it answers as a primary. */
  async waitForNewPrimary(oldPort: number, timeoutMs = 20_000): Promise<number> {
    let port = oldPort;
    await this.waitFor(
      'a new primary',
      async () => {
        port = await this.primaryPort().catch(() => oldPort);
        return port !== oldPort && (await this.info(port, 'replication')).includes('role:master');
      },
      timeoutMs,
    );
    return port;
  }

  async info(port: number, section: string): Promise<string> {
    return redisCli(['-p', String(port), 'INFO', section], this.password, 2_000).catch(() => '');
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sentinels, ...this.data].map((p) => p.kill()));
    await removeDir(this.dir);
  }

  private async sentinelSees(port: number): Promise<boolean> {
    const out = await redisCli(
      ['-p', String(port), 'SENTINEL', 'replicas', SENTINEL_MASTER_NAME],
      this.sentinelPassword,
      2_000,
    ).catch(() => '');
    return out.includes('slave') || out.includes('replica');
  }

  private async waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`Sentinel set: ${what}, not within ${timeoutMs} ms`);
  }
}
