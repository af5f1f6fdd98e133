import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_KEY,
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

  it('answers 413 for a refresh body over 8 KB, naming the limit', async () => {
    const res = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ stale_token: 'x'.repeat(9_000) }));
    expect(res.status).toBe(413);
    expect(res.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'The request body is larger than 8 KB, the limit of this route',
    });
  });

  it('parses a refresh body just under 8 KB (and then validates it)', async () => {
    const res = await post('/apps/default/token/refresh').send({ stale_token: 'x'.repeat(8_000) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      field: 'stale_token',
      message: 'stale_token must be at most 4096 characters',
    });
  });

  it('answers 413 for a message body over 1 MB, and parses one just under', async () => {
    const big = {
      type: 'text',
      to_user: 'openid-alice',
      message: { content: 'x'.repeat(1_100_000) },
    };
    const over = await post('/apps/default/messages').send(big);
    expect(over.status).toBe(413);
    expect(over.body.message).toBe('The request body is larger than 1 MB, the limit of this route');
    big.message.content = 'x'.repeat(1_000_000);
    const under = await post('/apps/default/messages').send(big);
    expect(under.status).toBe(200);
  });

  it('checks the client key before reading the body', async () => {
    const server = h.app.getHttpServer();
    const malformed = await request(server)
      .post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send('{"stale_token": oops');
    expect(malformed.status).toBe(401);
    const huge = await request(server)
      .post('/apps/default/messages')
      .set('Authorization', 'Bearer not-a-valid-client-key-0000')
      .set('Content-Type', 'application/json')
      .send(`{"type":"text","message":{"content":"${'x'.repeat(2_000_000)}"}}`);
    expect(huge.status).toBe(401);
    const otherApp = await request(server)
      .post('/apps/default/token/refresh')
      .set('Authorization', `Bearer ${CRM_KEY}`)
      .set('Content-Type', 'application/json')
      .send('{"stale_token": oops');
    expect(otherApp.status).toBe(403);
  });

  it('answers 400 for JSON nested more than 400 levels, on every route', async () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    for (const path of ['/apps/default/token/refresh', '/apps/default/messages']) {
      for (const levels of [401, 3_000, 100_000]) {
        const body = `{"stale_token":"x","type":"text","n":${deep(levels - 1)}}`;
        const res = await post(path).set('Content-Type', 'application/json').send(body);
        expect(res.status, `${path} ${levels}`).toBe(
          path.endsWith('refresh') && body.length > 8192 ? 413 : 400,
        );
        if (res.status === 400) {
          expect(res.body.message).toBe(
            'The request body nests objects or arrays more than 400 levels deep',
          );
        }
      }
    }
    // Objects count as much as arrays; brackets inside strings do not count.
    const objects = `${'{"a":'.repeat(1_000)}1${'}'.repeat(1_000)}`;
    expect(
      (await post('/apps/default/messages').set('Content-Type', 'application/json').send(objects))
        .status,
    ).toBe(400);
    const inString = JSON.stringify({ stale_token: 'not-the-current-token', s: '['.repeat(3_000) });
    const ok = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send(inString);
    expect(ok.status).toBe(200);
  });

  it('accepts 400 levels of nesting without a 500 (the extra field is stripped)', async () => {
    const nested = `${'['.repeat(399)}${']'.repeat(399)}`;
    const refresh = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send(`{"stale_token":"not-the-current-token","n":${nested}}`);
    expect(refresh.status).toBe(200);
    const send = await post('/apps/default/messages')
      .set('Content-Type', 'application/json')
      .send(`{"type":"text","to_user":"openid-alice","message":{"content":"x"},"n":${nested}}`);
    expect(send.status).toBe(400);
    expect(send.body.field).toBe('n');
  });

  it('parses up to 10,000 values and refuses more, before parsing', async () => {
    const list = (n: number) => `[${Array.from({ length: n }, () => '0').join(',')}]`;
    // 9,999 commas in the list + 1 before "n": 10,000 separators, parsed (then "n" is refused).
    const atLimit = await post('/apps/default/messages')
      .set('Content-Type', 'application/json')
      .send(`{"type":"text","n":${list(10_000)}}`);
    expect(atLimit.status).toBe(400);
    expect(atLimit.body.field).toBe('n');
    const over = await post('/apps/default/messages')
      .set('Content-Type', 'application/json')
      .send(`{"type":"text","n":${list(10_001)}}`);
    expect(over.status).toBe(400);
    expect(over.body.message).toBe('The request body holds more than 10,000 values');
  });

  it('answers an 80,000-key body with a 4xx, quickly', async () => {
    const keys = Array.from({ length: 80_000 }, (_, i) => `"k${i}":1`).join(',');
    const started = Date.now();
    const refresh = await post('/apps/default/token/refresh')
      .set('Content-Type', 'application/json')
      .send(`{"stale_token":"x",${keys}}`);
    const refreshMs = Date.now() - started;
    expect(refresh.status).toBe(413);
    const sendStarted = Date.now();
    const send = await post('/apps/default/messages')
      .set('Content-Type', 'application/json')
      .send(`{"type":"text","to_user":"openid-alice","message":{"content":"x"},${keys}}`);
    const sendMs = Date.now() - sendStarted;
    expect(send.status).toBe(400);
    expect(send.body.message).toBe('The request body holds more than 10,000 values');
    const nested = await post('/apps/default/messages')
      .set('Content-Type', 'application/json')
      .send(`{"type":"text","to_user":"openid-alice","message":{"content":"x",${keys}}}`);
    expect(nested.status).toBe(400);
    console.log(`80,000 keys: refresh ${refreshMs} ms (413), message ${sendMs} ms (400)`);
    // Timings are printed, not asserted tightly; this bound only catches a quadratic cost.
    expect(Math.max(refreshMs, sendMs)).toBeLessThan(2_000);
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
