import {
  QingtuiApiError,
  QingtuiModule,
  TokenService,
  type QingtuiModuleOptions,
} from 'nestjs-qingtui';
import { QingtuiSandbox, type SandboxFault } from 'qingtui-sandbox';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closedLoops,
  counterDelta,
  figure,
  percentile,
  platformCalls,
  waitFor,
} from '../support/fault-tools.js';
import { LogCapture } from '../support/log-capture.js';

/**
 * Issue 7, point 3: failures cost bounded calls. The library against the sandbox over real HTTP;
 * platform calls are counted by the sandbox (faulted requests included), attempts by the library.
 */
const APP_ID = 'outage-app';
const SECRET = 'outage-secret-DO-NOT-LOG';
const WRONG_SECRET = 'wrong-outage-secret-DO-NOT-LOG';

interface Harness {
  sandbox: QingtuiSandbox;
  tokens: TokenService;
  moduleRef: TestingModule;
  logs: LogCapture;
}
const open: Harness[] = [];

async function harness(
  tokenTtlSeconds: number,
  options: Partial<QingtuiModuleOptions> = {},
  appSecret: string | (() => string) = SECRET,
): Promise<Harness> {
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: APP_ID, appSecret: SECRET }],
    tokenTtlSeconds,
  });
  const baseUrl = await sandbox.start();
  const logs = new LogCapture();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: APP_ID, appSecret }],
        baseUrl,
        prefetch: false,
        httpTimeoutMs: 1_000,
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
        ...options,
      }),
    ],
  })
    .setLogger(logs)
    .compile();
  await moduleRef.init();
  const h = { sandbox, tokens: moduleRef.get(TokenService), moduleRef, logs };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.moduleRef.close();
    await h.sandbox.stop();
  }
});

const counters = (h: Harness) => h.sandbox.counters().apps[APP_ID];
const status = (h: Harness) => h.tokens.status()[0];
/** Lines the token service logged at warn or error level. */
const alarms = (h: Harness) =>
  h.logs.lines.filter((l) => /^(warn|error) /.test(l) && l.includes('QingtuiTokenService'));

/**
 * The platform fails every renewal (`fault`) after the token expired; `clients` callers loop on
 * `getToken()` for `windowMs`. Returns what the callers saw and what it cost.
 */
async function outage(h: Harness, fault: SandboxFault, clients: number, windowMs: number) {
  const first = await h.tokens.getToken();
  h.sandbox.addFault(fault);
  // Renewals fail (retried while the token lives), then the token expires.
  await waitFor(
    'token expired',
    () => status(h).state === 'expired' && !status(h).renewing,
    15_000,
  );
  const before = counters(h);
  const attemptsBefore = status(h).consecutiveFailures;
  const alarmsBefore = alarms(h).length;
  const samples = await closedLoops(clients, windowMs, () => h.tokens.getToken(), undefined, 5);
  // Let an attempt that is under way finish, so that calls and attempts are compared whole.
  await waitFor('attempt finished', () => !status(h).renewing, 5_000);
  const delta = counterDelta(before, counters(h));
  const calls = platformCalls(counters(h)) - platformCalls(before);
  const attempts = status(h).consecutiveFailures - attemptsBefore;
  return {
    first,
    samples,
    delta,
    calls,
    attempts,
    alarmsInWindow: alarms(h).length - alarmsBefore,
  };
}

