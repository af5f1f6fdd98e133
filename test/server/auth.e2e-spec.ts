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
