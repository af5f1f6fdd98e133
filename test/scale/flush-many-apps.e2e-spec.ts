import { createClient } from '@keyv/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { ScaleFleet } from '../../bench/support/scale-fleet.js';
import { figure, sleep } from '../support/fault-tools.js';

/**
 * Issue 18.2: convergence after a flush keeps its bound at any app count. 300 apps, two server
 * processes on a private Redis (port 7232), then FLUSHALL while both stay connected: the
 * heartbeat's data marker is gone, so every record is re-read and written back at once (not by
 * the slow sweep, which would take 300 / 10 = 30 s), with no platform call.
 */
const N = 300;
let redis: RedisProcess;
let fleet: ScaleFleet;

beforeAll(async () => {
  redis = await RedisProcess.start(7232);
  fleet = await ScaleFleet.start(N);
});

afterAll(async () => {
  await fleet?.stop();
  await redis?.stop();
});

async function storedTokens(): Promise<number> {
  const client = createClient({ url: redis.url });
  await client.connect();
  const keys = await client.keys('flush-a:*:token');
  await client.close();
  return keys.length;
}

describe(`a FLUSHALL with ${N} apps`, () => {
  it('every record is back within 2 s, both instances serve one token per app, 0 platform calls', async () => {
    const servers = await fleet.startServers(2, redis.url, 'flush-a');
    expect(fleet.platformCalls()).toBe(N);
    expect(await storedTokens()).toBe(N);
    await sleep(1_500); // both instances have read the data marker
    const client = createClient({ url: redis.url });
    await client.connect();
    await client.flushAll();
    await client.close();
    const flushedAt = Date.now();
    let back = 0;
    while (Date.now() - flushedAt < 5_000) {
      back = await storedTokens();
      if (back === N) break;
      await sleep(100);
    }
    const ms = Date.now() - flushedAt;
    figure(`${N} apps, FLUSHALL: ${back} records back in ${ms} ms`);
    expect(back).toBe(N);
    expect(ms).toBeLessThan(2_000);
    const [a, b] = await Promise.all(
      servers.map((s) => Promise.all(fleet.apps.map((app) => fleet.token(s, app.name)))),
    );
    expect(a.map((x) => x.token)).toEqual(b.map((x) => x.token));
    expect(a.every((x) => x.status === 200)).toBe(true);
    expect(fleet.platformCalls()).toBe(N);
  }, 90_000);
});
