import { QingtuiSandbox } from 'qingtui-sandbox';
import { BENCH_APP_ID, BENCH_KEY, BENCH_SECRET, startFleet, stopFleet } from '../support/fleet.js';
import { percentile, round } from '../support/stats.js';

/**
 * How long the loop runs: `BENCH_HOSTILE_MINUTES` (default 5), well past every memory of the
 * passive refresh (its longest probe spacing is 60 s; the defect of issue 13 appeared after 60 s).
 */
const MINUTES = hostileMinutes();
const DURATION_MS = MINUTES * 60_000;
/** Hostile keys, each looping twice concurrently. */
const KEYS = [
  BENCH_KEY,
  ...Array.from({ length: 4 }, (_, i) => `bench-hostile-key-${i}-0123456789abcdef`),
];
const LOOPS_PER_KEY = 2;

function hostileMinutes(): number {
  const raw = process.env.BENCH_HOSTILE_MINUTES;
  if (raw === undefined || raw === '') return 5;
  const minutes = Number(raw);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 120) {
    throw new RangeError(
      `BENCH_HOSTILE_MINUTES must be a whole number of minutes from 1 to 120, got "${raw}"`,
    );
  }
  return minutes;
}

export interface HostileLoopResult {
  durationS: number;
  reports: number;
  /** Platform calls of any kind (token, refresh_token, API) during the loop. */
  calls: number;
  callsPerMinute: number;
  /** Platform calls in each minute of the loop. */
  perMinute: number[];
  grants: number;
  /** Answers that were not a token the platform accepts. */
  badAnswers: number;
  failed: number;
  p99Ms: number;
}

export const HOSTILE_SETUP =
  `One process of the built server (memory store) and the sandbox; ${KEYS.length} client keys loop ` +
  `${LOOPS_PER_KEY}-wide each on \`POST /apps/default/token/refresh\` with the current token as ` +
  `\`stale_token\` for ${MINUTES} minutes (\`BENCH_HOSTILE_MINUTES\`)`;

const callsOf = (c: { tokenCalls: number; refreshCalls: number; apiCalls: number }) =>
  c.tokenCalls + c.refreshCalls + c.apiCalls;

/**
 * (f) What hostile client keys can make the server spend: platform calls of every kind while
 * they report the current (working) token as rejected, as fast as they can, for several minutes.
 */
export async function hostileRefreshLoop(
  log: (s: string) => void = () => undefined,
): Promise<HostileLoopResult> {
  const sandbox = new QingtuiSandbox({ apps: [{ appId: BENCH_APP_ID, appSecret: BENCH_SECRET }] });
  const url = await sandbox.start();
  const [server] = await startFleet(1, url, { env: { API_KEYS: KEYS.join(',') } });
  const calls = () => callsOf(sandbox.counters().apps[BENCH_APP_ID]);
  try {
    const res = await fetch(`${server.url}/apps/default/token`, {
      headers: { authorization: `Bearer ${BENCH_KEY}` },
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const before = sandbox.counters().apps[BENCH_APP_ID];
    const latencies: number[] = [];
    let reports = 0;
    let badAnswers = 0;
    let failed = 0;
    const started = Date.now();
    const perMinute: number[] = [];
    let minuteStart = calls();
    const ticker = setInterval(() => {
      const now = calls();
      perMinute.push(now - minuteStart);
      minuteStart = now;
      log(`    minute ${perMinute.length}: ${perMinute[perMinute.length - 1]} platform call(s)`);
    }, 60_000);
    await Promise.all(
      KEYS.flatMap((key) =>
        Array.from({ length: LOOPS_PER_KEY }, async () => {
          while (Date.now() - started < DURATION_MS) {
            const t0 = performance.now();
            try {
              const answer = await fetch(`${server.url}/apps/default/token/refresh`, {
                method: 'POST',
                headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
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
      ),
    );
    clearInterval(ticker);
    // The last (partial) minute, if the ticker did not close it.
    if (perMinute.length < MINUTES) perMinute.push(calls() - minuteStart);
    const durationMs = Date.now() - started;
    const after = sandbox.counters().apps[BENCH_APP_ID];
    const total = callsOf(after) - callsOf(before);
    return {
      durationS: round(durationMs / 1000, 1),
      reports,
      calls: total,
      callsPerMinute: round((total * 60_000) / durationMs, 2),
      perMinute,
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
