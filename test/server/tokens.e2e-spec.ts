import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_KEY,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
const DEMO = SANDBOX_DEMO_APP.appId;

describe('token endpoints', () => {
  let h: ServerHarness;
  const platformCalls = () => {
    const c = h.sandbox.counters().apps[DEMO];
    return c.tokenCalls + c.refreshCalls + c.apiCalls;
  };

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.sandbox.resetCounters();
  });

  it('GET /apps/:app/token answers the current token, its expiry, and how long to cache it', async () => {
    const before = Date.now();
    const res = await request(h.app.getHttpServer()).get('/apps/default/token').set(auth);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_at', 'expires_in']);
    expect(res.body.access_token).toBe(h.sandbox.currentToken(DEMO));
    expect(Number.isInteger(res.body.expires_in)).toBe(true);
    // expires_in: until the planned renewal at 80% of the 7200 s life (after it the platform may
    // kill this token), not to its expiry.
    expect(res.body.expires_in).toBeGreaterThan(5700);
    expect(res.body.expires_in).toBeLessThanOrEqual(5760);
    expect(res.body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const left = (Date.parse(res.body.expires_at) - before) / 1000;
    expect(Math.abs(left - 7200)).toBeLessThan(2);
  });

  it('serves the token from memory: no platform call per request', async () => {
    for (let i = 0; i < 5; i++)
      await request(h.app.getHttpServer()).get('/apps/default/token').set(auth).expect(200);
    expect(platformCalls()).toBe(0);
  });

  it('serves each app its own token', async () => {
    const a = await request(h.app.getHttpServer()).get('/apps/default/token').set(auth);
    const b = await request(h.app.getHttpServer()).get('/apps/crm/token').set(auth);
    expect(b.status).toBe(200);
    expect(b.body.access_token).not.toBe(a.body.access_token);
  });

  it('answers 404 for an unknown app', async () => {
    const res = await request(h.app.getHttpServer()).get('/apps/unknown/token').set(auth);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const refresh = await request(h.app.getHttpServer())
      .post('/apps/unknown/token/refresh')
      .set(auth)
      .send({ stale_token: 'x' });
    expect(refresh.status).toBe(404);
  });

  it('refresh with the current token, revoked by the platform, renews it with one probe and one grant', async () => {
    const current = (await request(h.app.getHttpServer()).get('/apps/default/token').set(auth)).body
      .access_token;
    h.sandbox.revokeTokens(DEMO);
    h.sandbox.resetCounters();

    const res = await request(h.app.getHttpServer())
      .post('/apps/default/token/refresh')
      .set(auth)
      .send({ stale_token: current });

    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'expires_at', 'expires_in']);
    expect(res.body.access_token).not.toBe(current);
    expect(res.body.access_token).toBe(h.sandbox.currentToken(DEMO));
    expect(h.sandbox.counters().apps[DEMO].grants).toBe(1);
    expect(h.sandbox.counters().apps[DEMO].apiCalls).toBe(1);
    const after = await request(h.app.getHttpServer()).get('/apps/default/token').set(auth);
    expect(after.body.access_token).toBe(res.body.access_token);
  });

  it('refresh with an old token answers the current one without any platform call', async () => {
    const old = (await request(h.app.getHttpServer()).get('/apps/default/token').set(auth)).body
      .access_token;
    h.sandbox.revokeTokens(DEMO);
    const renewed = await request(h.app.getHttpServer())
      .post('/apps/default/token/refresh')
      .set(auth)
      .send({ stale_token: old });
    h.sandbox.resetCounters();

    const res = await request(h.app.getHttpServer())
      .post('/apps/default/token/refresh')
      .set(auth)
      .send({ stale_token: old });

    expect(res.status).toBe(200);
    expect(renewed.body.access_token).not.toBe(old);
    expect(res.body.access_token).toBe(renewed.body.access_token);
    expect(platformCalls()).toBe(0);
  });

  it('refresh with the current token that the platform still accepts costs one probe, no grant, even in a loop', async () => {
    const current = (await request(h.app.getHttpServer()).get('/apps/crm/token').set(auth)).body
      .access_token;
    h.sandbox.resetCounters();
    for (let i = 0; i < 200; i++) {
      const res = await request(h.app.getHttpServer())
        .post('/apps/crm/token/refresh')
        .set(auth)
        .send({ stale_token: current });
      expect(res.status).toBe(200);
      expect(res.body.access_token).toBe(current);
    }
    const crm = h.sandbox.counters().apps['crm-app-id'];
    expect(crm.grants).toBe(0);
    expect(crm.apiCalls).toBe(1);
    expect(h.sandbox.isTokenValid(current)).toBe(true);
  });

  it('a looping key does not delay the healing of a revoked token reported by another key', async () => {
    const other = { Authorization: `Bearer ${CRM_KEY}` };
    const current = (await request(h.app.getHttpServer()).get('/apps/crm/token').set(auth)).body
      .access_token;
    for (let i = 0; i < 20; i++) {
      await request(h.app.getHttpServer())
        .post('/apps/crm/token/refresh')
        .set(auth)
        .send({ stale_token: current })
        .expect(200);
    }
    h.sandbox.revokeTokens('crm-app-id');
    h.sandbox.resetCounters();
    await new Promise((r) => setTimeout(r, 1_000));
    const res = await request(h.app.getHttpServer())
      .post('/apps/crm/token/refresh')
      .set(other)
      .send({ stale_token: current });
    expect(res.status).toBe(200);
    expect(res.body.access_token).not.toBe(current);
    expect(h.sandbox.isTokenValid(res.body.access_token)).toBe(true);
    const crm = h.sandbox.counters().apps['crm-app-id'];
    expect(crm.grants).toBe(1);
    expect(crm.apiCalls).toBe(1);
  });

  it('concurrent reports of one revoked token cost one grant', async () => {
    const current = (await request(h.app.getHttpServer()).get('/apps/default/token').set(auth)).body
      .access_token;
    h.sandbox.revokeTokens(DEMO);
    h.sandbox.resetCounters();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        request(h.app.getHttpServer())
          .post('/apps/default/token/refresh')
          .set(auth)
          .send({ stale_token: current }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(h.sandbox.counters().apps[DEMO].grants).toBe(1);
  });

  it('answers 400 naming stale_token when it is missing, empty or not a string', async () => {
    for (const body of [{}, { stale_token: '' }, { stale_token: 42 }, { stale_token: null }]) {
      const res = await request(h.app.getHttpServer())
        .post('/apps/default/token/refresh')
        .set(auth)
        .send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
        field: 'stale_token',
      });
      expect(res.body.message).toMatch(/stale_token/);
    }
  });

  it('never prints a whole token, a client key or an AppSecret', () => {
    const printed = h.printed();
    for (const secret of [...SECRETS, h.sandbox.currentToken(DEMO)!])
      expect(printed).not.toContain(secret);
  });
});
