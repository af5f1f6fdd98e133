import { QingtuiSandbox } from 'qingtui-sandbox';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_FOLLOWERS,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import { percentile, round } from '../support/stats.js';

const SENDS = 1000;

export interface StormResult {
  sends: number;
  succeeded: number;
  grants: number;
  delivered: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * (d) 1000 concurrent message sends through the server right after the platform revoked the
 * token: every send meets the dead token, and all of them must heal with one renewal.
 */
export async function invalidTokenStorm(): Promise<StormResult> {
  const sandbox = new QingtuiSandbox({
    apps: [
      {
        appId: BENCH_APP_ID,
        appSecret: BENCH_SECRET,
        edition: 'enterprise',
        followers: BENCH_FOLLOWERS,
      },
    ],
  });
  const url = await sandbox.start();
  const [server] = await startFleet(1, url);
  try {
    // Warm the send path (connections, JIT) with a few messages.
    for (let i = 0; i < 20; i++) await send(server.url, `warm-${i}`);
    sandbox.revokeTokens(BENCH_APP_ID);
    const grantsBefore = sandbox.counters().apps[BENCH_APP_ID].grants;
    const deliveredBefore = sandbox.deliveries(BENCH_APP_ID).length;
    const latencies: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: SENDS }, async (_, i) => {
        const started = performance.now();
        const ok = await send(server.url, `storm-${i}`);
        latencies.push(performance.now() - started);
        return ok;
      }),
    );
    const delivered = sandbox.deliveries(BENCH_APP_ID).slice(deliveredBefore);
    const contents = delivered.map((d) => (d.message as { content?: string }).content);
    return {
      sends: SENDS,
      succeeded: outcomes.filter(Boolean).length,
      grants: sandbox.counters().apps[BENCH_APP_ID].grants - grantsBefore,
      delivered: delivered.length,
      duplicates: contents.length - new Set(contents).size,
      p50Ms: round(percentile(latencies, 50), 1),
      p99Ms: round(percentile(latencies, 99), 1),
    };
  } finally {
    await stopFleet([server]);
    await sandbox.stop();
  }
}

async function send(serverUrl: string, content: string): Promise<boolean> {
  const res = await fetch(`${serverUrl}/apps/default/messages`, {
    method: 'POST',
    headers: { ...authHeaders, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'text', to_user: BENCH_FOLLOWERS[0], message: { content } }),
  });
  await res.arrayBuffer();
  return res.status === 200;
}
