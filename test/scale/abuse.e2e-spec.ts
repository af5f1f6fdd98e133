import { QingtuiSandbox } from 'qingtui-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, SERVER_ENTRY, ServerProcess } from '../../bench/support/server-process.js';
import {
  closedLoops,
  counterDelta,
  figure,
  percentile,
  platformCalls,
  sleep,
} from '../support/fault-tools.js';

/**
 * Issue 7, point 1: a client cannot make the server spend platform calls on a token the platform
 * still accepts. One process of the built server (`npm run build`), the sandbox over real HTTP.
 */
const APP_ID = 'abuse-app';
const SECRET = 'abuse-secret-DO-NOT-LOG';
/** The hostile key (label API_KEYS[0]) and an honest one (API_KEYS[1]). */
const HOSTILE_KEY = 'hostile-client-key-0123456789abcdef';
const HONEST_KEY = 'honest-client-key-0123456789abcdef';

let sandbox: QingtuiSandbox;
let server: ServerProcess;

const counters = () => sandbox.counters().apps[APP_ID];

async function report(key: string, stale: string): Promise<string> {
  const res = await fetch(`${server.url}/apps/default/token/refresh`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ stale_token: stale }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function currentToken(): Promise<string> {
  const res = await fetch(`${server.url}/apps/default/token`, {
    headers: { authorization: `Bearer ${HONEST_KEY}` },
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

beforeAll(async () => {
  sandbox = new QingtuiSandbox({ apps: [{ appId: APP_ID, appSecret: SECRET }] });
  const url = await sandbox.start();
  server = await new ServerProcess(
    await freePort(),
    {
      QINGTUI_BASE_URL: url,
      QINGTUI_APP_ID: APP_ID,
      QINGTUI_APP_SECRET: SECRET,
      API_KEYS: `${HOSTILE_KEY},${HONEST_KEY}`,
    },
    SERVER_ENTRY,
  ).start();
});

afterAll(async () => {
  await server?.stop();
  await sandbox?.stop();
});

describe('passive refresh under abuse (server process, HTTP)', () => {
  let token: string;

  it('a key looping "this token was rejected" on the current token for 10 s costs at most one platform call, and always gets a working token', async () => {
    token = await currentToken();
    const before = counters();
    // Four concurrent loops of the same key: as hostile as one client gets.
    const samples = await closedLoops(4, 10_000, () => report(HOSTILE_KEY, token));
    const delta = counterDelta(before, counters());
    const errors = samples.filter((s) => s.error !== undefined);
    const answers = new Set(samples.map((s) => s.value));
    figure(
      `hostile loop: ${samples.length} reports in 10 s, ${platformCalls(counters()) - platformCalls(before)} platform call(s) ` +
        `(${JSON.stringify(delta)}), p99 ${percentile(
          samples.map((s) => s.ms),
          99,
        ).toFixed(1)} ms`,
    );
    expect(errors.map((e) => String(e.error)).slice(0, 3)).toEqual([]);
    expect(samples.length).toBeGreaterThan(100);
    expect([...answers]).toEqual([token]);
    expect(sandbox.isTokenValid(token)).toBe(true);
    // At most the one probe that found the token accepted; no grant of any kind.
    expect(delta.tokenCalls).toBe(0);
    expect(delta.refreshCalls).toBe(0);
    expect(delta.grants).toBe(0);
    expect(delta.apiCalls).toBeLessThanOrEqual(1);
    expect(platformCalls(counters()) - platformCalls(before)).toBeLessThanOrEqual(1);
  }, 30_000);

  it('reports of tokens that are not the current one cost nothing', async () => {
    const before = counters();
    const samples = await closedLoops(4, 1_000, (i) =>
      report(HOSTILE_KEY, `forged-${i}-${Math.random()}`),
    );
    expect(samples.filter((s) => s.error).length).toBe(0);
    expect(new Set(samples.map((s) => s.value))).toEqual(new Set([token]));
    expect(platformCalls(counters())).toBe(platformCalls(before));
  });

  it('a revoked token heals with one probe and one grant; 50 concurrent reporters of another key get the new token within ~1 s, however the looping key keeps on', async () => {
    let stopHostile = false;
    const hostileAnswers: { at: number; token: string }[] = [];
    // The hostile key keeps looping on the same token, before, during and after the revocation.
    const hostile = closedLoops(
      2,
      20_000,
      async () => hostileAnswers.push({ at: Date.now(), token: await report(HOSTILE_KEY, token) }),
      () => stopHostile,
    );
    await sleep(300);
    const before = counters();
    sandbox.revokeTokens(APP_ID);
    expect(sandbox.isTokenValid(token)).toBe(false);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const fresh = await report(HONEST_KEY, token);
        return { fresh, ms: Date.now() - started };
      }),
    );
    const slowest = Math.max(...answers.map((a) => a.ms));
    const healed = answers[0].fresh;
    // The looping key is now handed the new token too: its report is no longer of the current one.
    await sleep(300);
    stopHostile = true;
    const hostileSamples = await hostile;
    const delta = counterDelta(before, counters());
    figure(
      `revoked token: 50 reporters healed in ${slowest} ms (slowest), ${JSON.stringify(delta)}; ` +
        `hostile loop meanwhile made ${hostileSamples.length} reports`,
    );
    expect(new Set(answers.map((a) => a.fresh)).size).toBe(1);
    expect(healed).not.toBe(token);
    expect(sandbox.isTokenValid(healed)).toBe(true);
    expect(slowest).toBeLessThan(3_000);
    // Exactly one probe (it found the token refused) and one grant, by refresh_token.
    expect(delta.apiCalls).toBe(1);
    expect(delta.grants).toBe(1);
    expect(delta.refreshGrants).toBe(1);
    expect(delta.tokenCalls).toBe(0);
    expect(hostileSamples.filter((s) => s.error)).toEqual([]);
    const lastHostile = hostileAnswers[hostileAnswers.length - 1];
    expect(lastHostile.token).toBe(healed);
    expect(await currentToken()).toBe(healed);
    expect(server.output.join('')).not.toContain(SECRET);
    expect(server.output.join('')).not.toContain(HOSTILE_KEY);
  }, 30_000);
});
