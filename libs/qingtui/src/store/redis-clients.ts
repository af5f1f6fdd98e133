import { createClient, createCluster, createSentinel } from '@keyv/redis';
import type { ResolvedRedisTarget } from '../core/resolved-options.js';

export type RedisClient = ReturnType<typeof createClient>;
export type RedisClusterClient = ReturnType<typeof createCluster>;
export type RedisSentinelClient = ReturnType<typeof createSentinel>;
/** Any node-redis client the store can work over: one server, a Sentinel set, a Cluster. */
export type AnyRedisClient = RedisClient | RedisClusterClient | RedisSentinelClient;

/**
 * The commands the store sends, common to a node-redis client, a `RedisSentinel` and a
 * `RedisCluster` (each routes them: to the server, to the current primary, to the key's slot).
 * Every command names its one key; no script touches a key it is not given.
 */
export interface StoreRedis {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { NX: true; PX: number }): Promise<string | null>;
  pTTL(key: string): Promise<number>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

/** The connections of one generation: commands, the subscription, and how to tell they work. */
export interface StoreClients {
  /** `primary`: a plain client on the primary the sentinels named (see `clientsOnSentinelPrimary`). */
  readonly kind: 'server' | 'sentinel' | 'cluster' | 'primary';
  readonly client: StoreRedis;
  /** The subscribing connection: the client itself for a Sentinel set or a Cluster. */
  readonly subscriber: StoreRedis;
  /** Whether the connections are up (a RedisCluster: open; it has no `isReady`). */
  ready(): boolean;
  /** Resolves when every primary the store writes to answers a PING. */
  ping(): Promise<void>;
  /** Whether the store made them (and may close them, or replace them by a fresh set). */
  readonly owned: boolean;
}

const asStore = (client: unknown) => client as StoreRedis;

function socketOptions(connectTimeout: number) {
  return {
    connectTimeout,
    // Keep trying forever, at most every 0.5 s: recovery needs no restart, and instances converge soon after Redis is back.
    reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 500),
  };
}

const bothReady = (client: StoreRedis, subscriber: StoreRedis) => () =>
  client.isReady && subscriber.isReady;

/** What the store uses of a RedisCluster beyond `StoreRedis` (its generics made loose). */
interface ClusterLike {
  readonly isOpen: boolean;
  readonly masters: readonly unknown[];
  nodeClient(node: never): Promise<{ ping(): Promise<unknown> }>;
}

const clusterOpen = (cluster: ClusterLike) => () => cluster.isOpen;

function isCluster(client: unknown): client is ClusterLike {
  return typeof client === 'object' && client !== null && 'masters' in client;
}

function isSentinel(client: unknown): client is { ping(): Promise<unknown> } {
  return typeof client === 'object' && client !== null && 'getMasterNode' in client;
}

function pingAllPrimaries(cluster: ClusterLike): () => Promise<void> {
  return async () => {
    const masters = cluster.masters;
    if (masters.length === 0) throw new Error('no primary known');
    await Promise.all(masters.map(async (m) => (await cluster.nodeClient(m as never)).ping()));
  };
}

/** Wraps a client the application made (the one behind its `@keyv/redis` cache, say). */
export function clientsOver(given: AnyRedisClient): StoreClients {
  if (isCluster(given)) {
    return {
      kind: 'cluster',
      client: asStore(given),
      subscriber: asStore(given),
      ready: clusterOpen(given),
      ping: pingAllPrimaries(given),
      owned: false,
    };
  }
  if (isSentinel(given)) {
    const client = asStore(given);
    return {
      kind: 'sentinel',
      client,
      subscriber: client,
      ready: () => client.isReady,
      ping: async () => void (await given.ping()),
      owned: false,
    };
  }
  const client = given as unknown as RedisClient;
  const subscriber = asStore(client.duplicate());
  return {
    kind: 'server',
    client: asStore(client),
    subscriber,
    ready: bothReady(asStore(client), subscriber),
    ping: async () => void (await client.ping()),
    owned: false,
  };
}

/**
 * Makes the clients of `target`, not yet connected. Commands fail fast while disconnected
 * instead of queueing (`disableOfflineQueue`): a token read must never hang on Redis.
 */
