import { RedisServerProcess, redisCli, removeDir, tempDir } from './redis-processes.js';

/**
 * A local Redis Cluster of 3 primaries and 3 replicas (`redis-server --cluster-enabled yes` on
 * `basePort..basePort + 5`, cluster bus on `basePort + 10..15`, created with `redis-cli --cluster create --cluster-replicas 1`), with
 * `cluster-node-timeout` 1000 so that a killed primary is replaced within a few seconds.
 */
export class RedisClusterSet {
  private constructor(
    private readonly dir: string,
    readonly nodes: RedisServerProcess[],
    readonly password: string,
  ) {}

  static async start(options: { basePort: number; password: string }): Promise<RedisClusterSet> {
    const dir = await tempDir('qingtui-cluster');
    const nodes: RedisServerProcess[] = [];
    for (let i = 0; i < 6; i++) {
      const port = options.basePort + i;
      nodes.push(
        await RedisServerProcess.withConfig(port, dir, [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          'save ""',
          'appendonly no',
          'cluster-enabled yes',
          // The bus on port + 10 (not the default + 10000): every port stays in this test's range.
          `cluster-port ${port + 10}`,
          `cluster-config-file nodes-${port}.conf`,
          'cluster-node-timeout 1000',
          // A replica may take over however long its link was down; replicas sync at once.
          'cluster-replica-validity-factor 0',
          'repl-diskless-sync-delay 0',
          `requirepass "${options.password}"`,
          `masterauth "${options.password}"`,
        ]),
      );
    }
    await Promise.all(nodes.map((n) => n.start()));
    const set = new RedisClusterSet(dir, nodes, options.password);
    await set.cli([
      '--cluster',
      'create',
      ...nodes.map((n) => `127.0.0.1:${n.port}`),
      '--cluster-replicas',
      '1',
      '--cluster-yes',
    ]);
    await set.waitForHealthy(20_000);
    return set;
  }

  get rootNodes(): { host: string; port: number }[] {
    return this.nodes.slice(0, 3).map((n) => ({ host: '127.0.0.1', port: n.port }));
  }

  cli(args: string[], port = this.nodes[0].port, timeoutMs = 30_000): Promise<string> {
    return redisCli(['-p', String(port), ...args], this.password, timeoutMs);
  }

  /** Slot of `key` (CLUSTER KEYSLOT). */
  async keySlot(key: string): Promise<number> {
    return Number((await this.cli(['CLUSTER', 'KEYSLOT', key], this.anyLive())).trim());
  }

  /** `{ port, id }` of the primary serving `slot` now. */
  async ownerOf(slot: number): Promise<{ port: number; id: string }> {
    const lines = (await this.cli(['CLUSTER', 'NODES'], this.anyLive(), 2_000)).trim().split('\n');
    for (const line of lines) {
      const [id, address, flags, , , , , state, ...ranges] = line.split(' ');
      if (!flags.includes('master') || flags.includes('fail') || state !== 'connected') continue;
      for (const range of ranges) {
        if (range.startsWith('[')) continue;
        const [from, to] = range.split('-').map(Number);
        if (slot >= from && slot <= (to ?? from)) {
          return { port: Number(address.split(':')[1].split('@')[0]), id };
        }
      }
    }
    throw new Error(`no live primary serves slot ${slot}`);
  }

  /** Id of the node on `port`. */
  async idOf(port: number): Promise<string> {
    return (await this.cli(['CLUSTER', 'MYID'], port, 2_000)).trim();
  }

  /** Kills the primary of `slot`; resolves with its port. */
  async killOwnerOf(slot: number): Promise<number> {
    const { port } = await this.ownerOf(slot);
    await this.nodes.find((n) => n.port === port)!.kill();
    return port;
  }

  /** Waits until a live primary other than `oldPort` serves `slot` and the cluster is ok again. */
  async waitForNewOwner(slot: number, oldPort: number, timeoutMs = 20_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const owner = await this.ownerOf(slot).catch(() => undefined);
      if (owner !== undefined && owner.port !== oldPort && (await this.stateOk(owner.port))) {
        return owner.port;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`cluster: no new primary for slot ${slot} within ${timeoutMs} ms`);
  }

  /**
   * Moves `slot` (and its keys) to another live primary, as `redis-cli --cluster reshard` does:
   * SETSLOT IMPORTING / MIGRATING, MIGRATE of every key, SETSLOT NODE on both and the others.
   * Resolves with the new owner's port.
   */
  async migrateSlot(slot: number): Promise<number> {
    const source = await this.ownerOf(slot);
    const primaries = await this.livePrimaries();
    const target = primaries.find((p) => p.port !== source.port)!;
    const s = String(slot);
    await this.cli(['CLUSTER', 'SETSLOT', s, 'IMPORTING', source.id], target.port);
    await this.cli(['CLUSTER', 'SETSLOT', s, 'MIGRATING', target.id], source.port);
    for (;;) {
      const keys = (await this.cli(['CLUSTER', 'GETKEYSINSLOT', s, '100'], source.port))
        .split('\n')
        .filter((k) => k !== '');
      if (keys.length === 0) break;
      await this.cli(
        [
          'MIGRATE',
          '127.0.0.1',
          String(target.port),
          '',
          '0',
          '5000',
          'AUTH',
          this.password,
          'KEYS',
          ...keys,
        ],
        source.port,
      );
    }
    for (const p of [
      target,
      source,
      ...primaries.filter((x) => x.port !== source.port && x.port !== target.port),
    ]) {
      await this.cli(['CLUSTER', 'SETSLOT', s, 'NODE', target.id], p.port);
    }
    return target.port;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    await removeDir(this.dir);
  }

  private async livePrimaries(): Promise<{ port: number; id: string }[]> {
    const lines = (await this.cli(['CLUSTER', 'NODES'], this.anyLive(), 2_000)).trim().split('\n');
    return lines
      .map((l) => l.split(' '))
      .filter(([, , flags]) => flags.includes('master') && !flags.includes('fail'))
      .map(([id, address]) => ({ id, port: Number(address.split(':')[1].split('@')[0]) }));
  }

  private anyLive(): number {
    return this.nodes.find((n) => n.alive)!.port;
  }

  private async stateOk(port: number): Promise<boolean> {
    return (await this.cli(['CLUSTER', 'INFO'], port, 2_000).catch(() => '')).includes(
      'cluster_state:ok',
    );
  }

  private async waitForHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const ok = await Promise.all(this.nodes.map((n) => this.stateOk(n.port)));
      const synced = await Promise.all(
        this.nodes.map(async (n) => {
          const info = await this.cli(['INFO', 'replication'], n.port, 2_000).catch(() => '');
          return info.includes('role:master') || info.includes('master_link_status:up');
        }),
      );
      if (ok.every(Boolean) && synced.every(Boolean)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`cluster not healthy within ${timeoutMs} ms`);
  }
}
