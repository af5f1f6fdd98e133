import { QingtuiSandbox } from 'qingtui-sandbox';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import type { ServerProcess } from '../support/server-process.js';
import { round, sleep } from '../support/stats.js';

const TTL_S = 4;
const LIFETIMES = 4;
const WORKERS_PER_INSTANCE = 4;

export interface GrantsRow {
  variant: 'central (ours)' | 'naive per-instance cache';
  instances: number;
  grants: number;
  lifetimes: number;
  grantsPerLifetime: number;
  requests: number;
  failed: number;
  deadTokensSent: number;
  /** Distinct tokens handed to the load: one per rotation when nothing is wasted. */
  tokensServed: number;
}

/** Uses a token on the platform, as a business server does. */
async function usePlatform(sandboxUrl: string, token: string): Promise<boolean> {
  const res = await fetch(
    `${sandboxUrl}/v1/app/followers?access_token=${encodeURIComponent(token)}`,
  );
  const body = (await res.json()) as { errcode?: number };
  return !body.errcode;
}

/**
 * The baseline: the cache of seed 001, one per instance. Fetches `/v1/token` whenever its copy
 * is missing or older than a fixed lifetime (7000 s of 7200 s, scaled), with no single-flight
 * and no coordination between instances.
 */
class NaiveTokenCache {
  private token?: string;
  private fetchedAt = 0;

  constructor(
    private readonly sandboxUrl: string,
    private readonly fixedLifetimeMs: number,
  ) {}

  async get(): Promise<string> {
    if (this.token && Date.now() - this.fetchedAt < this.fixedLifetimeMs) return this.token;
    const url = `${this.sandboxUrl}/v1/token?grant_type=client_credential&appid=${BENCH_APP_ID}&secret=${BENCH_SECRET}`;
    const body = (await (await fetch(url)).json()) as { access_token?: string; errcode?: number };
    if (!body.access_token) throw new Error(`token fetch failed: errcode ${body.errcode}`);
    this.token = body.access_token;
    this.fetchedAt = Date.now();
    return this.token;
  }
}

async function drive(
  instances: number,
  durationMs: number,
  getToken: (instance: number) => Promise<string>,
  sandboxUrl: string,
): Promise<{ requests: number; failed: number; tokensServed: number }> {
  let requests = 0;
  let failed = 0;
  const served = new Set<string>();
  const end = Date.now() + durationMs;
  const worker = async (instance: number) => {
    while (Date.now() < end) {
      requests += 1;
      try {
        const token = await getToken(instance);
        served.add(token);
        if (!(await usePlatform(sandboxUrl, token))) failed += 1;
      } catch {
        failed += 1;
      }
      await sleep(2);
    }
  };
  await Promise.all(
    Array.from({ length: instances * WORKERS_PER_INSTANCE }, (_, i) => worker(i % instances)),
  );
  return { requests, failed, tokensServed: served.size };
}

async function ours(instances: number, redisUrl: string): Promise<GrantsRow> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, edition: 'enterprise' }],
    tokenTtlSeconds: TTL_S,
  });
  const url = await sandbox.start();
  let fleet: ServerProcess[] = [];
  try {
    fleet = await startFleet(instances, url, { redisUrl });
    sandbox.resetCounters();
    const fromServer = async (i: number) => {
      const res = await fetch(`${fleet[i].url}/apps/default/token`, { headers: authHeaders });
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const load = await drive(instances, TTL_S * LIFETIMES * 1000, fromServer, url);
    const c = sandbox.counters().apps[BENCH_APP_ID];
    return row('central (ours)', instances, c.grants, load, c.invalidTokenCalls);
  } finally {
    await stopFleet(fleet);
    await sandbox.stop();
  }
}

async function naive(instances: number): Promise<GrantsRow> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, edition: 'enterprise' }],
    tokenTtlSeconds: TTL_S,
  });
  const url = await sandbox.start();
  try {
    const caches = Array.from(
      { length: instances },
      () => new NaiveTokenCache(url, (TTL_S * 1000 * 7000) / 7200),
    );
    const load = await drive(instances, TTL_S * LIFETIMES * 1000, (i) => caches[i].get(), url);
    const c = sandbox.counters().apps[BENCH_APP_ID];
    return row('naive per-instance cache', instances, c.grants, load, c.invalidTokenCalls);
  } finally {
    await sandbox.stop();
  }
}

function row(
  variant: GrantsRow['variant'],
  instances: number,
  grants: number,
  load: { requests: number; failed: number; tokensServed: number },
  deadTokensSent: number,
): GrantsRow {
  return {
    variant,
    instances,
    grants,
    lifetimes: LIFETIMES,
    grantsPerLifetime: round(grants / LIFETIMES),
    requests: load.requests,
    failed: load.failed,
    deadTokensSent,
    tokensServed: load.tokensServed,
  };
}

/** (a) Platform grants per token lifetime for N = 1, 3, 5 instances under load. */
export async function grantsPerLifetime(redisUrl: string): Promise<GrantsRow[]> {
  const rows: GrantsRow[] = [];
  for (const n of [1, 3, 5]) {
    rows.push(await ours(n, redisUrl));
    rows.push(await naive(n));
  }
  return rows;
}

export const GRANTS_SETUP = `token lifetime ${TTL_S} s, ${LIFETIMES} lifetimes of load, ${WORKERS_PER_INSTANCE} closed-loop workers per instance (each: get a token, use it on the platform)`;