export function clientsFor(target: ResolvedRedisTarget, connectTimeout = 2_000): StoreClients {
  const socket = socketOptions(connectTimeout);
  switch (target.kind) {
    case 'url': {
      const client = createClient({ url: target.url, socket, disableOfflineQueue: true });
      const subscriber = asStore(client.duplicate());
      return {
        kind: 'server',
        client: asStore(client),
        subscriber,
        ready: bothReady(asStore(client), subscriber),
        ping: async () => void (await client.ping()),
        owned: true,
      };
    }
    case 'sentinel': {
      const tlsSocket = target.tls ? { ...socket, tls: true as const } : socket;
      const sentinel = createSentinel({
        name: target.name,
        sentinelRootNodes: target.sentinels,
        nodeClientOptions: {
          password: target.password,
          username: target.username,
          disableOfflineQueue: true,
          socket: tlsSocket,
        },
        sentinelClientOptions: {
          password: target.sentinelPassword,
          username: target.sentinelUsername,
          socket: tlsSocket,
        },
        // A failover is also noticed by the store (errors, a missed heartbeat), which then asks
        // the sentinels again with fresh clients; this is the client's own periodic look.
        scanInterval: 5_000,
        maxCommandRediscovers: 2,
      });
      const client = asStore(sentinel);
      return {
        kind: 'sentinel',
        client,
        subscriber: client,
        ready: () => client.isReady,
        ping: async () => void (await sentinel.ping()),
        owned: true,
      };
    }
    case 'cluster': {
      const cluster = createCluster({
        rootNodes: target.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
        defaults: {
          password: target.password,
          username: target.username,
          disableOfflineQueue: true,
          socket: target.tls ? { ...socket, tls: true as const } : socket,
        },
      });
      return {
        kind: 'cluster',
        client: asStore(cluster),
        subscriber: asStore(cluster),
        ready: clusterOpen(cluster),
        ping: pingAllPrimaries(cluster),
        owned: true,
      };
    }
  }
}

/**
 * The primary the sentinels name now: every sentinel is asked at once
 * (`SENTINEL get-master-addr-by-name`), the address most of those that answer give wins.
 */
async function primaryNamedBySentinels(
  target: Extract<ResolvedRedisTarget, { kind: 'sentinel' }>,
  timeoutMs: number,
): Promise<{ host: string; port: number } | undefined> {
  const answers = await Promise.all(
    target.sentinels.map(async (node) => {
      const sentinel = createClient({
        socket: {
          host: node.host,
          port: node.port,
          connectTimeout: timeoutMs,
          reconnectStrategy: false,
          ...(target.tls ? { tls: true as const } : {}),
        },
        password: target.sentinelPassword,
        username: target.sentinelUsername,
        disableOfflineQueue: true,
      });
      sentinel.on('error', () => undefined);
      let timer: NodeJS.Timeout | undefined;
      try {
        const reply = await Promise.race([
          sentinel
            .connect()
            .then(() => sentinel.sendCommand(['SENTINEL', 'get-master-addr-by-name', target.name])),
          new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs))),
        ]);
        return Array.isArray(reply) && reply.length === 2
          ? `${String(reply[0])}:${String(reply[1])}`
          : undefined;
      } catch {
        return undefined;
      } finally {
        clearTimeout(timer);
        if (sentinel.isOpen) sentinel.destroy();
      }
    }),
  );
  const votes = new Map<string, number>();
  for (const a of answers) if (a !== undefined) votes.set(a, (votes.get(a) ?? 0) + 1);
  const best = [...votes.entries()].sort((x, y) => y[1] - x[1])[0]?.[0];
  if (best === undefined) return undefined;
  const at = best.lastIndexOf(':');
  return { host: best.slice(0, at), port: Number(best.slice(at + 1)) };
}

/**
 * After a failover: a plain client on the primary the sentinels name now, not yet connected (or
 * undefined when no sentinel answers). `RedisSentinel` waits until the sentinels are connected to
 * the new primary before it takes it (about a second after the switch); this takes it at once,
 * and its PING also checks `ROLE`, so that a primary demoted later makes the store degraded, and
 * a fresh set is then asked for again.
 */
export async function clientsOnSentinelPrimary(
  target: Extract<ResolvedRedisTarget, { kind: 'sentinel' }>,
  timeoutMs: number,
): Promise<StoreClients | undefined> {
  const primary = await primaryNamedBySentinels(target, timeoutMs);
  if (primary === undefined) return undefined;
  const client = createClient({
    socket: {
      ...socketOptions(timeoutMs),
      host: primary.host,
      port: primary.port,
      ...(target.tls ? { tls: true as const } : {}),
    },
    password: target.password,
    username: target.username,
    disableOfflineQueue: true,
  });
  const subscriber = asStore(client.duplicate());
  return {
    kind: 'primary',
    client: asStore(client),
    subscriber,
    ready: bothReady(asStore(client), subscriber),
    ping: async () => {
      const role: unknown = await client.sendCommand(['ROLE']);
      if (!Array.isArray(role) || String(role[0]) !== 'master') {
        throw new Error(`${primary.host}:${primary.port} is no longer the primary`);
      }
    },
    owned: true,
  };
}
