import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, startHarness, type ServerHarness } from '../support/central-server.harness.js';

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
const SEND = '/v1/message/text/send/single';
const hello = { type: 'text', to_user: 'openid-alice', message: { content: 'hi' } };
const DEMO = SANDBOX_DEMO_APP.appId;

let h: ServerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('platform refusals that waiting cures answer 503 with Retry-After', () => {
  it('a rate limit (45009): 503, Retry-After 2, the errcode kept', async () => {
    h = await startHarness();
    h.sandbox.addFault({
      kind: 'errcode',
      errcode: 45009,
      errmsg: 'api freq out of limit',
      path: SEND,
    });
    const res = await request(h.app.getHttpServer())
      .post('/apps/default/messages')
      .set(auth)
      .send(hello);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('2');
    expect(res.body).toMatchObject({
      statusCode: 503,
      error: 'Service Unavailable',
      errcode: 45009,
      errmsg: 'api freq out of limit',
    });
  });

  it('an exhausted quota (70003): 503, Retry-After until the next platform day', async () => {
    h = await startHarness();
    h.sandbox.addFault({
      kind: 'errcode',
      errcode: 70003,
      errmsg: 'insufficient balance',
      path: SEND,
    });
    const res = await request(h.app.getHttpServer())
      .post('/apps/default/messages')
      .set(auth)
      .send(hello);
    expect(res.status).toBe(503);
    const seconds = Number(res.headers['retry-after']);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(86_400);
    expect(res.body).toMatchObject({ errcode: 70003 });
  });

  it('a refused request stays a 502 without Retry-After', async () => {
    h = await startHarness();
    h.sandbox.addFault({ kind: 'errcode', errcode: 43004, errmsg: 'not a follower', path: SEND });
    const res = await request(h.app.getHttpServer())
      .post('/apps/default/messages')
      .set(auth)
      .send(hello);
    expect(res.status).toBe(502);
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

describe('platform errors through the server: circuit, quota and Redis', () => {
  it('a platform outage costs bounded token calls; clients get 503 + Retry-After', async () => {
    h = await startHarness({
      beforeServer: (sandbox) => sandbox.addFault({ kind: 'http500', path: '/v1/token' }),
    });
    h.sandbox.resetCounters();
    const server = h.app.getHttpServer();
    // One client asking every 50 ms for 3 s while the platform is down and no token exists.
    const stopAt = Date.now() + 3_000;
    let answers = 0;
    while (Date.now() < stopAt) {
      const started = Date.now();
      const answer = await request(server).get('/apps/default/token').set(auth);
      expect(answer.status).toBe(503);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
      // A fast error, not a renewal attempt per request.
      expect(Date.now() - started).toBeLessThan(1_000);
      answers++;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(answers).toBeGreaterThan(10);
    // Never one renewal per request: at most one renewal (with its retries) for the 50.
    expect(h.sandbox.counters().apps[DEMO].tokenCalls).toBeLessThanOrEqual(3);
  });

  it('QINGTUI_DAILY_QUOTA is visible in detailed health', async () => {
    h = await startHarness({ env: { QINGTUI_DAILY_QUOTA: 'free-unverified' } });
    const res = await request(h.app.getHttpServer()).get('/health/details').set(auth);
    expect(res.body.details.tokens.apps.default.platformCallsToday).toMatchObject({
      limit: 300,
      state: 'ok',
    });
  });

  it('an unreachable Redis stops the start-up unless REDIS_OPTIONAL=true', async () => {
    const password = 'redis-pw-DO-NOT-LOG-33';
    const redis = { REDIS_URL: `redis://:${password}@127.0.0.1:1` };
    const refused = await startHarness({ env: redis }).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(Error);
    expect(String((refused as Error).message)).not.toContain(password);
    h = await startHarness({ env: { ...redis, REDIS_OPTIONAL: 'true' } });
    await request(h.app.getHttpServer()).get('/apps/default/token').set(auth).expect(200);
    expect(h.printed()).not.toContain(password);
  });
});
