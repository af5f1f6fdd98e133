import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisProcess } from '../../bench/support/redis-process.js';
import { redisCommandCalls, SCALE_KEY, ScaleFleet } from '../../bench/support/scale-fleet.js';
import { figure, sleep, waitFor } from '../support/fault-tools.js';

/**
 * Issue 18, points 1 and 2, over real processes: the built server with 1,000 Qingtui apps of the
 * sandbox on a private redis-server (port 7231). Exact counts: platform calls at start = apps
 * without a stored token; 0 for a restart or an instance joining; idle Redis commands a second
 * at 1,000 apps within 2x of 10 apps.
 */
const N = 1_000;
let redis: RedisProcess;
let fleet: ScaleFleet;
let small: ScaleFleet;

beforeAll(async () => {
  redis = await RedisProcess.start(7231);
  [fleet, small] = await Promise.all([ScaleFleet.start(N), ScaleFleet.start(10)]);
});

afterAll(async () => {
  await Promise.all([fleet?.stop(), small?.stop()]);
  await redis?.stop();
});

/** Redis commands a second over `ms`, every server of the fleet idle. */
async function idleCommandsPerSecond(ms: number): Promise<number> {
  const before = await redisCommandCalls(redis.url);
  await sleep(ms);
  const after = await redisCommandCalls(redis.url);
  // The INFO command of the second reading is counted in it.
  return (after - before - 1) / (ms / 1_000);
}

describe(`${N} apps on one Redis`, () => {
  it('start: one platform call per app, exactly, and every app served', async () => {
    const startedAt = Date.now();
    const [server] = await fleet.startServers(1, redis.url, 'scale-a');
    const readyMs = Date.now() - startedAt;
    expect(fleet.platformCalls()).toBe(N);
    const answers = await Promise.all(fleet.apps.map((a) => fleet.token(server, a.name)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(N);
    expect(fleet.platformCalls()).toBe(N);
    figure(
      `${N} apps, 1 instance: ready in ${readyMs} ms, ${fleet.platformCalls()} platform calls`,
    );
  });

  it('reports stay small: /metrics summed up per platform, /status/data and /health/details paged', async () => {
    const [server] = fleet.servers;
    const auth = { authorization: `Bearer ${SCALE_KEY}` };
    const timed = async (path: string) => {
      const startedAt = performance.now();
      const res = await fetch(`${server.url}${path}`, { headers: auth });
      const text = await res.text();
      return { status: res.status, text, ms: performance.now() - startedAt };
    };
    const metrics = await timed('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('qingtui_token_valid{app="*",platform="qingtui"} 1');
    expect(metrics.text).not.toContain('app="app-1"');
    const status = await timed('/status/data');
    const data = JSON.parse(status.text) as {
      apps: { name: string; nextRenewalAt?: string }[];
      summary: { apps: number; byState: Record<string, number> };
    };
    expect(data.summary).toEqual({ apps: N, byState: { valid: N }, offset: 0, limit: 100 });
    expect(data.apps.map((a) => a.name)).toEqual(fleet.apps.slice(0, 100).map((a) => a.name));
    // Fetched in one burst, their first renewals are spread between half and 80% of the 2 h
    // lifetime (a plain jitter would keep them within the start-up's seconds plus 144 s).
    const renewals = data.apps.map((a) => Date.parse(a.nextRenewalAt ?? ''));
    expect(Math.max(...renewals) - Math.min(...renewals)).toBeGreaterThan(600_000);
    const page = JSON.parse((await timed('/status/data?offset=990&limit=50')).text) as typeof data;
    expect(page.apps.map((a) => a.name)).toEqual(fleet.apps.slice(990).map((a) => a.name));
    expect((await timed('/status/data?limit=5000')).status).toBe(400);
    const health = await timed('/health/details?limit=10');
    const details = (
      JSON.parse(health.text) as {
        details: { tokens: { apps: object; summary: { apps: number; byState: object } } };
      }
    ).details.tokens;
    expect(Object.keys(details.apps)).toHaveLength(10);
    expect(details.summary).toMatchObject({ apps: N, byState: { valid: N } });
    figure(
      `${N} apps: /metrics ${metrics.text.length} bytes in ${metrics.ms.toFixed(0)} ms, /status/data ` +
        `${status.text.length} bytes in ${status.ms.toFixed(0)} ms, /health/details?limit=10 ` +
        `${health.text.length} bytes in ${health.ms.toFixed(0)} ms`,
    );
    // Bounded by the page, not by the apps (the whole list was several hundred kilobytes).
    expect(metrics.text.length).toBeLessThan(100_000);
    expect(status.text.length).toBeLessThan(150_000);
  });

  it('an instance joining adopts the stored tokens: 0 platform calls, the same tokens', async () => {
    const [first] = fleet.servers;
    const [joined] = await fleet.startServers(1, redis.url, 'scale-a');
    expect(fleet.platformCalls()).toBe(N);
    const sample = fleet.apps.filter((_, i) => i % 50 === 0);
    for (const app of sample) {
      const [a, b] = await Promise.all([
        fleet.token(first, app.name),
        fleet.token(joined, app.name),
      ]);
      expect(b.token).toBe(a.token);
    }
  });

  it('a restart of every instance with the tokens stored: 0 platform calls', async () => {
    await fleet.stopServers();
    await fleet.startServers(1, redis.url, 'scale-a');
    expect(fleet.platformCalls()).toBe(N);
  });

  it('idle, the Redis commands a second do not grow with the apps (1,000 vs 10 within 2x)', async () => {
    await small.startServers(1, redis.url, 'scale-small');
    // Let start-up traffic pass, then count the two fleets one after the other.
    await fleet.stopServers();
    await sleep(1_500);
    const atTen = await idleCommandsPerSecond(5_000);
    await small.stopServers();
    await fleet.startServers(1, redis.url, 'scale-a');
    await sleep(1_500);
    const atThousand = await idleCommandsPerSecond(5_000);
    figure(
      `idle Redis commands/s, 1 instance: ${atTen.toFixed(1)} at 10 apps, ${atThousand.toFixed(1)} at ${N} apps`,
    );
    expect(atThousand).toBeLessThanOrEqual(2 * atTen);
    await fleet.stopServers();
  });

  it('three instances starting together: one platform call per app, exactly', async () => {
    const before = fleet.platformCalls();
    const three = await fleet.startServers(3, redis.url, 'scale-b');
    await waitFor('every app fetched', () => fleet.platformCalls() - before >= N, 30_000);
    await sleep(1_000);
    expect(fleet.platformCalls() - before).toBe(N);
    for (const app of fleet.apps.filter((_, i) => i % 100 === 7)) {
      const served = await Promise.all(three.map((s) => fleet.token(s, app.name)));
      expect(new Set(served.map((s) => s.token)).size).toBe(1);
    }
    await fleet.stopServers();
  });
});
