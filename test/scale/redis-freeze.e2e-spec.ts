import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedLoops,
  counterDelta,
  figure,
  percentile,
  sleep,
  waitFor,
} from '../support/fault-tools.js';
import { FLEET_SECRET, RedisFleet } from '../support/redis-fleet.js';

/**
 * Issue 7, point 4 (a): Redis frozen with SIGSTOP (what a black-holed network looks like) under
 * token traffic. 3 processes of the built server and one library instance share a private
 * redis-server; tokens live 6 s, so renewals fall inside the freeze.
 */
let fleet: RedisFleet;

beforeAll(async () => {
  fleet = await RedisFleet.start({ tokenTtlSeconds: 6 });
});

afterAll(async () => {
  await fleet?.stop();
});

describe('Redis frozen (SIGSTOP) mid-traffic', () => {
  it('keeps answering token reads quickly, turns degraded, renews locally, and is ok and converged again after SIGCONT', async () => {
    await waitFor('first token everywhere', () => fleet.converged(), 10_000);
    // Freeze just after a rotation, so that the next one falls inside the freeze.
    const rotations = fleet.counters().refreshGrants;
    await waitFor('a rotation', () => fleet.counters().refreshGrants > rotations, 8_000, 25);
    await sleep(200);
    const before = fleet.counters();

    let stop = false;
    const invalid: string[] = [];
    const load = closedLoops(
      12,
      60_000,
      async (i) => {
        const token = await fleet.serve(fleet.servers[i % fleet.servers.length]);
        if (!fleet.sandbox.isTokenValid(token)) invalid.push(token.slice(-6));
        return token;
      },
      () => stop,
      5,
    );
    await sleep(500);
    const frozenAt = Date.now();
    fleet.redis.freeze();
    const degradedIn = await waitFor(
      'store degraded',
      () => fleet.tokens.storeInfo().state === 'degraded',
      6_000,
    );
    // Stay frozen long enough for every instance to renew on its own at least once.
    await waitFor(
      'local renewals',
      () => fleet.counters().refreshGrants - before.refreshGrants >= 2,
      10_000,
      50,
    );
    await sleep(500);
    const duringFreeze = counterDelta(before, fleet.counters());
    const frozenFor = Date.now() - frozenAt;
    fleet.redis.thaw();
    const thawedAt = Date.now();
    const okIn = await waitFor('store ok', () => fleet.tokens.storeInfo().state === 'ok', 6_000);
    const convergedIn = await waitFor('converged', () => fleet.converged(), 6_000, 20);
    await sleep(300);
    stop = true;
    const samples = await load;
    const during = samples.filter((s) => s.at >= frozenAt && s.at <= thawedAt);
    const latencies = during.map((s) => s.ms);
    figure(
      `Redis frozen ${frozenFor} ms: ${during.length} token reads meanwhile, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(0)} ms; degraded after ${degradedIn} ms; ` +
        `ok ${okIn} ms after SIGCONT, converged ${convergedIn} ms after SIGCONT; renewals while frozen ${JSON.stringify(duringFreeze)}`,
    );
    expect(samples.filter((s) => s.error).map((s) => String(s.error))).toEqual([]);
    expect(invalid).toEqual([]);
    expect(during.length).toBeGreaterThan(100);
    expect(percentile(latencies, 99)).toBeLessThan(1_000);
    expect(degradedIn).toBeLessThan(5_000);
    // Renewals went on locally, by refresh_token: none called /v1/token.
    expect(duringFreeze.refreshGrants).toBeGreaterThanOrEqual(2);
    expect(counterDelta(before, fleet.counters()).tokenCalls).toBe(0);
    expect(okIn).toBeLessThan(5_000);
    expect(convergedIn).toBeLessThan(5_000);
    expect(fleet.output()).not.toContain(FLEET_SECRET);
    // The store's state changes are logged once each way, not per command.
    const degradedLines = fleet.logs.lines.filter((l) => l.includes('Redis unreachable'));
    expect(degradedLines.length).toBe(1);
  }, 50_000);
});
