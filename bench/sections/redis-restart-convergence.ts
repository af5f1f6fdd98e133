import { createClient } from '@keyv/redis';
import { QingtuiSandbox } from 'qingtui-sandbox';
import { randomUUID } from 'node:crypto';
import { RedisProcess } from '../support/redis-process.js';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import type { ServerProcess } from '../support/server-process.js';
import { median, sleep } from '../support/stats.js';

const ROUNDS = 3;
const INSTANCES = 3;
const TOKEN_TTL_S = 6;

export interface ConvergenceResult {
  instances: number;
  /** Per round: distinct tokens served just before Redis came back, and ms until one again. */
  rounds: { distinctBefore: number; convergedMs: number }[];
  medianMs: number;
  maxMs: number;
  /** `/v1/token` calls caused by the disruptions (refresh_token renewals are expected). */
  tokenCalls: number;
  refreshGrants: number;
}

export const CONVERGENCE_SETUP =
  `${INSTANCES} processes of the built server share a private redis-server; the sandbox issues ${TOKEN_TTL_S} s tokens. ` +
  'Each round kills Redis (SIGKILL, nothing on disk), waits until every instance has renewed on its own ' +
  '(they serve different tokens), restarts Redis empty and measures, from the moment it accepts connections, ' +
  'the time until all instances serve the one token stored in Redis';

async function serve(server: ServerProcess): Promise<string | undefined> {
  try {
    const res = await fetch(`${server.url}/apps/default/token`, {
      headers: authHeaders,
      signal: AbortSignal.timeout(2_000),
    });
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { access_token: string }).access_token;
  } catch {
    return undefined;
  }
}

async function stored(redisUrl: string, key: string): Promise<string | undefined> {
  const client = createClient({
    url: redisUrl,
    socket: { connectTimeout: 500, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const raw = await client.get(key);
    if (!raw) return undefined;
    const envelope = JSON.parse(raw) as { value: string };
    return (JSON.parse(envelope.value) as { accessToken: string }).accessToken;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/**
 * (h) After a Redis restart, how long until every instance serves one token again (the stored
 * one): instances that renewed on their own during the outage must converge, with no platform
 * call, within about 2 s.
 */
export async function redisRestartConvergence(): Promise<ConvergenceResult> {
  const redis = await RedisProcess.start();
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET }],
    tokenTtlSeconds: TOKEN_TTL_S,
  });
  const url = await sandbox.start();
  const prefix = `bench-${randomUUID()}`;
  const fleet = await startFleet(INSTANCES, url, {
    redisUrl: redis.url,
    env: { QINGTUI_KEY_PREFIX: prefix },
  });
  const key = `${prefix}:{qingtui:${BENCH_APP_ID}}:token`;
  const counters = () => sandbox.counters().apps[BENCH_APP_ID];
  const oneToken = async () => {
    const [s, served] = await Promise.all([stored(redis.url, key), Promise.all(fleet.map(serve))]);
    return s !== undefined && served.every((t) => t === s);
  };
  try {
    while (!(await oneToken())) await sleep(50);
    const before = counters();
    const rounds: ConvergenceResult['rounds'] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const renewals = counters().refreshGrants;
      await redis.stop();
      // Every instance renews on its own while Redis is away.
      while (counters().refreshGrants - renewals < INSTANCES) await sleep(50);
      await sleep(300);
      const distinctBefore = new Set(await Promise.all(fleet.map(serve))).size;
      await redis.restart();
      const back = Date.now();
      while (!(await oneToken())) await sleep(20);
      rounds.push({ distinctBefore, convergedMs: Date.now() - back });
    }
    const after = counters();
    const times = rounds.map((r) => r.convergedMs);
    return {
      instances: INSTANCES,
      rounds,
      medianMs: median(times),
      maxMs: Math.max(...times),
      tokenCalls: after.tokenCalls - before.tokenCalls,
      refreshGrants: after.refreshGrants - before.refreshGrants,
    };
  } finally {
    await stopFleet(fleet);
    await sandbox.stop();
    await redis.stop();
  }
}
