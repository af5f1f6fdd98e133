import type { RedisNodeAddress, ResolvedRedisTarget } from '../core/resolved-options.js';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';

const HOST = /^[A-Za-z0-9._:\-[\]]{1,253}$/;

/**
 * Validates `redisUrl` and `redis` into the one Redis the store uses, or undefined without one.
 * Errors name the field (`redis.sentinel.sentinels[1].port`...), never a password.
 */
export function resolveRedisTarget(
  redisUrl: unknown,
  redis: unknown,
): ResolvedRedisTarget | undefined {
  if (redisUrl !== undefined && redis !== undefined) {
    throw new QingtuiConfigError('redis', 'cannot be set together with redisUrl: set one of them');
  }
  if (redisUrl !== undefined) return { kind: 'url', url: redisUrlOf(redisUrl, 'redisUrl') };
  if (redis === undefined) return undefined;
  if (redis === null || typeof redis !== 'object' || Array.isArray(redis)) {
    throw new QingtuiConfigError('redis', 'must be an object { url } | { sentinel } | { cluster }');
  }
  const given = redis as Record<string, unknown>;
  for (const field of Object.keys(given)) {
    if (!['url', 'sentinel', 'cluster'].includes(field)) {
      throw new QingtuiConfigError(
        `redis.${field.slice(0, 40)}`,
        'is not an option (url, sentinel, cluster)',
      );
    }
  }
  const set = ['url', 'sentinel', 'cluster'].filter((f) => given[f] !== undefined);
  if (set.length !== 1) {
    throw new QingtuiConfigError(
      'redis',
      set.length === 0
        ? 'must hold one of url, sentinel, cluster'
        : `must hold exactly one of url, sentinel, cluster (got ${set.join(' and ')})`,
    );
  }
  if (given.url !== undefined) return { kind: 'url', url: redisUrlOf(given.url, 'redis.url') };
  if (given.sentinel !== undefined) return sentinelOf(given.sentinel);
  return clusterOf(given.cluster);
}

function sentinelOf(value: unknown): ResolvedRedisTarget {
  const field = 'redis.sentinel';
  const s = objectOf(value, field, [
    'sentinels',
    'name',
    'sentinelPassword',
    'sentinelUsername',
    'password',
    'username',
    'tls',
  ]);
  const name = s.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
    throw new QingtuiConfigError(
      `${field}.name`,
      'must be the name of the monitored primary (letters, digits, ".", "_", "-")',
    );
  }
  return {
    kind: 'sentinel',
    sentinels: nodesOf(s.sentinels, `${field}.sentinels`),
    name,
    sentinelPassword: secretOf(s.sentinelPassword, `${field}.sentinelPassword`),
    sentinelUsername: userOf(s.sentinelUsername, `${field}.sentinelUsername`),
    password: secretOf(s.password, `${field}.password`),
    username: userOf(s.username, `${field}.username`),
    tls: flagOf(s.tls, `${field}.tls`),
  };
}

function clusterOf(value: unknown): ResolvedRedisTarget {
  const field = 'redis.cluster';
  const c = objectOf(value, field, ['nodes', 'urls', 'password', 'username', 'tls']);
  if ((c.nodes === undefined) === (c.urls === undefined)) {
    throw new QingtuiConfigError(field, 'must hold exactly one of nodes, urls');
  }
  let nodes: RedisNodeAddress[];
  let tls = flagOf(c.tls, `${field}.tls`);
  if (c.nodes !== undefined) {
    nodes = nodesOf(c.nodes, `${field}.nodes`);
  } else {
    if (!Array.isArray(c.urls) || c.urls.length === 0) {
      throw new QingtuiConfigError(`${field}.urls`, 'must be a non-empty array of redis:// URLs');
    }
    const schemes = new Set<string>();
    nodes = c.urls.map((raw, i) => {
      const name = `${field}.urls[${i}]`;
      const url = new URL(redisUrlOf(raw, name));
      if (url.username !== '' || url.password !== '') {
        throw new QingtuiConfigError(name, 'must not hold credentials: set redis.cluster.password');
      }
      schemes.add(url.protocol);
      return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) };
    });
    if (schemes.size > 1) {
      throw new QingtuiConfigError(`${field}.urls`, 'must all be redis:// or all be rediss://');
    }
    if (schemes.has('rediss:')) tls = true;
  }
  return {
    kind: 'cluster',
    nodes,
    password: secretOf(c.password, `${field}.password`),
    username: userOf(c.username, `${field}.username`),
    tls,
  };
}

function objectOf(value: unknown, field: string, allowed: string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new QingtuiConfigError(field, 'must be an object');
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new QingtuiConfigError(
        `${field}.${key.slice(0, 40)}`,
        `is not an option (${allowed.join(', ')})`,
      );
    }
  }
  return value as Record<string, unknown>;
}

/** A non-empty list of `{ host, port }`, without duplicates. */
export function nodesOf(value: unknown, field: string): RedisNodeAddress[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new QingtuiConfigError(field, 'must be a non-empty array of { host, port }');
  }
  const seen = new Set<string>();
  return value.map((node: unknown, i) => {
    const name = `${field}[${i}]`;
    if (node === null || typeof node !== 'object') {
      throw new QingtuiConfigError(name, 'must be { host, port }');
    }
    const { host, port } = node as Record<string, unknown>;
    if (typeof host !== 'string' || !HOST.test(host)) {
      throw new QingtuiConfigError(`${name}.host`, 'must be a host name or an IP address');
    }
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new QingtuiConfigError(`${name}.port`, 'must be an integer port (1-65535)');
    }
    const address = `${host}:${port}`;
    if (seen.has(address)) throw new QingtuiConfigError(name, `repeats ${address}`);
    seen.add(address);
    return { host, port };
  });
}

function redisUrlOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^rediss?:\/\//.test(value)) {
    throw new QingtuiConfigError(field, 'must be a redis:// or rediss:// URL');
  }
  try {
    new URL(value);
  } catch {
    throw new QingtuiConfigError(field, 'is not a valid URL');
  }
  return value;
}

function flagOf(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new QingtuiConfigError(field, 'must be true or false');
  return value;
}

function secretOf(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new QingtuiConfigError(field, 'must be a non-empty string');
  }
  return value;
}

function userOf(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[^\s]{1,200}$/.test(value)) {
    throw new QingtuiConfigError(field, 'must be a user name without spaces');
  }
  return value;
}

/** The Redis target without any password, for logs and errors. */
export function describeRedisTarget(target: ResolvedRedisTarget): string {
  switch (target.kind) {
    case 'url':
      try {
        const url = new URL(target.url);
        return `${url.hostname}:${url.port || 6379}`;
      } catch {
        return 'the configured URL';
      }
    case 'sentinel':
      return `primary "${target.name}" of the sentinels ${target.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
    case 'cluster':
      return `the cluster of ${target.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`;
  }
}
