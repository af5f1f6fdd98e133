import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import { SANDBOX_DEMO_APP } from '../../sandbox.options.js';
import {
  apiUrl,
  fetchToken,
  getJson,
  type JsonBody,
  postJson,
  upload,
} from '../../testing/http-helpers.js';

const DEMO = SANDBOX_DEMO_APP.appId;
const ALICE = 'openid-alice';
const BOB = 'openid-bob';
const MANY_FOLLOWERS = Array.from({ length: 60 }, (_, i) => `openid-user${i}`);

describe('message endpoints', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let token: string;
  let imageId: string;
  let fileId: string;

  const send = (path: string, body: unknown, accessToken = token) =>
    postJson(apiUrl(base, path, accessToken), body);

  beforeEach(async () => {
    sandbox = new QingtuiSandbox({
      tokenIntervalMs: 0,
      apps: [
        SANDBOX_DEMO_APP,
        { appId: 'crowd', appSecret: 'crowd-secret', followers: MANY_FOLLOWERS },
      ],
    });
    base = await sandbox.start();
    token = (await fetchToken(base)).access_token;
    imageId = (await upload(base, token, 'image', new Uint8Array(100))).body.media_id;
    fileId = (await upload(base, token, 'file', new Uint8Array(100))).body.media_id;
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  /** A valid message of each type. */
  const validMessage = (type: string): JsonBody =>
    ({
      text: { content: 'hello' },
      image: { media_id: imageId },
      file: { media_id: fileId },
      rich: { title: 'Report', body: '<p>done</p>', xtime: 1 },
      card: { content: JSON.stringify({ header: { title: 'card' } }) },
      textCard: {
        title: 'Build',
        url: 'https://x.test',
        button_text: '详情',
        content_list: [{ text: 'ok' }],
      },
      keyValue: { title: 'Order', content: [{ key: 'id', value: '42' }] },
      news: { article_list: [{ title: 'News', url: 'https://x.test', content: 'summary' }] },
      process: { title: 'Approve', url: 'https://x.test', body: 'please' },
    })[type] as JsonBody;

  const targetBody = (target: string, message: JsonBody): JsonBody =>
    ({
      single: { to_user: ALICE, message },
      mass: { to_users: [ALICE, BOB], message },
      service: { message },
      channel: { channel_id: 'ch-1', message },
    })[target] as JsonBody;

  const SENDS: Array<[string, string, string[]]> = [
    ['/v1/message', 'text', ['single', 'mass', 'service', 'channel']],
    ['/v1/message', 'image', ['single', 'mass', 'service', 'channel']],
    ['/v1/message', 'file', ['single', 'mass', 'service', 'channel']],
    ['/v1/message', 'rich', ['single', 'mass', 'service', 'channel']],
    ['/v1/message', 'card', ['single', 'mass', 'service', 'channel']],
    ['/v1/message', 'textCard', ['single', 'mass', 'channel']],
    ['/v1/message', 'keyValue', ['single', 'mass', 'channel']],
    ['/v1/message', 'news', ['single', 'mass', 'service', 'channel']],
    ['/v2/message', 'news', ['single', 'mass', 'service', 'channel']],
  ];

  it('accepts every type on every target with the documented success shape', async () => {
    let expected = 0;
    for (const [prefix, type, targets] of SENDS) {
      for (const target of targets) {
        const { status, body } = await send(
          `${prefix}/${type}/send/${target}`,
          targetBody(target, validMessage(type)),
        );
        expect(status).toBe(200);
        expect(body, `${prefix}/${type}/send/${target}`).toMatchObject({
          errcode: 0,
          errmsg: 'ok',
        });
        expect(body.data).toMatch(/^[0-9a-f]{24}$/);
        if (target === 'mass' || target === 'service') expect(body.msg_id).toBe(body.data);
        else expect(body).not.toHaveProperty('msg_id');
        expected++;
      }
    }
    expect(sandbox.deliveries()).toHaveLength(expected);
    expect(sandbox.counters().apps[DEMO].deliveries).toBe(expected);
  });

  it('has no service variant of textCard and keyValue', async () => {
    for (const type of ['textCard', 'keyValue']) {
      const { status, body } = await send(`/v1/message/${type}/send/service`, {
        message: validMessage(type),
      });
      expect(status).toBe(404);
      expect(body).toEqual({ errcode: 404, errmsg: 'not found' });
    }
  });

  it('records each accepted send as a delivery, in order', async () => {
    const single = await send(
      '/v1/message/text/send/single',
      targetBody('single', { content: 'one' }),
    );
    const service = await send('/v1/message/text/send/service', { message: { content: 'all' } });
    const channel = await send('/v1/message/text/send/channel', {
      channel_id: 7,
      message: { content: 'chat' },
    });
    const mass = await send('/v1/message/text/send/mass', {
      to_users: [BOB, BOB],
      message: { content: 'twice' },
    });
    const at = expect.any(Number);
    expect(sandbox.deliveries(DEMO)).toEqual([
      {
        msgId: single.body.data,
        appId: DEMO,
        type: 'text',
        target: 'single',
        recipients: [ALICE],
        message: { content: 'one' },
        at,
      },
      {
        msgId: service.body.data,
        appId: DEMO,
        type: 'text',
        target: 'service',
        recipients: SANDBOX_DEMO_APP.followers,
        message: { content: 'all' },
        at,
      },
      {
        msgId: channel.body.data,
        appId: DEMO,
        type: 'text',
        target: 'channel',
        recipients: ['channel:7'],
        message: { content: 'chat' },
        at,
      },
      {
        msgId: mass.body.data,
        appId: DEMO,
        type: 'text',
        target: 'mass',
        recipients: [BOB, BOB],
        message: { content: 'twice' },
        at,
      },
    ]);
    expect(sandbox.deliveries('crowd')).toEqual([]);
  });

  it('checks recipients: followers only, valid openids, 1 to 50 per mass send', async () => {
    const text = { content: 'hi' };
    const cases: Array<[string, JsonBody, number]> = [
      ['single', { to_user: 'openid-mallory', message: text }, 43004],
      ['single', { to_user: '', message: text }, 40003],
      ['single', { message: text }, 40003],
      ['single', { to_user: 'bad openid!', message: text }, 40003],
      ['mass', { to_users: [ALICE, 'openid-mallory'], message: text }, 43004],
      ['mass', { to_users: [], message: text }, 40032],
      ['mass', { to_users: ALICE, message: text }, 40031],
      ['channel', { message: text }, 40050],
      ['channel', { channel_id: ' ', message: text }, 40050],
    ];
    for (const [target, body, errcode] of cases) {
      expect(
        (await send(`/v1/message/text/send/${target}`, body)).body.errcode,
        JSON.stringify(body),
      ).toBe(errcode);
    }
    expect(sandbox.deliveries()).toEqual([]);
  });

  it('accepts 50 recipients in a mass send and refuses 51', async () => {
    const crowdToken = (await fetchToken(base, 'crowd', 'crowd-secret')).access_token;
    const to = (n: number) => ({
      to_users: MANY_FOLLOWERS.slice(0, n),
      message: { content: 'all hands' },
    });
    expect((await send('/v1/message/text/send/mass', to(50), crowdToken)).body.errcode).toBe(0);
    expect((await send('/v1/message/text/send/mass', to(51), crowdToken)).body.errcode).toBe(40032);
    expect(sandbox.deliveries('crowd')[0].recipients).toHaveLength(50);
  });

  it('checks message contents per type', async () => {
    const long = (n: number) => '字'.repeat(n);
    const cases: Array<[string, JsonBody | string, number]> = [
      ['text', { content: '' }, 44004],
      ['text', { content: '   ' }, 44004],
      ['text', {}, 44004],
      ['text', 'not an object', 40035],
      ['image', { media_id: 'nope' }, 40007],
      ['image', {}, 40007],
      ['file', { media_id: 'IMAGE' }, 40007], // an image's id is no file
      ['rich', { title: 'only a title' }, 41010],
      ['rich', { body: 'only a body' }, 41010],
      ['card', { content: '{not json' }, 40035],
      ['card', { content: { an: 'object' } }, 40035],
      ['textCard', { title: long(46) }, 45003],
      ['textCard', { url: 'https://x.test' }, 40035],
      ['textCard', { title: 't', button_text: long(7) }, 40035],
      ['textCard', { title: 't', content_list: [{ text: long(201) }] }, 45002],
      ['textCard', { title: 't', content_list: 'x' }, 40035],
      ['keyValue', { title: long(46) }, 45003],
      [
        'keyValue',
        { title: 't', content: Array.from({ length: 7 }, () => ({ key: 'k', value: 'v' })) },
        40035,
      ],
      ['keyValue', { title: 't', content: [{ key: long(9), value: 'v' }] }, 45002],
      ['keyValue', { title: 't', content: [{ key: 'k', value: long(46) }] }, 45002],
      ['keyValue', { title: 't', content: [{ key: 'k' }] }, 40035],
      ['news', { article_list: [] }, 44003],
      ['news', {}, 44003],
      ['news', { article_list: [{ title: long(46) }] }, 45003],
      ['news', { article_list: [{ title: 't', content: long(121) }] }, 45004],
      ['process', { title: 'no url' }, 40035],
      ['process', { url: 'https://x.test' }, 40035],
    ];
    for (const [type, message, errcode] of cases) {
      const resolved =
        typeof message === 'object' && message.media_id === 'IMAGE'
          ? { media_id: imageId }
          : message;
      const { body } = await send(`/v1/message/${type}/send/single`, {
        to_user: ALICE,
        message: resolved,
      });
      expect(body.errcode, `${type} ${JSON.stringify(message)}`).toBe(errcode);
      expect(body.errmsg).toBeTypeOf('string');
    }
    // Limits are inclusive and count characters, not bytes.
    const atLimit = { title: long(45), button_text: long(6), content_list: [{ text: long(200) }] };
    expect(
      (await send('/v1/message/textCard/send/single', { to_user: ALICE, message: atLimit })).body
        .errcode,
    ).toBe(0);
    expect(sandbox.deliveries()).toHaveLength(1);
  });

  it('only accepts media uploaded by the same app', async () => {
    const crowdToken = (await fetchToken(base, 'crowd', 'crowd-secret')).access_token;
    const body = { to_user: MANY_FOLLOWERS[0], message: { media_id: imageId } };
    expect((await send('/v1/message/image/send/single', body, crowdToken)).body.errcode).toBe(
      40007,
    );
  });

  it('answers process sends with per-recipient msg ids and completes them', async () => {
    const message = validMessage('process');
    const single = await send('/v1/message/process/send/single', { to_user: ALICE, message });
    expect(single.body).toEqual({ errcode: 0, errmsg: 'ok', data: { msg_id: expect.any(String) } });
    const mass = await send('/v1/message/process/send/mass', { to_users: [ALICE, BOB], message });
    expect(mass.body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      data: [
        { open_id: ALICE, msg_id: expect.any(String) },
        { open_id: BOB, msg_id: expect.any(String) },
      ],
    });
    expect(sandbox.deliveries().map((d) => [d.target, d.recipients])).toEqual([
      ['single', [ALICE]],
      ['mass', [ALICE]],
      ['mass', [BOB]],
    ]);

    const bobTodo = mass.body.data[1].msg_id;
    const complete = (body: JsonBody) => send('/v1/message/process/complete', body);
    expect((await complete({ msg_id: bobTodo, open_id: ALICE })).body.errcode).toBe(40003);
    expect((await complete({ msg_id: 'nope', open_id: BOB })).body.errcode).toBe(40052);
    expect((await complete({ open_id: BOB })).body.errcode).toBe(40035);
    expect((await complete({ msg_id: bobTodo, open_id: BOB })).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect(sandbox.deliveries().find((d) => d.msgId === bobTodo)?.completedAt).toBeTypeOf('number');

    const text = await send('/v1/message/text/send/single', {
      to_user: BOB,
      message: { content: 'x' },
    });
    expect((await complete({ msg_id: text.body.data, open_id: BOB })).body.errcode).toBe(40052);
  });

  it('reports the status of accepted messages of the app', async () => {
    const sent = await send('/v1/message/text/send/single', {
      to_user: ALICE,
      message: { content: 'x' },
    });
    expect((await send('/v1/message/status/get', { msg_id: sent.body.data })).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      msg_id: sent.body.data,
      msg_status: 'SEND_SUCCESS',
      rate: 1,
    });
    expect((await send('/v1/message/status/get', { msg_id: 'nope' })).body.errcode).toBe(40052);
    const crowdToken = (await fetchToken(base, 'crowd', 'crowd-secret')).access_token;
    expect(
      (await send('/v1/message/status/get', { msg_id: sent.body.data }, crowdToken)).body.errcode,
    ).toBe(40052);
  });

  it('answers wrong methods, empty and malformed bodies like the platform', async () => {
    const path = '/v1/message/text/send/single';
    expect((await getJson(apiUrl(base, path, token))).body.errcode).toBe(43002);
    expect((await postJson(apiUrl(base, '/v1/app/followers', token), {})).body.errcode).toBe(43001);
    expect((await send(path, '')).body.errcode).toBe(44002);
    expect((await send(path, '{"to_user":')).body.errcode).toBe(47001);
    expect((await send(path, '[1,2]')).body.errcode).toBe(40035);
    expect((await getJson(`${base}/v1/nothing/here`)).status).toBe(404);
    // Bodies over 2 MB are drained, not buffered.
    const huge = { to_user: ALICE, message: { content: 'x'.repeat(2 * 1024 * 1024) } };
    expect((await send(path, huge)).body.errcode).toBe(45002);
    // Authentication comes before the body.
    expect((await send(path, '', 'bad-token')).body.errcode).toBe(40014);
  });

  it('pages followers', async () => {
    const crowdToken = (await fetchToken(base, 'crowd', 'crowd-secret')).access_token;
    const page = (query: string) => getJson(apiUrl(base, '/v1/app/followers', crowdToken, query));
    expect((await page('page_size=25&request_page=3')).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      followers: MANY_FOLLOWERS.slice(50, 60),
      hasMore: false,
      totalCount: 60,
    });
    const first = (await page('page_size=25')).body;
    expect(first.followers).toEqual(MANY_FOLLOWERS.slice(0, 25));
    expect(first.hasMore).toBe(true);
    expect((await page('')).body.followers).toHaveLength(60);
    expect((await page('page_size=101')).body.errcode).toBe(40035);
    expect((await page('request_page=0')).body.errcode).toBe(40035);
  });

  it('maps user ids of followers to openids', async () => {
    const lookup = (query: string) =>
      getJson(apiUrl(base, '/team/member/openid/get', token, query));
    expect((await lookup('user_id=alice')).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      open_id: ALICE,
    });
    expect((await lookup('accountId=carol')).body.open_id).toBe('openid-carol');
    expect((await lookup('user_id=mallory')).body.errcode).toBe(46004);
    expect((await lookup('')).body.errcode).toBe(40035);
  });
});
