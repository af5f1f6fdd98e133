import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';

const auth = { Authorization: `Bearer ${ADMIN_KEY}` };
const DEMO = SANDBOX_DEMO_APP.appId;

describe('POST /apps/:app/messages', () => {
  let h: ServerHarness;
  const send = (body: object, app = 'default') =>
    request(h.app.getHttpServer()).post(`/apps/${app}/messages`).set(auth).send(body);

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  // Deliveries made by the current test (the platform state is kept between tests, so that
  // the server's token stays valid: a reset would cost a 2 s /v1/token wait per test).
  let mark: Record<string, number>;
  const deliveries = (appId = DEMO) => h.sandbox.deliveries(appId).slice(mark[appId]);
  beforeEach(() => {
    h.sandbox.clearFaults();
    h.sandbox.resetCounters();
    mark = {
      [DEMO]: h.sandbox.deliveries(DEMO).length,
      [CRM_APP.appId]: h.sandbox.deliveries(CRM_APP.appId).length,
    };
  });

  it('sends every message type to every target the platform has, over HTTP', async () => {
    // Media ids come from the platform: upload with the server's own token.
    const tokenRes = await request(h.app.getHttpServer()).get('/apps/default/token').set(auth);
    const upload = async (type: 'image' | 'file') => {
      const form = new FormData();
      form.append('media', new Blob([new Uint8Array(100)], { type: 'image/png' }), 'x.png');
      const res = await fetch(
        `${h.sandbox.url}/v1/media/upload?type=${type}&access_token=${tokenRes.body.access_token}`,
        { method: 'POST', body: form },
      );
      return ((await res.json()) as { media_id: string }).media_id;
    };
    const messages: Record<string, object> = {
      text: { content: 'hi' },
      image: { media_id: await upload('image') },
      file: { media_id: await upload('file') },
      rich: { title: 'Rich', body: 'body' },
      textCard: { title: 'Card', url: 'https://example.com', content_list: [{ text: 'line' }] },
      keyValue: { title: 'KV', url: 'https://example.com', content: [{ key: 'k', value: 'v' }] },
      card: { content: JSON.stringify({ header: 'x' }) },
      news: { article_list: [{ title: 'News', url: 'https://example.com', content: 'summary' }] },
      process: { title: 'To do', body: 'please', url: 'https://example.com' },
    };
    const targets: Record<string, object> = {
      single: { to_user: 'openid-alice' },
      mass: { to_users: ['openid-alice', 'openid-bob'] },
      service: {},
      channel: { channel_id: 'channel-1' },
    };
    const { QINGTUI_MESSAGE_SEND_TARGETS } = await import('nestjs-qingtui');
    let ids = 0;
    for (const [type, message] of Object.entries(messages)) {
      const kinds = QINGTUI_MESSAGE_SEND_TARGETS[type as keyof typeof QINGTUI_MESSAGE_SEND_TARGETS];
      for (const kind of kinds as readonly string[]) {
        const res = await send({ type, ...targets[kind], message });
        expect(res.status, `${type}/${kind}: ${JSON.stringify(res.body)}`).toBe(200);
        expect(res.body.msg_id).toEqual(expect.any(String));
        ids += (res.body.msg_ids as unknown[]).length;
      }
      // A target the type does not have is refused before the platform is called.
      if (!(kinds as readonly string[]).includes('service')) {
        const res = await send({ type, message });
        expect(res.status).toBe(400);
      }
    }
    expect(deliveries()).toHaveLength(ids);
  });

  it('sends a text to a follower: 200 with msg_id, and exactly one delivery', async () => {
    const res = await send({
      type: 'text',
      to_user: 'openid-alice',
      message: { content: 'Hello Alice' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      msg_id: expect.any(String),
      msg_ids: [{ msg_id: res.body.msg_id }],
    });

    expect(deliveries()).toHaveLength(1);
    expect(deliveries()[0]).toMatchObject({
      msgId: res.body.msg_id,
      type: 'text',
      target: 'single',
      recipients: ['openid-alice'],
      message: { content: 'Hello Alice' },
    });
  });

  it('sends to several followers, and to every follower when no target is given', async () => {
    const mass = await send({
      type: 'text',
      to_users: ['openid-alice', 'openid-bob'],
      message: { content: 'Hi both' },
    });
    const all = await send({ type: 'text', message: { content: 'Hi everyone' } });
    expect([mass.status, all.status]).toEqual([200, 200]);
    const [first, second] = deliveries();
    expect(first).toMatchObject({ target: 'mass', recipients: ['openid-alice', 'openid-bob'] });
    expect(second).toMatchObject({ target: 'service' });
  });

  it('sends with the token of the app in the path', async () => {
    const res = await send(
      { type: 'text', to_user: 'openid-dave', message: { content: 'Hi Dave' } },
      'crm',
    );
    expect(res.status).toBe(200);
    expect(deliveries(CRM_APP.appId)).toHaveLength(1);
    expect(deliveries(DEMO)).toHaveLength(0);
  });

  it('answers 400 naming the invalid field, and sends nothing', async () => {
    const res = await send({ type: 'text', to_user: 'openid-alice', message: {} });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      field: 'message.content',
    });
    expect(res.body.message).toContain('message.content');

    const unknown = await send({
      type: 'text',
      to_user: 'openid-alice',
      message: { content: 'x', colour: 'red' },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('message.colour');

    const type = await send({
      type: 'telegram',
      to_user: 'openid-alice',
      message: { content: 'x' },
    });
    expect(type.body).toMatchObject({ statusCode: 400, field: 'type' });

    expect(h.sandbox.counters().total.apiCalls).toBe(0);
  });

  it('answers 502 with errcode 43004 for a user who does not follow the app', async () => {
    const res = await send({
      type: 'text',
      to_user: 'openid-mallory',
      message: { content: 'Hello?' },
    });
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ statusCode: 502, errcode: 43004, errmsg: expect.any(String) });
    expect(deliveries()).toHaveLength(0);
  });

  it('renews a token the platform revoked and sends once', async () => {
    await send({ type: 'text', to_user: 'openid-alice', message: { content: 'warm-up' } }).expect(
      200,
    );
    h.sandbox.revokeTokens(DEMO);
    h.sandbox.resetCounters();

    const res = await send({
      type: 'text',
      to_user: 'openid-bob',
      message: { content: 'after revocation' },
    });

    expect(res.status).toBe(200);
    expect(deliveries()).toHaveLength(2);
    expect(deliveries()[1].message).toEqual({ content: 'after revocation' });
    expect(h.sandbox.counters().apps[DEMO].grants).toBe(1);
  });

  it('answers 503 when the platform fails (transient), without a stack trace', async () => {
    h.sandbox.addFault({ kind: 'http500', path: '/v1/message/text/send/single', times: 5 });
    const res = await send({ type: 'text', to_user: 'openid-alice', message: { content: 'x' } });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(JSON.stringify(res.body)).not.toMatch(/\bat \//);
    expect(deliveries()).toHaveLength(0);
  });

  it('never prints a client key, an AppSecret or a token', () => {
    const printed = h.printed();
    for (const secret of SECRETS) expect(printed).not.toContain(secret);
  });
});