describe('platform outage after the token expired (library, real HTTP)', () => {
  it('HTTP 500 on every renewal, 50 callers for 10 s: one platform call per background attempt, fast errors with retryAfterMs, service back within seconds', async () => {
    const h = await harness(2);
    const r = await outage(h, { kind: 'http500', path: /^\/(auth|v1\/token)/ }, 50, 10_000);
    const errors = r.samples.map((s) => s.error);
    const withRetryAfter = errors.filter(
      (e) =>
        e instanceof QingtuiApiError && typeof e.retryAfterMs === 'number' && e.retryAfterMs > 0,
    );
    const latencies = r.samples.map((s) => s.ms);
    figure(
      `HTTP 500 outage, 50 callers, 10 s: ${r.samples.length} getToken calls, ${r.attempts} attempts, ` +
        `${r.calls} platform calls ${JSON.stringify(r.delta)}, p50 ${percentile(latencies, 50).toFixed(2)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(2)} ms, ${withRetryAfter.length}/${errors.length} errors with retryAfterMs, ` +
        `${r.alarmsInWindow} warning lines in the window, ${alarms(h).length} since the fault`,
    );
    expect(r.samples.length).toBeGreaterThan(1_000);
    // Nobody got a token (none is valid), everybody got an error at once.
    expect(r.samples.filter((s) => s.value !== undefined)).toEqual([]);
    expect(errors.every((e) => e instanceof QingtuiApiError && e.kind === 'transient')).toBe(true);
    expect(withRetryAfter.length).toBe(errors.length);
    expect(percentile(latencies, 99)).toBeLessThan(250);
    // One platform call per attempt, attempts 1–5 s apart: never one per request.
    expect(r.attempts).toBeGreaterThanOrEqual(1);
    expect(r.calls).toBe(r.attempts);
    expect(r.calls).toBeLessThanOrEqual(12);
    expect(r.delta.grants).toBe(0);
    // Logged once per change of state, not per attempt or per caller.
    expect(r.alarmsInWindow).toBeLessThanOrEqual(1);
    expect(alarms(h).length).toBeLessThanOrEqual(4);
    expect(status(h).heldBack?.reason).toBe('failure');

    // The platform comes back: the next background attempt heals it.
    h.sandbox.clearFaults();
    const before = counters(h);
    const healedIn = await waitFor(
      'served again',
      async () => (await h.tokens.getToken().catch(() => undefined)) !== undefined,
      8_000,
      50,
    );
    const token = await h.tokens.getToken();
    figure(`HTTP 500 outage: served again ${healedIn} ms after the platform returned`);
    expect(h.sandbox.isTokenValid(token)).toBe(true);
    expect(token).not.toBe(r.first);
    expect(healedIn).toBeLessThan(6_000);
    expect(counterDelta(before, counters(h)).grants).toBe(1);
    expect(h.logs.text()).toMatch(/renewed again after \d+ failed attempt/);
    expect(h.logs.text()).not.toContain(SECRET);
  }, 45_000);

  it('a platform that does not answer (hang), 20 callers for 5 s: callers wait at most one HTTP timeout, one call per attempt', async () => {
    const h = await harness(2);
    const r = await outage(h, { kind: 'hang', path: /^\/(auth|v1\/token)/ }, 20, 5_000);
    const latencies = r.samples.map((s) => s.ms);
    figure(
      `hung platform, 20 callers, 5 s: ${r.samples.length} calls, ${r.attempts} attempts, ${r.calls} platform calls, ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
    expect(r.samples.filter((s) => s.value !== undefined)).toEqual([]);
    expect(r.samples.every((s) => s.error instanceof QingtuiApiError)).toBe(true);
    // httpTimeoutMs is 1 s: a caller that joins a hung attempt waits for its timeout, no longer.
    expect(Math.max(...latencies)).toBeLessThan(1_500);
    expect(r.attempts).toBeGreaterThanOrEqual(1);
    expect(r.calls).toBe(r.attempts);
    expect(r.calls).toBeLessThanOrEqual(6);
    expect(r.alarmsInWindow).toBeLessThanOrEqual(1);
  }, 45_000);
});

describe('credentials refused (40401)', () => {
  it('costs exactly one platform call over 10 s of requests, is logged once, and heals after credentialsChanged()', async () => {
    let secret = WRONG_SECRET;
    const h = await harness(7200, {}, () => secret);
    const samples = await closedLoops(10, 10_000, () => h.tokens.getToken(), undefined, 10);
    const errors = samples.map((s) => s.error);
    const credentialErrors = errors.filter(
      (e) => e instanceof QingtuiApiError && e.kind === 'credential' && e.errcode === 40401,
    );
    const withRetryAfter = credentialErrors.filter((e) => (e as QingtuiApiError).retryAfterMs! > 0);
    const refusedLines = h.logs.lines.filter((l) => l.includes('refused the credentials'));
    figure(
      `40401: ${samples.length} getToken calls in 10 s, ${counters(h).tokenCalls} /v1/token call(s), ` +
        `${refusedLines.length} log line(s), p99 ${percentile(
          samples.map((s) => s.ms),
          99,
        ).toFixed(2)} ms`,
    );
    expect(samples.length).toBeGreaterThan(1_000);
    expect(credentialErrors.length).toBe(samples.length);
    expect(withRetryAfter.length).toBe(samples.length);
    expect(counters(h).tokenCalls).toBe(1);
    expect(counters(h).tokenRejected).toEqual({ 40401: 1 });
    expect(refusedLines).toHaveLength(1);
    expect(status(h).heldBack?.reason).toBe('credentials');
    // Backing off from 30 s: the next attempt is well after this window.
    expect(Date.parse(status(h).heldBack!.until) - Date.now()).toBeGreaterThan(15_000);

    // The operator fixes the secret (read through the function) and says so.
    secret = SECRET;
    h.tokens.credentialsChanged('main');
    const healedIn = await waitFor(
      'served after credentialsChanged',
      async () => (await h.tokens.getToken().catch(() => undefined)) !== undefined,
      5_000,
    );
    figure(`40401: served ${healedIn} ms after credentialsChanged()`);
    expect(h.sandbox.isTokenValid(await h.tokens.getToken())).toBe(true);
    expect(counters(h).tokenCalls).toBe(2);
    expect(counters(h).tokenGrants).toBe(1);
    expect(status(h).heldBack).toBeUndefined();
    expect(h.logs.text()).not.toContain(WRONG_SECRET);
    expect(h.logs.text()).not.toContain(SECRET);
  }, 30_000);
});
