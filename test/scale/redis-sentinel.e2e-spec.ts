import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import { figure, readStoredRecord, sleep, waitFor } from '../support/fault-tools.js';
import { extraGrants, HaFleet, type HaApp } from '../support/ha-fleet.js';
import { RedisSentinelSet, SENTINEL_MASTER_NAME } from '../support/redis-sentinel-set.js';

/**
 * Issue 18, points 4 and 5: a local Sentinel set (1 primary, 1 replica, 3 sentinels, on private
 * ports 7100, 7101, 7110-7112), 3 processes of the built server configured by REDIS_SENTINELS,
 * tokens living 20 s (a rotation every ~16 s), readers asking every server for both apps all
 * along. The primary is killed (SIGKILL) right after a rotation, then (the old primary back as a
 * replica) again 1.5 s before a rotation is due; the sentinels promote the replica each time. Targets: 0 failed reads, at most 1 extra grant per app, one token served by all
 * within 2 s of the election, the next rotation shared through the new primary, no password in
 * the logs.
 */
const PASSWORD = 'sentinel-data-password-DO-NOT-LOG';
const SENTINEL_PASSWORD = 'sentinel-own-password-DO-NOT-LOG';
const APPS: HaApp[] = [
  { name: 'alpha', appId: 'ha-sentinel-alpha', appSecret: 'ha-sentinel-alpha-secret-DO-NOT-LOG' },
  { name: 'beta', appId: 'ha-sentinel-beta', appSecret: 'ha-sentinel-beta-secret-DO-NOT-LOG' },
];
const TTL_S = 20;
const RENEWAL_INTERVAL_MS = TTL_S * 1_000 * 0.8;

let set: RedisSentinelSet;
let fleet: HaFleet;

beforeAll(async () => {
  set = await RedisSentinelSet.start({
    basePort: 7100,
    password: PASSWORD,
    sentinelPassword: SENTINEL_PASSWORD,
  });
  fleet = await HaFleet.start({
    apps: APPS,
    servers: 3,
    tokenTtlSeconds: TTL_S,
    redisEnv: {
      REDIS_SENTINELS: set.sentinelNodes.map((n) => `${n.host}:${n.port}`).join(','),
      REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
      REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
      REDIS_PASSWORD: PASSWORD,
    },
  });
  await waitFor('first tokens everywhere', () => fleet.converged(), 15_000, 50);
}, 60_000);

afterAll(async () => {
  await fleet?.stop();
  await set?.stop();
});

async function storedToken(port: number, app: HaApp): Promise<string | undefined> {
  const url = `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`;
  return (await readStoredRecord(url, fleet.tokenKey(app)).catch(() => undefined))?.record
    .accessToken;
}

describe('Redis Sentinel: the primary killed while tokens rotate and readers read', () => {
  it('0 failed reads, at most 1 extra grant per app, one token again within 2 s of the election, the next rotation shared', async () => {
    const startedAt = Date.now();
    fleet.startReaders();
    // Right after a rotation of both apps, so that the failover is what is measured.
    await Promise.all(APPS.map((app) => fleet.nextGrant(app, 15_000)));
    await waitFor('rotation served by all', () => fleet.converged(), 5_000, 20);

    const killedAt = Date.now();
    const oldPort = await set.killPrimary();
    const newPort = await set.waitForNewPrimary(oldPort);
    const electedAt = Date.now();
    const convergedIn = await waitFor(
      'store shared and one token served by all',
      async () => (await fleet.storeShared()) && (await fleet.converged()),
      10_000,
      20,
    );
    figure(
      `Sentinel: primary ${oldPort} killed, ${newPort} elected ${electedAt - killedAt} ms later; ` +
        `every server shares the store and serves one token ${convergedIn} ms after the election`,
    );
    expect(convergedIn).toBeLessThan(2_000);

    // The next rotation goes through the new primary and reaches every server.
    const next = await Promise.all(APPS.map((app) => fleet.nextGrant(app, 15_000)));
    const sharedIn = await waitFor(
      'next rotation stored and served by all',
      async () => {
        if (!(await fleet.converged())) return false;
        for (const app of APPS) {
          const stored = await storedToken(newPort, app);
          if (stored === undefined || stored !== (await fleet.serve(fleet.servers[0], app))) {
            return false;
          }
        }
        return true;
      },
      5_000,
      20,
    );
    figure(
      `Sentinel: the rotation after the failover is stored and served by all ${sharedIn} ms after its grant`,
    );
    expect(sharedIn).toBeLessThan(2_000);
    await fleet.stopReaders();

    for (const [i, app] of APPS.entries()) {
      const grants = fleet.grantsSince(app, startedAt);
      const extra = extraGrants(fleet.grantsSince(app, 0), RENEWAL_INTERVAL_MS);
      figure(
        `Sentinel: ${app.name}: ${grants.length} grants in ${Math.round((next[i] - startedAt) / 1_000)} s, ${extra} extra`,
      );
      expect(extra).toBeLessThanOrEqual(1);
    }
    figure(`Sentinel: ${fleet.tally.reads} token reads, ${fleet.tally.failed} failed`);
    expect(fleet.tally.failures).toEqual([]);
    expect(fleet.tally.reads).toBeGreaterThan(200);

    const logs = fleet.output();
    for (const secret of [PASSWORD, SENTINEL_PASSWORD, ...APPS.map((a) => a.appSecret)]) {
      expect(logs).not.toContain(secret);
    }
  }, 70_000);
});

