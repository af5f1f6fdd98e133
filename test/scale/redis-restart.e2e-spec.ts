import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterDelta, figure, redisCommand, sleep, waitFor } from '../support/fault-tools.js';
import { FLEET_SECRET, RedisFleet } from '../support/redis-fleet.js';

/**
 * Issue 7, point 4 (b)–(d): Redis restarted empty, flushed, its password changed. 3 processes of
 * the built server and one library instance share a private redis-server; tokens live 6 s, so
 * that instances cut off from Redis renew on their own and drift apart. After each disruption
 * they must converge on one stored record within about 2 s, without any `/v1/token` call.
 */
const PASSWORD = 'new-redis-password-DO-NOT-LOG';
let fleet: RedisFleet;

beforeAll(async () => {
  fleet = await RedisFleet.start({ tokenTtlSeconds: 6 });
  await waitFor('first token everywhere', () => fleet.converged(), 10_000);
});

afterAll(async () => {
  await fleet?.stop();
});

/** Distinct tokens the members hand out now. */
async function distinct(): Promise<number> {
  return new Set(await fleet.served()).size;
}

/** Waits until every member renewed on its own at least once (they drift apart). */
async function driftApart(before: ReturnType<RedisFleet['counters']>): Promise<number> {
  await waitFor(
    'local renewals',
    () => fleet.counters().refreshGrants - before.refreshGrants >= 3,
    12_000,
    50,
  );
  await sleep(300);
  return distinct();
}

describe('Redis restarted, flushed, or its password changed', () => {
  it('(b) restarted empty after an outage: one stored record again within ~2 s, no /v1/token call', async () => {
    const before = fleet.counters();
    await fleet.redis.stop();
    const apart = await driftApart(before);
    await fleet.redis.restart();
    const convergedIn = await waitFor('converged', () => fleet.converged(), 8_000, 20);
    const delta = counterDelta(before, fleet.counters());
    figure(
      `Redis restarted empty: ${apart} distinct tokens before, one stored record served by all ${convergedIn} ms after the restart; ${JSON.stringify(delta)}`,
    );
    expect(convergedIn).toBeLessThan(5_000);
    expect(delta.tokenCalls).toBe(0);
    expect(fleet.sandbox.isTokenValid((await fleet.stored())!)).toBe(true);
  }, 40_000);

  it('(c) FLUSHALL: the record is written back within ~2 s, and the next rotation is one shared renewal again', async () => {
    await waitFor('converged', () => fleet.converged(), 5_000);
    const before = fleet.counters();
    const flushedAt = Date.now();
    expect(await redisCommand(fleet.redis.url, ['FLUSHALL'])).toBe('OK');
    expect(await fleet.stored()).toBeUndefined();
    const convergedIn = await waitFor('converged', () => fleet.converged(), 5_000, 20);
    figure(
      `FLUSHALL: record back and served by all ${convergedIn} ms (${Date.now() - flushedAt} ms) after the flush`,
    );
    expect(convergedIn).toBeLessThan(5_000);
    // Coordination works again: the next rotation is one renewal (the lock), seen by all.
    const rotations = fleet.counters().refreshGrants;
    await waitFor('next rotation', () => fleet.counters().refreshGrants > rotations, 8_000, 25);
    await sleep(500);
    await waitFor('converged after the rotation', () => fleet.converged(), 3_000);
    const delta = counterDelta(before, fleet.counters());
    expect(delta.tokenCalls).toBe(0);
    expect(fleet.counters().refreshGrants - rotations).toBe(1);
  }, 30_000);

  it('(d) password changed (CONFIG SET requirepass + CLIENT KILL), then set back: served throughout, converged within ~2 s, no /v1/token call', async () => {
    await waitFor('converged', () => fleet.converged(), 5_000);
    const before = fleet.counters();
    const authed = fleet.redis.url.replace('redis://', `redis://:${PASSWORD}@`);
    expect(await redisCommand(fleet.redis.url, ['CONFIG', 'SET', 'requirepass', PASSWORD])).toBe(
      'OK',
    );
    await redisCommand(authed, ['CLIENT', 'KILL', 'TYPE', 'normal']).catch(() => undefined);
    await waitFor('store degraded', () => fleet.tokens.storeInfo().state === 'degraded', 6_000);
    const apart = await driftApart(before);
    // Tokens are served all along, from memory.
    for (const token of await fleet.served()) expect(fleet.sandbox.isTokenValid(token)).toBe(true);
    expect(await redisCommand(authed, ['CONFIG', 'SET', 'requirepass', ''])).toBe('OK');
    const convergedIn = await waitFor('converged', () => fleet.converged(), 8_000, 20);
    const delta = counterDelta(before, fleet.counters());
    figure(
      `password changed then set back: ${apart} distinct tokens meanwhile, converged ${convergedIn} ms after the password was set back; ${JSON.stringify(delta)}`,
    );
    expect(convergedIn).toBeLessThan(5_000);
    expect(delta.tokenCalls).toBe(0);
    expect(fleet.tokens.storeInfo().state).toBe('ok');
    const printed = `${fleet.output()}\n${fleet.logs.text()}`;
    expect(printed).not.toContain(PASSWORD);
    expect(printed).not.toContain(FLEET_SECRET);
  }, 40_000);
});
