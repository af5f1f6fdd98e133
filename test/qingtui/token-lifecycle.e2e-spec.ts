import { QingtuiModule, TokenService, type QingtuiModuleOptions } from 'nestjs-qingtui';
import { QingtuiSandbox, type SandboxOptions } from 'qingtui-sandbox';
import { Test, type TestingModule } from '@nestjs/testing';
import { ScheduleModule } from '@nestjs/schedule';
import { createCache, type Cache } from 'cache-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LogCapture } from '../support/log-capture.js';

const APP_ID = 'it-app';
const SECRET = 'it-app-secret-DO-NOT-LOG';
const logs = new LogCapture().install();
/** Every refresh_token the library stored: none may ever show up in a log line. */
const seenRefreshTokens = new Set<string>();

interface Harness {
  sandbox: QingtuiSandbox;
  tokens: TokenService;
  moduleRef: TestingModule;
  store: Cache;
  tokenCallTimes: number[];
}
const open: Harness[] = [];

async function harness(
  sandboxOptions: SandboxOptions = {},
  options: Partial<QingtuiModuleOptions> = {},
  appSecret = SECRET,
): Promise<Harness> {
  const tokenCallTimes: number[] = [];
  const sandbox = new QingtuiSandbox({
    apps: [{ appId: APP_ID, appSecret: SECRET, edition: 'enterprise' }],
    log: (line) => {
      if (line.startsWith('GET /v1/token')) tokenCallTimes.push(Date.now());
    },
    ...sandboxOptions,
  });
  const baseUrl = await sandbox.start();
  const store = createCache();
  const moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: APP_ID, appSecret }],
        baseUrl,
        store,
        prefetch: false,
        httpTimeoutMs: 2_000,
        retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 1_000 },
        ...options,
      }),
    ],
  })
    .setLogger(logs)
    .compile();
  await moduleRef.init();
  const h = { sandbox, tokens: moduleRef.get(TokenService), moduleRef, store, tokenCallTimes };
  open.push(h);
  return h;
}

