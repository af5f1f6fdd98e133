import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import {
  closedLoops,
  counterDelta,
  figure,
  percentile,
  platformCalls,
  waitFor,
} from '../support/fault-tools.js';

/**
 * Issue 7, point 3, through a process of the built server: the platform drops every connection
 * of a renewal (sandbox fault `reset`, counted by the sandbox) after the token expired, while 50
 * HTTP clients ask for the token.
 */
const APP_ID = 'outage-proc-app';
const SECRET = 'outage-proc-secret-DO-NOT-LOG';
const KEY = 'outage-client-key-0123456789abcdef';

let sandbox: QingtuiSandbox | undefined;
let server: ServerProcess | undefined;

afterAll(async () => {
  await server?.stop();
  await sandbox?.stop();
});

async function getToken(): Promise<{ status: number; token?: string; retryAfter: string | null }> {
  const res = await fetch(`${server!.url}/apps/default/token`, {
    headers: { authorization: `Bearer ${KEY}` },
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { access_token?: string };
  return {
    status: res.status,
    token: body.access_token,
    retryAfter: res.headers.get('retry-after'),
  };
}

/** Lines the token service logged at warn or error level (Nest's console format). */
function alarms(): string[] {
  return server!.output
    .join('')
    .split('\n')
    .filter((l) => /\b(WARN|ERROR)\b/.test(l) && l.includes('[QingtuiTokenService]'));
}

describe('platform down after the token expired (server process, 50 HTTP clients)', () => {
  it('answers 503 at once, spends one platform call per background attempt, logs a handful of lines, and serves again within seconds', async () => {
    sandbox = new QingtuiSandbox({
      apps: [{ appId: APP_ID, appSecret: SECRET }],
      tokenTtlSeconds: 2,
    });
    const url = await sandbox.start();
    server = await new ServerProcess(
      await freePort(),
      { QINGTUI_BASE_URL: url, QINGTUI_APP_ID: APP_ID, QINGTUI_APP_SECRET: SECRET, API_KEYS: KEY },
      SERVER_ENTRY,
    ).start();
    const first = await getToken();
    expect(first.status).toBe(200);
    sandbox.addFault({ kind: 'reset', path: /^\/(auth|v1\/token)/ });
    await waitFor('token expired', async () => (await getToken()).status === 503, 10_000, 100);
    const before = sandbox.counters().apps[APP_ID];
    const alarmsBefore = alarms().length;
    const samples = await closedLoops(50, 10_000, () => getToken(), undefined, 5);
    const calls = platformCalls(sandbox.counters().apps[APP_ID]) - platformCalls(before);
    const statuses = new Map<number, number>();
    for (const s of samples) {
      const status = s.value?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const latencies = samples.map((s) => s.ms);
    const allWarnings = server.output
      .join('')
      .split('\n')
      .filter((l) => /\bWARN\b/.test(l)).length;
    figure(
      `platform down, 50 HTTP clients, 10 s: ${samples.length} requests ${JSON.stringify(Object.fromEntries(statuses))}, ` +
        `${calls} platform calls ${JSON.stringify(counterDelta(before, sandbox.counters().apps[APP_ID]))}, ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, ` +
        `${alarms().length - alarmsBefore} token-service warning lines in the window (${alarms().length} in all); ` +
        `${allWarnings} WARN lines of any logger`,
    );
    expect(samples.filter((s) => s.error)).toEqual([]);
    expect(samples.length).toBeGreaterThan(200);
    expect(statuses.get(503)).toBe(samples.length);
    expect(samples.every((s) => s.value!.retryAfter !== null)).toBe(true);
    expect(percentile(latencies, 99)).toBeLessThan(500);
    // One platform call per background attempt (1–5 s apart), not one per request.
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(12);
    expect(alarms().length - alarmsBefore).toBeLessThanOrEqual(1);
    expect(alarms().length).toBeLessThanOrEqual(4);

    sandbox.clearFaults();
    const healedIn = await waitFor(
      'served again',
      async () => (await getToken()).status === 200,
      8_000,
      50,
    );
    const healed = await getToken();
    figure(`platform down: served again ${healedIn} ms after it returned`);
    expect(healedIn).toBeLessThan(6_000);
    expect(sandbox.isTokenValid(healed.token!)).toBe(true);
    expect(server.output.join('')).not.toContain(SECRET);
    expect(server.output.join('')).not.toContain(KEY);
  }, 50_000);
});
