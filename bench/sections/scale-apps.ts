import { readFile } from 'node:fs/promises';
import { RedisClusterSet } from '../support/redis-cluster.js';
import { RedisProcess } from '../support/redis-process.js';
import { redisCommandCalls, SCALE_KEY, ScaleFleet } from '../support/scale-fleet.js';
import type { ServerProcess } from '../support/server-process.js';
import { table } from '../support/markdown-table.js';
import { percentile, round, rssOf, sleep } from '../support/stats.js';

/** App counts measured (`BENCH_SCALE_APPS=10,1000,10000` by default). */
const SIZES = (process.env.BENCH_SCALE_APPS ?? '10,1000,10000')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const INSTANCES = [1, 3];
/** The private redis-server of the section. */
const REDIS_PORT = 7241;
/** The private 3 × 2 Redis Cluster of the section (ports 7250-7255, bus 7260-7265). */
const CLUSTER_BASE_PORT = 7250;
const CLUSTER_PASSWORD = 'bench-cluster-password';
const IDLE_MS = 10_000;
/**
 * From ready until the settled RSS is read. V8 gives back the start-up's garbage (the token
 * fetches, and the bench's own first read of every app) only once the process has been idle for
 * a while (its memory reducer: a mark-compact some 20-30 s after the allocations stop); the RSS
 * read right after the idle window still holds it.
 */
const SETTLE_MS = 45_000;
const THROUGHPUT_MS = 3_000;
const CLIENTS = 32;
const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Where the instances of a cell keep their store. */
interface StoreUnderTest {
  name: 'standalone' | 'cluster';
  /** REDIS_URL, or '' when `env` names the store. */
  url: string;
  env: Record<string, string>;
  /** Commands run so far by the store's servers (every primary of a cluster). */
  commandCalls(): Promise<number>;
}

export interface ScaleRow {
  store: 'standalone' | 'cluster';
  apps: number;
  instances: number;
  /** From the processes' spawn until every instance served every app's token. */
  readyMs: number;
  platformCallsAtStart: number;
  idleRedisCommandsPerSecond: number;
  /** Mean over the instances, % of one core. */
  idleCpuPct: number;
  /** Mean RSS of an instance after the idle window (start-up garbage still held), MiB. */
  rssMiB: number;
  /** Mean RSS of an instance `SETTLE_MS` after ready, once V8 has given back that garbage, MiB. */
  settledRssMiB: number;
  oneAppRps: number;
  spreadRps: number;
  idleP99Ms: number;
}

export const SCALE_SETUP =
  `The built server with N Qingtui apps of the sandbox (2 h tokens), on 1 and 3 instances sharing a private ` +
  `redis-server (standalone, port ${REDIS_PORT}), and on 3 instances over a local Redis Cluster (3 primaries, 3 replicas, ` +
  `\`REDIS_CLUSTER_NODES\`), each cell with its own key prefix and nothing stored before. ` +
  `"Ready": from the processes' spawn until every instance served every app's token. Idle figures over ` +
  `${IDLE_MS / 1000} s with no traffic: Redis commands a second from \`INFO commandstats\` deltas (every instance), ` +
  `CPU of each instance from /proc (utime + stime), RSS at the end of that window and "settled", ` +
  `${SETTLE_MS / 1000} s after ready (once V8's memory reducer has given back the start-up's garbage). Throughput: ${CLIENTS} HTTP clients for ` +
  `${THROUGHPUT_MS / 1000} s on one instance, one app or a random app each request. p99 of \`GET /health/live\` ` +
  'while idle (200 requests, one at a time)';

/** utime + stime of a process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Requests a second of `CLIENTS` closed loops for `ms`, each asking `path()`. */
async function throughput(server: ServerProcess, path: () => string, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (Date.now() < until) {
        const res = await fetch(`${server.url}${path()}`, {
          headers: { authorization: `Bearer ${SCALE_KEY}` },
        });
        await res.arrayBuffer();
        if (res.status === 200) done += 1;
      }
    }),
  );
  return Math.round(done / (ms / 1_000));
}