async function rememberRefreshToken(h: Harness): Promise<void> {
  const raw = await h.store.get<string>(`qingtui:{qingtui:${APP_ID}}:token`);
  const refreshToken = raw
    ? (JSON.parse(raw) as { refreshToken?: string }).refreshToken
    : undefined;
  if (refreshToken) seenRefreshTokens.add(refreshToken);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const counters = (h: Harness) => h.sandbox.counters().apps[APP_ID];

afterEach(async () => {
  for (const h of open.splice(0)) {
    await rememberRefreshToken(h);
    await h.moduleRef.close();
    await h.sandbox.stop();
  }
});

describe('token lifecycle against the sandbox (real HTTP)', () => {
  beforeAll(() => {
    logs.lines.length = 0;
  });

  it('makes exactly one upstream call for 1000 concurrent getToken on a cold cache', async () => {
    const h = await harness();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => h.tokens.getToken('main')));
    expect(new Set(tokens).size).toBe(1);
    expect(h.sandbox.isTokenValid(tokens[0])).toBe(true);
    expect(tokens[0].length).toBeGreaterThanOrEqual(512);
    expect(counters(h).tokenCalls).toBe(1);
    expect(counters(h).grants).toBe(1);
  });

  it('rotates a 3 s token 5 times with the refresh_token, callers never waiting after the first fetch', async () => {
    const h = await harness({ tokenTtlSeconds: 3 });
    const first = await h.tokens.getToken();
    const seen = new Set([first]);
    let invalidWhenReturned = 0;
    let calls = 0;
    while (counters(h).refreshGrants < 5) {
      const token = await h.tokens.getToken();
      calls += 1;
      if (!h.sandbox.isTokenValid(token)) invalidWhenReturned += 1;
      seen.add(token);
      await sleep(20);
    }
    // Let the last token be picked up.
    await sleep(50);
    seen.add(await h.tokens.getToken());
    expect(invalidWhenReturned).toBe(0);
    expect(calls).toBeGreaterThan(100);
    expect(seen.size).toBe(6);
    expect(counters(h).tokenGrants).toBe(1);
    expect(counters(h).refreshGrants).toBe(5);
    expect(counters(h).tokenRejected).toEqual({});
    // Only the cold-start call waited for the platform.
    expect(h.tokens.status()[0].callersWaited).toBe(1);
  }, 30_000);

  it('falls back to /v1/token once when the refresh_token is rejected, then uses refresh_tokens again', async () => {
    const h = await harness({ tokenTtlSeconds: 3 });
    await h.tokens.getToken();
    await rememberRefreshToken(h);
    h.sandbox.killRefreshTokens(APP_ID);
    // Next rotation: refresh refused (40402) → one /v1/token; the one after uses the new refresh_token.
    while (counters(h).refreshGrants < 1) {
      expect(h.sandbox.isTokenValid(await h.tokens.getToken())).toBe(true);
      await sleep(25);
    }
    const c = counters(h);
    // A dead refresh_token cannot be tied to an app: the sandbox counts it in the totals.
    expect(h.sandbox.counters().total.refreshRejected).toEqual({ 40402: 1 });
    expect(c.tokenCalls).toBe(2);
    expect(c.tokenGrants).toBe(2);
    expect(logs.text()).toMatch(/refresh_token of "main" refused \(errcode 40402\)/);
  }, 30_000);

  it('renews once for 500 passive reports of a revoked token (one probe, one grant), and not at all for an old one', async () => {
    const h = await harness();
    const stale = await h.tokens.getToken();
    h.sandbox.revokeTokens(APP_ID);
    const answers = await Promise.all(
      Array.from({ length: 500 }, () => h.tokens.refreshIfCurrent('main', stale)),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).not.toBe(stale);
    expect(counters(h).grants).toBe(2);
    expect(counters(h).refreshGrants).toBe(1);
    expect(counters(h).apiCalls).toBe(1); // the probe that confirmed the rejection
    expect(h.sandbox.isTokenValid(answers[0])).toBe(true);
    await expect(h.tokens.refreshIfCurrent('main', stale)).resolves.toBe(answers[0]);
    expect(counters(h).grants).toBe(2);
    expect(counters(h).apiCalls).toBe(1);
  });

  it('spends one probe and no grant on reports of a token the platform still accepts', async () => {
    const h = await harness();
    const token = await h.tokens.getToken();
    const deadline = Date.now() + 2_000;
    let reports = 0;
    while (Date.now() < deadline) {
      expect(await h.tokens.refreshIfCurrent('main', token)).toBe(token);
      reports += 1;
    }
    expect(reports).toBeGreaterThan(100);
    expect(counters(h).grants).toBe(1);
    expect(counters(h).apiCalls).toBe(1);
    expect(h.sandbox.isTokenValid(token)).toBe(true);
  });

  it('backs off on 45009 and never calls /v1/token twice within 2 s', async () => {
    const h = await harness();
    h.sandbox.addFault({
      kind: 'errcode',
      path: '/v1/token',
      errcode: 45009,
      errmsg: 'api freq out of limit',
      times: 2,
    });
    // Without a token, callers are answered at once while the attempts go on in the background.
    await expect(h.tokens.getToken()).rejects.toMatchObject({ kind: 'rate-limit', errcode: 45009 });
    let token: string | undefined;
    const deadline = Date.now() + 15_000;
    while (token === undefined && Date.now() < deadline) {
      token = await h.tokens.getToken().catch(() => undefined);
      await sleep(50);
    }
    expect(h.sandbox.isTokenValid(token!)).toBe(true);
    expect(counters(h).tokenCalls).toBe(3);
    const gaps = h.tokenCallTimes.slice(1).map((t, i) => t - h.tokenCallTimes[i]);
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1_950);
  }, 30_000);

  it.each(['http500', 'garbage'] as const)(
    'keeps serving while renewals fail with %s, and renews once the platform recovers',
    async (kind) => {
      const h = await harness({ tokenTtlSeconds: 3 });
      const first = await h.tokens.getToken();
      // Every renewal call fails for the next 4 attempts (refresh and /v1/token alike).
      h.sandbox.addFault({ kind, path: /^\/(auth|v1\/token)/, times: 4 });
      let failures = 0;
      let invalid = 0;
      const deadline = Date.now() + 6_000;
      while (Date.now() < deadline && counters(h).grants < 2) {
        try {
          if (!h.sandbox.isTokenValid(await h.tokens.getToken())) invalid += 1;
        } catch {
          failures += 1;
        }
        await sleep(20);
      }
      expect(failures).toBe(0);
      expect(invalid).toBe(0);
      expect(counters(h).grants).toBe(2);
      expect(await h.tokens.getToken()).not.toBe(first);
    },
    30_000,
  );

  it('reports bad credentials as a credential error without a retry loop', async () => {
    const h = await harness({}, {}, 'wrong-secret-DO-NOT-LOG');
    const error = await h.tokens.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'QingtuiApiError',
      kind: 'credential',
      errcode: 40401,
      endpoint: '/v1/token',
    });
    expect(String((error as Error).message)).not.toContain('wrong-secret');
    await sleep(500);
    expect(counters(h).tokenCalls).toBe(1);
    expect(logs.text()).not.toContain('wrong-secret-DO-NOT-LOG');
  });

  afterAll(() => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(SECRET);
    expect(seenRefreshTokens.size).toBeGreaterThan(0);
    for (const refreshToken of seenRefreshTokens) expect(text).not.toContain(refreshToken);
  });
});
