import { QingtuiSandbox } from 'qingtui-sandbox';
import {
  authHeaders,
  BENCH_APP_ID,
  BENCH_SECRET,
  startFleet,
  stopFleet,
} from '../support/fleet.js';
import { percentile, round } from '../support/stats.js';

const DURATION_MS = 60_000;
/** Concurrent loops of the one hostile key. */
const LOOPS = 4;

export interface HostileLoopResult {
  durationS: number;
  reports: number;
  /** Platform calls of any kind (token, refresh_token, API) during the loop. */
  calls: number;
  callsPerMinute: number;
  grants: number;
  /** Answers that were not a token the platform accepts. */
  badAnswers: number;
  failed: number;
  p99Ms: number;
}

export const HOSTILE_SETUP =
  `One process of the built server (memory store) and the sandbox; one client key loops ${LOOPS}-wide on ` +
  '`POST /apps/default/token/refresh` with the current token as `stale_token` for 60 s';

/**
 * (f) What one hostile client key can make the server spend: platform calls of every kind while
 * it reports the current (working) token as rejected, as fast as it can, for a minute.
 */
export async function hostileRefreshLoop(): Promise<HostileLoopResult> {
  const sandbox = new QingtuiSandbox({ apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET }] });
  const url = await sandbox.start();
  const [server] = await startFleet(1, url);
  try {
    const res = await fetch(`${server.url}/apps/default/token`, { headers: authHeaders });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const before = sandbox.counters().apps[BENCH_APP_ID];
    const latencies: number[] = [];
    let reports = 0;
    let badAnswers = 0;
    let failed = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: LOOPS }, async () => {
        while (Date.now() - started < DURATION_MS) {
          const t0 = performance.now();
          try {
            const answer = await fetch(`${server.url}/apps/default/token/refresh`, {
              method: 'POST',
              headers: { ...authHeaders, 'content-type': 'application/json' },
              body: JSON.stringify({ stale_token: token }),
            });
            const body = (await answer.json()) as { access_token?: string };
            if (answer.status !== 200) failed += 1;
            else if (!body.access_token || !sandbox.isTokenValid(body.access_token))
              badAnswers += 1;
            reports += 1;
          } catch {
            failed += 1;
          }
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const durationMs = Date.now() - started;
    const after = sandbox.counters().apps[BENCH_APP_ID];
    const calls =
      after.tokenCalls +
      after.refreshCalls +
      after.apiCalls -
      (before.tokenCalls + before.refreshCalls + before.apiCalls);
    return {
      durationS: round(durationMs / 1000, 1),
      reports,
      calls,
      callsPerMinute: round((calls * 60_000) / durationMs, 2),
      grants: after.grants - before.grants,
      badAnswers,
      failed,
      p99Ms: round(percentile(latencies, 99), 1),
    };
  } finally {
    await stopFleet([server]);
    await sandbox.stop();
  }
}