/** Waits until every server answers a token for every app (64 requests at a time). */
async function allServed(fleet: ScaleFleet, servers: ServerProcess[]): Promise<void> {
  for (const server of servers) {
    const pending = fleet.apps.map((a) => a.name);
    while (pending.length > 0) {
      const batch = pending.splice(0, 64);
      const answers = await Promise.all(batch.map((app) => fleet.token(server, app)));
      answers.forEach((a, i) => {
        if (a.status !== 200) pending.push(batch[i]);
      });
      if (answers.some((a) => a.status !== 200)) await sleep(100);
    }
  }
}

async function cell(
  store: StoreUnderTest,
  fleet: ScaleFleet,
  instances: number,
  prefix: string,
): Promise<ScaleRow> {
  const apps = fleet.apps.length;
  const callsBefore = fleet.platformCalls();
  const startedAt = Date.now();
  const servers = await fleet.startServers(instances, store.url, prefix, store.env, 180_000);
  await allServed(fleet, servers);
  const readyMs = Date.now() - startedAt;
  const readyAt = Date.now();
  const platformCallsAtStart = fleet.platformCalls() - callsBefore;

  await sleep(2_000);
  const pids = servers.map((s) => s.pid!);
  const commandsBefore = await store.commandCalls();
  const cpuBefore = await Promise.all(pids.map(cpuSeconds));
  await sleep(IDLE_MS);
  const cpuAfter = await Promise.all(pids.map(cpuSeconds));
  const commandsAfter = await store.commandCalls();
  // The INFO command of the second reading is counted in it (one per server read).
  const infoCalls = store.name === 'cluster' ? 3 : 1;
  const idleRedisCommandsPerSecond = round(
    (commandsAfter - commandsBefore - infoCalls) / (IDLE_MS / 1_000),
    1,
  );
  const idleCpuPct = round(
    (cpuAfter.reduce((n, c, i) => n + c - cpuBefore[i], 0) / instances / (IDLE_MS / 1_000)) * 100,
    1,
  );
  const rss = await Promise.all(pids.map(rssOf));
  const rssMiB = round(rss.reduce((a, b) => a + b, 0) / instances, 1);
  await sleep(Math.max(0, readyAt + SETTLE_MS - Date.now()));
  const settled = await Promise.all(pids.map(rssOf));
  const settledRssMiB = round(settled.reduce((a, b) => a + b, 0) / instances, 1);

  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await (await fetch(`${servers[0].url}/health/live`)).arrayBuffer();
    latencies.push(performance.now() - t);
  }
  const idleP99Ms = round(percentile(latencies, 99), 1);

  const oneAppRps = await throughput(servers[0], () => '/apps/app-0/token', THROUGHPUT_MS);
  const spreadRps = await throughput(
    servers[0],
    () => `/apps/app-${Math.floor(Math.random() * apps)}/token`,
    THROUGHPUT_MS,
  );
  await fleet.stopServers();
  return {
    store: store.name,
    apps,
    instances,
    readyMs,
    platformCallsAtStart,
    idleRedisCommandsPerSecond,
    idleCpuPct,
    rssMiB,
    settledRssMiB,
    oneAppRps,
    spreadRps,
    idleP99Ms,
  };
}

/** Every cell of the section: SIZES × INSTANCES on a standalone Redis, and 3 instances on a cluster. */
export async function scaleApps(log: (line: string) => void): Promise<ScaleRow[]> {
  const redis = await RedisProcess.start(REDIS_PORT);
  const cluster = await RedisClusterSet.start({
    basePort: CLUSTER_BASE_PORT,
    password: CLUSTER_PASSWORD,
  });
  const standalone: StoreUnderTest = {
    name: 'standalone',
    url: redis.url,
    env: {},
    commandCalls: () => redisCommandCalls(redis.url),
  };
  const primaries = cluster.rootNodes.map(
    (n) => `redis://:${CLUSTER_PASSWORD}@${n.host}:${n.port}`,
  );
  const clustered: StoreUnderTest = {
    name: 'cluster',
    url: '',
    env: {
      REDIS_CLUSTER_NODES: cluster.rootNodes.map((n) => `${n.host}:${n.port}`).join(','),
      REDIS_PASSWORD: CLUSTER_PASSWORD,
    },
    commandCalls: async () =>
      (await Promise.all(primaries.map((url) => redisCommandCalls(url)))).reduce(
        (a, b) => a + b,
        0,
      ),
  };
  const rows: ScaleRow[] = [];
  try {
    for (const apps of SIZES) {
      const fleet = await ScaleFleet.start(apps);
      try {
        for (const instances of INSTANCES) {
          const row = await cell(standalone, fleet, instances, `bench-scale-${apps}-${instances}`);
          log(`    ${scaleLogLine(row)}`);
          rows.push(row);
        }
        const row = await cell(clustered, fleet, 3, `bench-scale-${apps}-cluster`);
        log(`    ${scaleLogLine(row)}`);
        rows.push(row);
      } finally {
        await fleet.stop();
      }
    }
  } finally {
    await redis.stop();
    await cluster.stop();
  }
  return rows;
}

