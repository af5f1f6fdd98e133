import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('bad input gets a 4xx, never a 500', () => {
  let h: ServerHarness;
  const post = (path: string) => request(h.app.getHttpServer()).post(path).set(auth);

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 400 for malformed JSON, without quoting the body back', async () => {
    const res = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send('{"stale_token": secret-looking-value');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The request body is not valid JSON',
    });
    expect(JSON.stringify(res.body)).not.toContain('secret-looking-value');
  });

  it('answers 413 for a body over 1 MB', async () => {
    const res = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ stale_token: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
  });

  it('parses a body just under 1 MB (and then validates it)', async () => {
    const res = await post('/apps/default/token/refresh').send({
      stale_token: 'x'.repeat(1_000_000),
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('stale_token');
  });

  it('answers 400 for a JSON array, a JSON primitive, or no body at all', async () => {
    const array = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send('[1,2]');
    const primitive = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send('"text"');
    const none = await post('/apps/default/token/refresh');
    expect([array.status, primitive.status, none.status]).toEqual([400, 400, 400]);
  });

  it('ignores a body that is not JSON (the field is then missing)', async () => {
    const res = await post('/apps/default/token/refresh')
      .set('Content-Type', 'text/plain')
      .send('stale_token=abc');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'stale_token', message: 'stale_token is required' });
  });

  it('answers 415 for a JSON body in an unsupported charset', async () => {
    const res = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{"stale_token":"x"}');
    expect(res.status).toBe(415);
  });

  it('answers 400 for a path with broken percent-encoding', async () => {
    const res = await request(h.app.getHttpServer()).get('/apps/%E0%A4%A/token').set(auth);
    expect(res.status).toBe(400);
  });

  it('answers 404 for odd app names', async () => {
    for (const app of ['x'.repeat(500), '..', '%00', 'default%2Fx', '__proto__', 'constructor']) {
      const res = await request(h.app.getHttpServer()).get(`/apps/${app}/token`).set(auth);
      expect(res.status, app).toBe(404);
    }
  });

  it('strips unknown properties and ignores prototype keys', async () => {
    const res = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send(
        '{"__proto__": {"admin": true}, "constructor": {"prototype": {}}, "stale_token": "not-the-current-token"}',
      );
    expect(res.status).toBe(200);
  });

  it('answers 400 naming the field for a message that is not an object, and never 500', async () => {
    const bodies: unknown[] = [
      {},
      { type: 'text' },
      { type: 'text', to_user: 'openid-alice', message: 'hello' },
      { type: 'nope', message: {} },
      { type: 'text', to_user: 42, message: { content: 'x' } },
      {
        type: 'text',
        to_user: 'openid-alice',
        to_users: ['openid-bob'],
        message: { content: 'x' },
      },
      { type: 'text', to_users: 'openid-bob', message: { content: 'x' } },
      { type: 'text', to_user: 'openid-alice', message: { content: '' } },
      { type: 'text', to_user: '', message: { content: 'x' } },
      { type: 'text', to_user: 'openid-alice', message: { content: 'x' }, extra: 1 },
    ];
    for (const body of bodies) {
      const res = await post('/apps/default/messages').send(body as object);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(typeof res.body.field, JSON.stringify(res.body)).toBe('string');
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
  });

  it('is still healthy afterwards, and printed no secret and no stack trace', async () => {
    const res = await request(h.app.getHttpServer()).get('/health');
    expect(res.status).toBe(200);
    const printed = h.printed();
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
    expect(printed).not.toMatch(/Internal server error|\n\s+at /);
  });
});
