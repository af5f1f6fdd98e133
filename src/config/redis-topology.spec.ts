import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from './config-validation.error.js';
import { parseRedisTopology } from './redis-topology.js';

const PASSWORD = 'data-node-password-DO-NOT-LOG';

function refusal(env: Record<string, string>): ConfigValidationError {
  try {
    parseRedisTopology(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).not.toContain(PASSWORD);
    return error as ConfigValidationError;
  }
  throw new Error('accepted');
}

describe('REDIS_SENTINELS and REDIS_CLUSTER_NODES', () => {
  it('read a Sentinel set with its name and both passwords', () => {
    const parsed = parseRedisTopology({
      REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26379,[::1]:26380',
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_SENTINEL_PASSWORD: 'sentinel-pass',
      REDIS_PASSWORD: PASSWORD,
    });
    expect(parsed?.options).toEqual({
      sentinel: {
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: '10.0.0.2', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        name: 'mymaster',
        sentinelPassword: 'sentinel-pass',
        password: PASSWORD,
      },
    });
    expect(parsed?.display).toBe(
      'primary "mymaster" of the sentinels 10.0.0.1:26379,10.0.0.2:26379,[::1]:26380',
    );
    expect(parsed?.display).not.toContain(PASSWORD);
  });

  it('read cluster nodes with the data nodes password', () => {
    expect(
      parseRedisTopology({
        REDIS_CLUSTER_NODES: 'redis-a:7000,redis-b:7001',
        REDIS_PASSWORD: PASSWORD,
      })?.options,
    ).toEqual({
      cluster: {
        nodes: [
          { host: 'redis-a', port: 7000 },
          { host: 'redis-b', port: 7001 },
        ],
        password: PASSWORD,
      },
    });
    expect(
      parseRedisTopology({ REDIS_CLUSTER_NODES: 'a:1', REDIS_TLS: 'true', REDIS_USERNAME: 'app' })
        ?.options,
    ).toEqual({ cluster: { nodes: [{ host: 'a', port: 1 }], tls: true, username: 'app' } });
    expect(parseRedisTopology({})).toBeUndefined();
  });

  it('refuse nonsense, naming the variable and never the password', () => {
    const cases: [Record<string, string>, string][] = [
      [
        { REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_URL: 'redis://x' },
        'REDIS_SENTINELS',
      ],
      [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://x' }, 'REDIS_CLUSTER_NODES'],
      [
        { REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: 'b:2' },
        'REDIS_CLUSTER_NODES',
      ],
      [{ REDIS_SENTINELS: 'a:1' }, 'REDIS_SENTINEL_NAME'],
      [{ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'my master' }, 'REDIS_SENTINEL_NAME'],
      [{ REDIS_SENTINELS: 'a', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS'],
      [{ REDIS_SENTINELS: 'a:1,,b:2', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS'],
      [{ REDIS_SENTINELS: 'a:1,a:1', REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINELS'],
      [{ REDIS_CLUSTER_NODES: 'a:99999' }, 'REDIS_CLUSTER_NODES'],
      [{ REDIS_CLUSTER_NODES: `redis://:${PASSWORD}@a:1` }, 'REDIS_CLUSTER_NODES'],
      [{ REDIS_SENTINEL_NAME: 'm' }, 'REDIS_SENTINEL_NAME'],
      [{ REDIS_SENTINEL_PASSWORD: PASSWORD }, 'REDIS_SENTINEL_PASSWORD'],
      [{ REDIS_PASSWORD: PASSWORD }, 'REDIS_PASSWORD'],
      [{ REDIS_URL: 'redis://x', REDIS_PASSWORD: PASSWORD }, 'REDIS_PASSWORD'],
      [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_USERNAME: 'a b' }, 'REDIS_USERNAME'],
      [{ REDIS_CLUSTER_NODES: 'a:1', REDIS_TLS: 'yes' }, 'REDIS_TLS'],
      [{ REDIS_URL: 'redis://x', REDIS_TLS: 'true' }, 'REDIS_TLS'],
    ];
    for (const [env, variable] of cases) {
      expect(refusal(env).variable, JSON.stringify(Object.keys(env))).toBe(variable);
    }
  });
});