export function scaleLogLine(r: ScaleRow): string {
  return (
    `${r.apps} apps × ${r.instances} (${r.store}): ready ${r.readyMs} ms, ${r.platformCallsAtStart} platform calls, ` +
    `idle ${r.idleRedisCommandsPerSecond} Redis cmd/s, ${r.idleCpuPct}% CPU, RSS ${r.rssMiB} MiB (settled ${r.settledRssMiB}), ` +
    `${r.oneAppRps} / ${r.spreadRps} req/s (one app / spread), idle p99 ${r.idleP99Ms} ms`
  );
}

/** RSS growth per 1,000 apps, from the smallest to the largest size on one instance. */
function rssPerThousand(rows: ScaleRow[], rss: (r: ScaleRow) => number): number | undefined {
  const one = rows
    .filter((r) => r.instances === 1 && r.store === 'standalone')
    .sort((a, b) => a.apps - b.apps);
  if (one.length < 2) return undefined;
  const [small, large] = [one[0], one[one.length - 1]];
  return round((rss(large) - rss(small)) / ((large.apps - small.apps) / 1_000), 2);
}

/** The Markdown section of BENCHMARKS.md. */
export function scaleMarkdown(rows: ScaleRow[]): string {
  const perThousand = rssPerThousand(rows, (r) => r.settledRssMiB);
  const perThousandAtIdle = rssPerThousand(rows, (r) => r.rssMiB);
  const exact = rows.every((r) => r.platformCallsAtStart === r.apps);
  const byInstances = (n: number) =>
    rows.filter((r) => r.instances === n && r.store === 'standalone');
  const idleRatio = (n: number) => {
    const list = byInstances(n).sort((a, b) => a.apps - b.apps);
    if (list.length < 2) return undefined;
    return round(
      list[list.length - 1].idleRedisCommandsPerSecond / list[0].idleRedisCommandsPerSecond,
      2,
    );
  };
  return `## (l) Ten thousand apps

${SCALE_SETUP}.

${table(
  [
    'Redis',
    'apps',
    'instances',
    'ready (ms)',
    'platform calls at start',
    'idle Redis cmd/s',
    'idle CPU / instance',
    'RSS / instance after idle (MiB)',
    'settled RSS / instance (MiB)',
    'one app (req/s)',
    'spread over all (req/s)',
    'idle p99 (ms)',
  ],
  rows.map((r) => [
    r.store,
    r.apps,
    r.instances,
    r.readyMs,
    r.platformCallsAtStart,
    r.idleRedisCommandsPerSecond,
    `${r.idleCpuPct}%`,
    r.rssMiB,
    r.settledRssMiB,
    r.oneAppRps,
    r.spreadRps,
    r.idleP99Ms,
  ]),
)}

Platform calls at start equal the apps${exact ? '' : ' **not**'} in every cell (nothing was stored before).
Idle Redis commands a second, largest size over smallest: ${idleRatio(1) ?? '—'} on 1 instance, ${idleRatio(3) ?? '—'} on 3
(target ≤ 2: the backstop sweep reads \`refresh.reconcilePerSecond\` records a second whatever the apps).
RSS growth per 1,000 apps on one instance, settled: ${perThousand ?? '—'} MiB (target ≤ 5); right after the idle
window, with the start-up's garbage not yet given back: ${perThousandAtIdle ?? '—'} MiB.`;
}