describe('Redis Sentinel: the primary killed just before a rotation is due', () => {
  it('the renewal waits for the new primary: one grant per app, 0 failed reads', async () => {
    const dead = set.data.find((d) => !d.alive)!;
    await dead.start();
    await waitFor(
      'the old primary back as a replica',
      async () => (await set.info(dead.port, 'replication')).includes('master_link_status:up'),
      20_000,
      100,
    );
    fleet.startReaders();
    const due = Math.max(...APPS.map((a) => fleet.grantsSince(a, 0).at(-1)!)) + RENEWAL_INTERVAL_MS;
    await waitFor('1.5 s before the rotation', () => Date.now() > due - 1_500, 20_000);
    const killedAt = Date.now();
    const oldPort = await set.killPrimary();
    const newPort = await set.waitForNewPrimary(oldPort);
    const electedAt = Date.now();
    await waitFor(
      'store shared and one token served by all',
      async () => (await fleet.storeShared()) && (await fleet.converged()),
      10_000,
      20,
    );
    await waitFor(
      'the rotation',
      () => APPS.every((a) => fleet.grantsSince(a, killedAt).length > 0),
      15_000,
    );
    await sleep(3_000);
    await fleet.stopReaders();
    for (const app of APPS) {
      const grants = fleet.grantsSince(app, killedAt);
      figure(
        `Sentinel: primary ${oldPort} killed 1.5 s before ${app.name}'s rotation, ${newPort} ` +
          `elected ${electedAt - killedAt} ms later; grants since: ${grants.map((t) => `+${t - killedAt} ms`).join(', ')}`,
      );
      // The scheduled renewal waits for the store up to 60 s into the outage (5 s once a caller
      // joins it), and no longer than half the
      // life left of the token held allows (2 s here, with 20 s tokens renewed at 80%). An
      // election slower than that (a first vote that fails, under load: the
      // sentinels retry after 2 × failover-timeout) leaves each instance renewing alone, once,
      // before its token runs out: no failed read, and nothing more once the store is back.
      const alone = grants.filter((t) => t < electedAt);
      if (alone.length === 0) {
        expect(grants).toHaveLength(1);
      } else {
        figure(`Sentinel: the election outlasted the wait: ${alone.length} renewal(s) alone`);
        expect(grants.length).toBeLessThanOrEqual(3);
        expect(grants.filter((t) => t >= electedAt)).toEqual([]);
      }
    }
    expect(fleet.tally.failures).toEqual([]);
  }, 60_000);
});

describe('REDIS_SENTINELS that lead nowhere', () => {
  it('refuse the start in one line naming the variable, by host and port, never a password', async () => {
    const server = new ServerProcess(
      await freePort(),
      {
        QINGTUI_APP_ID: APPS[0].appId,
        QINGTUI_APP_SECRET: APPS[0].appSecret,
        QINGTUI_BASE_URL: 'http://127.0.0.1:9',
        API_KEYS: 'ha-client-key-0123456789abcdef',
        // Port 7199: private to these tests, nothing listens there.
        REDIS_SENTINELS: '127.0.0.1:7199',
        REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME,
        REDIS_SENTINEL_PASSWORD: SENTINEL_PASSWORD,
        REDIS_PASSWORD: PASSWORD,
      },
      SERVER_ENTRY,
    );
    const failure = await server.start().then(
      () => undefined,
      (error: Error) => error.message,
    );
    await server.kill();
    expect(failure).toContain(
      'Invalid configuration: REDIS_SENTINELS does not lead to a usable Redis',
    );
    expect(failure).toContain('127.0.0.1:7199');
    expect(failure).not.toContain(PASSWORD);
    expect(failure).not.toContain(SENTINEL_PASSWORD);
  });
});
