import type { QingtuiRedisNode, QingtuiRedisOptions } from 'nestjs-qingtui';
import { ConfigValidationError } from './config-validation.error.js';

/** The Redis variables of the environment (trimmed, empty ones dropped). */
export interface RedisVariables {
  REDIS_URL?: string;
  REDIS_SENTINELS?: string;
  REDIS_SENTINEL_NAME?: string;
  REDIS_SENTINEL_PASSWORD?: string;
  REDIS_CLUSTER_NODES?: string;
  REDIS_PASSWORD?: string;
  REDIS_USERNAME?: string;
  REDIS_TLS?: string;
}

/** A Sentinel set or a Cluster, for the library's `redis` option, and a loggable description. */
export interface ParsedRedisTopology {
  /** Holds the passwords: never log it. */
  options: QingtuiRedisOptions;
  /** Safe to log: hosts and ports, never a password. */
  display: string;
  /** The variable that chose it (`REDIS_SENTINELS`, `REDIS_CLUSTER_NODES`), for messages. */
  variable: 'REDIS_SENTINELS' | 'REDIS_CLUSTER_NODES';
}

const HOST = /^[A-Za-z0-9._-]{1,253}$/;

/**
 * `host:port,host:port,...` (IPv6 as `[::1]:26379`): the nodes a variable lists.
 * @throws ConfigValidationError naming `variable`
 */
export function parseNodeList(variable: string, value: string): QingtuiRedisNode[] {
  const entries = value.split(',').map((e) => e.trim());
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
    const host = match?.[1] ?? match?.[2];
    const port = Number(match?.[3]);
    if (
      match === null ||
      host === undefined ||
      (match[2] !== undefined && !HOST.test(host)) ||
      port < 1 ||
      port > 65_535
    ) {
      throw new ConfigValidationError(
        variable,
        `entry ${i + 1} is not host:port (expected a comma-separated list such as ` +
          '10.0.0.1:26379,10.0.0.2:26379)',
      );
    }
    if (seen.has(`${host}:${port}`)) {
      throw new ConfigValidationError(variable, `entry ${i + 1} repeats ${host}:${port}`);
    }
    seen.add(`${host}:${port}`);
    return { host, port };
  });
}

/**
 * Reads `REDIS_SENTINELS` (with `REDIS_SENTINEL_NAME`, `REDIS_SENTINEL_PASSWORD`) or
 * `REDIS_CLUSTER_NODES`, with `REDIS_PASSWORD` / `REDIS_USERNAME` for the data nodes; undefined
 * when neither is set. At most one of `REDIS_URL`, `REDIS_SENTINELS`, `REDIS_CLUSTER_NODES`.
 * @throws ConfigValidationError naming the variable, never holding a password
 */
export function parseRedisTopology(env: RedisVariables): ParsedRedisTopology | undefined {
  const chosen = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter(
    (name) => env[name] !== undefined,
  );
  if (chosen.length > 1) {
    throw new ConfigValidationError(
      chosen[1],
      `cannot be set together with ${chosen[0]}: set one of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES`,
    );
  }
  const only = (name: keyof RedisVariables, needs: string) => {
    if (env[name] !== undefined) {
      throw new ConfigValidationError(name, `has no effect without ${needs}: set both or neither`);
    }
  };
  if (env.REDIS_SENTINELS === undefined) {
    only('REDIS_SENTINEL_NAME', 'REDIS_SENTINELS');
    only('REDIS_SENTINEL_PASSWORD', 'REDIS_SENTINELS');
  }
  if (env.REDIS_SENTINELS === undefined && env.REDIS_CLUSTER_NODES === undefined) {
    for (const name of ['REDIS_PASSWORD', 'REDIS_USERNAME', 'REDIS_TLS'] as const) {
      if (env[name] === undefined) continue;
      throw new ConfigValidationError(
        name,
        env.REDIS_URL === undefined
          ? 'has no effect without REDIS_SENTINELS or REDIS_CLUSTER_NODES'
          : name === 'REDIS_TLS'
            ? 'has no effect with REDIS_URL: use a rediss:// URL for TLS'
            : 'has no effect with REDIS_URL: put the password in the URL (redis://:password@host:6379)',
      );
    }
  }
  if (env.REDIS_USERNAME !== undefined && /\s/.test(env.REDIS_USERNAME)) {
    throw new ConfigValidationError('REDIS_USERNAME', 'must be a user name without spaces');
  }
  if (env.REDIS_TLS !== undefined && !['true', 'false'].includes(env.REDIS_TLS)) {
    throw new ConfigValidationError('REDIS_TLS', 'must be true or false');
  }
  const credentials = {
    ...(env.REDIS_TLS === 'true' ? { tls: true } : {}),
    ...(env.REDIS_PASSWORD === undefined ? {} : { password: env.REDIS_PASSWORD }),
    ...(env.REDIS_USERNAME === undefined ? {} : { username: env.REDIS_USERNAME }),
  };
  const list = (nodes: QingtuiRedisNode[]) =>
    nodes.map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`));
  if (env.REDIS_SENTINELS !== undefined) {
    const sentinels = parseNodeList('REDIS_SENTINELS', env.REDIS_SENTINELS);
    const name = env.REDIS_SENTINEL_NAME;
    if (name === undefined) {
      throw new ConfigValidationError(
        'REDIS_SENTINEL_NAME',
        'is required with REDIS_SENTINELS: the name of the monitored primary (sentinel monitor <name> ...)',
      );
    }
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
      throw new ConfigValidationError(
        'REDIS_SENTINEL_NAME',
        'may only hold letters, digits, ".", "_" and "-"',
      );
    }
    return {
      variable: 'REDIS_SENTINELS',
      display: `primary "${name}" of the sentinels ${list(sentinels).join(',')}`,
      options: {
        sentinel: {
          sentinels,
          name,
          ...(env.REDIS_SENTINEL_PASSWORD === undefined
            ? {}
            : { sentinelPassword: env.REDIS_SENTINEL_PASSWORD }),
          ...credentials,
        },
      },
    };
  }
  if (env.REDIS_CLUSTER_NODES !== undefined) {
    const nodes = parseNodeList('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES);
    return {
      variable: 'REDIS_CLUSTER_NODES',
      display: `the cluster of ${list(nodes).join(',')}`,
      options: { cluster: { nodes, ...credentials } },
    };
  }
  return undefined;
}
