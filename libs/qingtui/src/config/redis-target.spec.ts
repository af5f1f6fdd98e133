import { describe, expect, it } from 'vitest';
import { QingtuiConfigError } from '../errors/qingtui-config.error.js';
import { describeRedisTarget, resolveRedisTarget } from './redis-target.js';

const PASSWORD = 'redis-password-DO-NOT-LOG';

function fieldOf(redisUrl: unknown, redis: unknown): string {
  try {
    resolveRedisTarget(redisUrl, redis);
  } catch (error) {
    expect(error).toBeInstanceOf(QingtuiConfigError);
    expect((error as Error).message).not.toContain(PASSWORD);
    return (error as QingtuiConfigError).field;
  }
  throw new Error('accepted');
}

describe('the redis option', () => {
  it('takes a URL, a Sentinel set or a Cluster', () => {
    expect(resolveRedisTarget('redis://h:1', undefined)).toEqual({
      kind: 'url',
      url: 'redis://h:1',
    });
    expect(resolveRedisTarget(undefined, { url: 'rediss://h:1' })).toEqual({
      kind: 'url',
      url: 'rediss://h:1',
    });
    const sentinel = resolveRedisTarget(undefined, {
      sentinel: { sentinels: [{ host: 's1', port: 26379 }], name: 'm', password: PASSWORD },
    });
    expect(sentinel).toMatchObject({ kind: 'sentinel', name: 'm', password: PASSWORD, tls: false });
    expect(describeRedisTarget(sentinel!)).toBe('primary "m" of the sentinels s1:26379');
    const cluster = resolveRedisTarget(undefined, {
      cluster: { urls: ['rediss://c1:7000', 'rediss://c2:7001'], password: PASSWORD },
    });
    expect(cluster).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'c1', port: 7000 },
        { host: 'c2', port: 7001 },
      ],
      password: PASSWORD,
      username: undefined,
      tls: true,
    });
    expect(describeRedisTarget(cluster!)).not.toContain(PASSWORD);
    expect(resolveRedisTarget(undefined, undefined)).toBeUndefined();
  });

  it('refuses invalid combinations, naming the field and never a password', () => {
    const node = { host: 'h', port: 1 };
    const cases: [unknown, unknown, string][] = [
      ['redis://h:1', { url: 'redis://h:2' }, 'redis'],
      [undefined, {}, 'redis'],
      [undefined, { url: 'redis://h', cluster: { nodes: [node] } }, 'redis'],
      [undefined, { sentinels: [node] }, 'redis.sentinels'],
      [undefined, { sentinel: { sentinels: [], name: 'm' } }, 'redis.sentinel.sentinels'],
      [undefined, { sentinel: { sentinels: [node] } }, 'redis.sentinel.name'],
      [
        undefined,
        { sentinel: { sentinels: [{ host: 'h', port: 0 }], name: 'm' } },
        'redis.sentinel.sentinels[0].port',
      ],
      [
        undefined,
        { sentinel: { sentinels: [node], name: 'm', password: 7 } },
        'redis.sentinel.password',
      ],
      [
        undefined,
        { sentinel: { sentinels: [node], name: 'm', pasword: PASSWORD } },
        'redis.sentinel.pasword',
      ],
      [undefined, { cluster: {} }, 'redis.cluster'],
      [undefined, { cluster: { nodes: [node], urls: ['redis://h:1'] } }, 'redis.cluster'],
      [undefined, { cluster: { nodes: [node, node] } }, 'redis.cluster.nodes[1]'],
      [undefined, { cluster: { urls: [`redis://:${PASSWORD}@h:1`] } }, 'redis.cluster.urls[0]'],
      [undefined, { cluster: { urls: ['http://h:1'] } }, 'redis.cluster.urls[0]'],
      [undefined, { cluster: { urls: ['redis://h:1', 'rediss://h:2'] } }, 'redis.cluster.urls'],
      ['http://h', undefined, 'redisUrl'],
      [undefined, { cluster: { nodes: [node], tls: 'yes' } }, 'redis.cluster.tls'],
    ];
    for (const [redisUrl, redis, field] of cases) {
      expect(fieldOf(redisUrl, redis), JSON.stringify(redis)).toBe(field);
    }
  });
});
