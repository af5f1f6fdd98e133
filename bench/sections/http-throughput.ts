import { QingtuiSandbox } from 'qingtui-sandbox';
import autocannon from 'autocannon';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import { median, round } from '../support/stats.js';

const ROUNDS = 5;
const DURATION_S = 5;
const CONNECTIONS = 32;

export interface ThroughputRow {
  store: 'memory' | 'redis';
  tokenRps: number;
  bareRps: number;
  ratio: number;
  tokenP99Ms: number;
  bareP99Ms: number;
  errors: number;
}

async function measure(url: string): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: authHeaders,
  });
}

/**
 * (b) `GET /apps/:app/token` against a bare endpoint of the same Nest app (same adapter,
 * same global guard, pipes and filter; it returns a constant), alternating A/B rounds so that
 * drift of this noisy machine hits both alike. Reports medians.
 */
export async function httpThroughput(redisUrl: string): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const store of ['memory', 'redis'] as const) {
    const sandbox = new QingtuiSandbox({
      apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET, edition: 'enterprise' }],
    });
    const url = await sandbox.start();
    const [server] = await startFleet(1, url, store === 'redis' ? { redisUrl } : {});
    try {
      // Warm-up (JIT, connections).
      await measure(`${server.url}/apps/default/token`);
      const token: autocannon.Result[] = [];
      const bare: autocannon.Result[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        token.push(await measure(`${server.url}/apps/default/token`));
        bare.push(await measure(`${server.url}/bench/bare`));
      }
      const tokenRps = median(token.map((r) => r.requests.average));
      const bareRps = median(bare.map((r) => r.requests.average));
      rows.push({
        store,
        tokenRps: Math.round(tokenRps),
        bareRps: Math.round(bareRps),
        ratio: round(tokenRps / bareRps, 3),
        tokenP99Ms: median(token.map((r) => r.latency.p99)),
        bareP99Ms: median(bare.map((r) => r.latency.p99)),
        errors: [...token, ...bare].reduce((n, r) => n + r.errors + r.non2xx, 0),
      });
    } finally {
      await stopFleet([server]);
      await sandbox.stop();
    }
  }
  return rows;
}

export const THROUGHPUT_SETUP = `autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s per endpoint after a warm-up round, one server process`;
