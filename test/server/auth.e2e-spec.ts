import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_KEY,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';

describe('client-key authentication', () => {
  let h: ServerHarness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 401 with a Bearer challenge when no key is sent', async () => {
    const res = await request(h.app.getHttpServer()).get('/apps/default/token');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
  });

  it('answers 401 for a wrong key', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/apps/default/token')
      .set('Authorization', `Bearer ${ADMIN_KEY}x`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers 401 for a key sent with another scheme', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/apps/default/token')
      .set('Authorization', `Basic ${ADMIN_KEY}`);
    expect(res.status).toBe(401);
  });

  it('answers 401 for a wrong key even on an unknown app (no app-name probing)', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/apps/nope/token')
      .set('Authorization', 'Bearer wrong-key-0123456789abcdef');
    expect(res.status).toBe(401);
  });

  it('serves the token for the right key', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/apps/default/token')
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(res.status).toBe(200);
  });

  it('accepts the scheme in any case', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/apps/crm/token')
      .set('Authorization', `bearer ${CRM_KEY}`);
    expect(res.status).toBe(200);
  });

  it('answers 403 for a key scoped to another app', async () => {
    const res = await request(h.app.getHttpServer())
      .get('/apps/default/token')
      .set('Authorization', `Bearer ${CRM_KEY}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
  });

  it('answers 403 for a scoped key on the refresh and messages routes of another app', async () => {
    const server = h.app.getHttpServer();
    const refresh = await request(server)
      .post('/apps/default/token/refresh')
      .set('Authorization', `Bearer ${CRM_KEY}`)
      .send({ stale_token: 'x' });
    const send = await request(server)
      .post('/apps/default/messages')
      .set('Authorization', `Bearer ${CRM_KEY}`)
      .send({ type: 'text', to_user: 'openid-alice', message: { content: 'hi' } });
    expect([refresh.status, send.status]).toEqual([403, 403]);
  });

  it('lets /health and the docs through without a key', async () => {
    const server = h.app.getHttpServer();
    expect((await request(server).get('/health')).status).toBe(200);
    expect((await request(server).get('/docs-json')).status).toBe(200);
  });

  it('never prints a client key or an AppSecret', () => {
    const printed = h.printed();
    expect(printed).toContain('renewed');
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
  });
});

describe('refused client keys are counted and logged without flooding the log', () => {
  const refusals = (h: ServerHarness) => h.logs.lines.filter((l) => l.includes('ClientAuth'));

  it('logs the first refusal, then one summary per interval', async () => {
    const h = await startHarness({ app: { authFailureLogIntervalMs: 2_000 } });
    try {
      const server = h.app.getHttpServer();
      const wrongKey = 'attacker-guess-0123456789abcdef';
      for (let i = 0; i < 200; i++) {
        await request(server).get('/apps/default/token').set('Authorization', `Bearer ${wrongKey}`);
      }
      for (let i = 0; i < 50; i++) await request(server).get('/apps/crm/token');
      await request(server).get('/apps/default/token').set('Authorization', `Bearer ${CRM_KEY}`);
      expect(refusals(h)).toHaveLength(1);
      expect(refusals(h)[0]).toMatch(
        /^warn Refused a request \(invalid key\) from \S+ to GET \/apps\/default\/token; further refusals are summed up every 2 s/,
      );
      const deadline = Date.now() + 3_000;
      while (refusals(h).length < 2 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(refusals(h)).toHaveLength(2);
      expect(refusals(h)[1]).toMatch(
        /^warn Refused 250 more request\(s\) in the last 2 s \(199 invalid key, 50 missing key, 1 app not in key scope\) from 1 address\(es\); 251 since start-up/,
      );
      // A quiet interval closes the window: the next refusal is logged at once again.
      await new Promise((r) => setTimeout(r, 2_300));
      expect(refusals(h)).toHaveLength(2);
      await request(server).get('/apps/default/token');
      expect(refusals(h)).toHaveLength(3);

      const details = await request(server)
        .get('/health/details')
        .set('Authorization', `Bearer ${ADMIN_KEY}`);
      expect(details.body.details.clients.refused).toMatchObject({
        total: 252,
        byReason: { 'invalid key': 200, 'missing key': 51, 'app not in key scope': 1 },
        lastAt: expect.any(String),
      });
      expect(h.printed()).not.toContain(wrongKey);
    } finally {
      await h.close();
    }
  });

  it('writes one line for thousands of refusals within an interval', async () => {
    const h = await startHarness();
    try {
      const server = h.app.getHttpServer();
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 250; i++) {
            await request(server)
              .get('/apps/crm/token')
              .set('Authorization', 'Bearer nope-nope-nope-nope');
          }
        }),
      );
      expect(refusals(h)).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('answers are never sniffed or cached', () => {
  it('sends nosniff and no-store on answers of every kind', async () => {
    const h = await startHarness();
    try {
      const server = h.app.getHttpServer();
      const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
      const answers = [
        await request(server).get('/apps/default/token').set(auth),
        await request(server)
          .post('/apps/default/token/refresh')
          .set(auth)
          .send({ stale_token: 'x' }),
        await request(server).get('/apps/default/token'),
        await request(server).get('/apps/nope/token').set(auth),
        await request(server).get('/no/such/route'),
        await request(server).post('/apps/default/token/refresh').set(auth).send({}),
        await request(server)
          .post('/apps/default/token/refresh')
          .set(auth)
          .send({ stale_token: 'x'.repeat(10_000) }),
        await request(server).get('/health'),
        await request(server).get('/health/details').set(auth),
      ];
      expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 404, 404, 400, 413, 200, 200]);
      answers.forEach((answer, i) => {
        expect(answer.headers['x-content-type-options'], `answer ${i}`).toBe('nosniff');
        expect(answer.headers['cache-control'], `answer ${i}`).toBe('no-store');
      });
    } finally {
      await h.close();
    }
  });
});
