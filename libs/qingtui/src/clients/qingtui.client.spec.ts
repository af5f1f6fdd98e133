import axios from 'axios';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiValidationError } from '../errors/qingtui-validation.error.js';
import type { QingtuiRequestOptions } from '../http/qingtui-request.js';
import type { QingtuiMessage, QingtuiTarget } from '../interfaces/messages.interface.js';
import { QingtuiClient } from './qingtui.client.js';

/** What the fake platform received. */
interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  json?: unknown;
}

let server: Server;
let baseURL: string;
let received: Received[] = [];
let answer: (request: Received) => unknown = () => ({ errcode: 0, errmsg: 'ok', data: 'msg-1' });
/** The `qingtui` options of each request, as the module's interceptor would see them. */
let seen: (QingtuiRequestOptions | undefined)[] = [];
let client: QingtuiClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw = Buffer.concat(chunks);
      const request: Received = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        raw,
      };
      if (req.headers['content-type']?.startsWith('application/json')) {
        request.json = JSON.parse(raw.toString('utf8'));
      }
      received.push(request);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(request)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
});

beforeEach(() => {
  received = [];
  seen = [];
  answer = () => ({ errcode: 0, errmsg: 'ok', data: 'msg-1' });
  const http = axios.create({ baseURL });
  http.interceptors.request.use((config) => {
    seen.push(config.qingtui);
    return config;
  });
  client = new QingtuiClient(http, 'crm');
});

const last = () => received[received.length - 1];

describe('QingtuiClient.send: paths', () => {
  const minimal: Record<QingtuiMessage['type'], QingtuiMessage> = {
    text: { type: 'text', content: 'hi' },
    image: { type: 'image', mediaId: 'm' },
    file: { type: 'file', mediaId: 'm' },
    rich: { type: 'rich', title: 'r' },
    textCard: { type: 'textCard', title: 't', contentList: [] },
    keyValue: { type: 'keyValue', title: 't', content: [{ key: 'k', value: 'v' }] },
    card: { type: 'card', content: { a: 1 } },
    news: { type: 'news', articleList: [{ title: 'n' }] },
    process: { type: 'process', title: 'p', url: 'https://x' },
  };
  const targets: Record<string, QingtuiTarget> = {
    single: { toUser: 'o1' },
    mass: { toUsers: ['o1', 'o2'] },
    service: { allFollowers: true },
    channel: { channelId: 'c1' },
  };
  // Spelled out rather than derived from the constants: this is the platform's list.
  const paths: [QingtuiMessage['type'], string, string][] = [
    ...(['text', 'image', 'file', 'rich', 'card'] as const).flatMap((type) =>
      ['single', 'mass', 'service', 'channel'].map(
        (kind) =>
          [type, kind, `/v1/message/${type}/send/${kind}`] as [
            QingtuiMessage['type'],
            string,
            string,
          ],
      ),
    ),
    ['news', 'single', '/v1/message/news/send/single'],
    ['news', 'mass', '/v1/message/news/send/mass'],
    ['news', 'service', '/v1/message/news/send/service'],
    ['news', 'channel', '/v1/message/news/send/channel'],
    ['textCard', 'single', '/v1/message/textCard/send/single'],
    ['textCard', 'mass', '/v1/message/textCard/send/mass'],
    ['textCard', 'channel', '/v1/message/textCard/send/channel'],
    ['keyValue', 'single', '/v1/message/keyValue/send/single'],
    ['keyValue', 'mass', '/v1/message/keyValue/send/mass'],
    ['keyValue', 'channel', '/v1/message/keyValue/send/channel'],
    ['process', 'single', '/v1/message/process/send/single'],
    ['process', 'mass', '/v1/message/process/send/mass'],
  ];

  it('covers the 32 send paths of the platform', () => {
    expect(paths).toHaveLength(32);
  });

  it.each(paths)('sends %s to %s with POST %s', async (type, kind, path) => {
    await client.send(minimal[type], targets[kind]);
    expect(last().method).toBe('POST');
    expect(last().path).toBe(path);
    expect(last().query).toEqual({});
    const body = last().json as Record<string, unknown>;
    const expectedTarget = {
      single: { to_user: 'o1' },
      mass: { to_users: ['o1', 'o2'] },
      service: {},
      channel: { channel_id: 'c1' },
    }[kind];
    expect(Object.keys(body).sort()).toEqual([...Object.keys(expectedTarget!), 'message'].sort());
    expect(body).toMatchObject(expectedTarget!);
  });

  it.each([
    ['textCard', 'service'],
    ['keyValue', 'service'],
    ['process', 'service'],
    ['process', 'channel'],
  ] as const)('refuses %s to %s without calling the platform', async (type, kind) => {
    await expect(client.send(minimal[type], targets[kind] as never)).rejects.toBeInstanceOf(
      QingtuiValidationError,
    );
    expect(received).toHaveLength(0);
  });
});

describe('QingtuiClient.send: wire bodies', () => {
  it('sends text as {to_user, message: {content}}', async () => {
    await client.sendText({ toUser: 'o1' }, 'hello');
    expect(last().json).toEqual({ to_user: 'o1', message: { content: 'hello' } });
  });

  it('sends image and file messages with media_id', async () => {
    await client.sendImage({ toUsers: ['a', 'b'] }, 'img-1');
    expect(last().json).toEqual({ to_users: ['a', 'b'], message: { media_id: 'img-1' } });
    await client.sendFile({ channelId: 'c' }, 'file-1');
    expect(last().json).toEqual({ channel_id: 'c', message: { media_id: 'file-1' } });
  });

  it('sends a rich message in snake_case', async () => {
    await client.sendRich(
      { allFollowers: true },
      {
        title: 'Weekly',
        xtime: 1700000000000,
        body: 'text',
        imgList: [{ name: 'chart', mediaId: 'm1' }],
        urlList: [{ name: 'site', url: 'https://x' }],
        attachment: { name: 'report.pdf', mediaId: 'm2' },
      },
    );
    expect(last().json).toEqual({
      message: {
        title: 'Weekly',
        xtime: 1700000000000,
        body: 'text',
        img_list: [{ name: 'chart', media_id: 'm1' }],
        url_list: [{ name: 'site', url: 'https://x' }],
        attachment: { name: 'report.pdf', media_id: 'm2' },
      },
    });
  });

  it('sends a textCard with button_text and content_list', async () => {
    await client.sendTextCard(
      { toUser: 'o1' },
      {
        title: 'Leave request',
        url: 'https://x',
        buttonText: '审批',
        contentList: [{ text: 'Li Lei', attr: { color: 'highlight' } }, { text: '3 days' }],
      },
    );
    expect(last().json).toEqual({
      to_user: 'o1',
      message: {
        title: 'Leave request',
        url: 'https://x',
        button_text: '审批',
        content_list: [{ text: 'Li Lei', attr: { color: 'highlight' } }, { text: '3 days' }],
      },
    });
  });

  it('sends a keyValue card with sub_title, value_color and footer', async () => {
    await client.sendKeyValue(
      { toUser: 'o1' },
      {
        title: 'Order',
        subTitle: { text: 'new', color: 'gray' },
        url: 'https://x',
        content: [{ key: 'No.', value: '42', valueColor: 'highlight' }],
        footer: { text: 'thanks' },
        buttonText: 'Open',
      },
    );
    expect(last().json).toEqual({
      to_user: 'o1',
      message: {
        title: 'Order',
        sub_title: { text: 'new', color: 'gray' },
        url: 'https://x',
        content: [{ key: 'No.', value: '42', value_color: 'highlight' }],
        footer: { text: 'thanks' },
        button_text: 'Open',
      },
    });
  });

  it('serializes a card object into a JSON string, and passes JSON text through', async () => {
    const card = { header: { title: '卡片' }, elements: [{ tag: 'text', text: 'x' }] };
    await client.sendCard({ toUser: 'o1' }, card);
    const sent = (last().json as { message: { content: unknown } }).message.content;
    expect(typeof sent).toBe('string');
    expect(JSON.parse(sent as string)).toEqual(card);
    await client.sendCard({ toUser: 'o1' }, '{"a":1}');
    expect(last().json).toEqual({ to_user: 'o1', message: { content: '{"a":1}' } });
  });

  it('sends news on the v1 path with article_list in snake_case', async () => {
    await client.sendNews({ allFollowers: true }, [
      {
        title: 'Release',
        url: 'https://x',
        content: 'summary',
        thumbMediaId: 'm',
        author: 'me',
        time: 5,
        showCoverPic: true,
      },
      { title: 'Second', showCoverPic: false },
    ]);
    expect(last().path).toBe('/v1/message/news/send/service');
    expect(last().json).toEqual({
      message: {
        article_list: [
          {
            title: 'Release',
            url: 'https://x',
            content: 'summary',
            thumb_media_id: 'm',
            author: 'me',
            time: 5,
            show_cover_pic: 1,
          },
          { title: 'Second', show_cover_pic: 0 },
        ],
      },
    });
  });

  it('sends a process message and reads one id per recipient of a mass send', async () => {
    answer = () => ({
      errcode: 0,
      data: [
        { open_id: 'a', msg_id: 'p1' },
        { open_id: 'b', msg_id: 'p2' },
      ],
    });
    const result = await client.sendProcess(
      { toUsers: ['a', 'b'] },
      { title: 'Approve', body: 'please', url: 'https://x' },
    );
    expect(last().json).toEqual({
      to_users: ['a', 'b'],
      message: { title: 'Approve', body: 'please', url: 'https://x' },
    });
    expect(result).toEqual({
      msgId: 'p1',
      msgIds: [
        { openId: 'a', msgId: 'p1' },
        { openId: 'b', msgId: 'p2' },
      ],
    });
  });

  it('returns the id of a data string answer and of a msg_id answer', async () => {
    expect(await client.sendText({ toUser: 'o' }, 'x')).toEqual({
      msgId: 'msg-1',
      msgIds: [{ msgId: 'msg-1' }],
    });
    answer = () => ({ errcode: 0, msg_id: 'top' });
    expect((await client.sendText({ toUsers: ['o'] }, 'x')).msgId).toBe('top');
  });

  it('fails with a request error, naming the endpoint, when a success carries no id', async () => {
    answer = () => ({ errcode: 0, errmsg: 'ok' });
    const error = await client.sendText({ toUser: 'o' }, 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QingtuiApiError);
    expect(error).toMatchObject({ kind: 'request', endpoint: '/v1/message/text/send/single' });
  });

  it('marks every send as not idempotent, for its app', async () => {
    await client.sendText({ toUser: 'o' }, 'x');
    await client.send({ type: 'process', title: 't', url: 'u' }, { toUser: 'o' });
    expect(seen).toEqual([
      { app: 'crm', idempotent: false },
      { app: 'crm', idempotent: false },
    ]);
  });

  it('validates before sending: nothing reaches the platform', async () => {
    await expect(client.sendText({ toUsers: [] }, 'x')).rejects.toMatchObject({
      field: 'to_users',
    });
    await expect(
      client.sendTextCard({ toUser: 'o' }, { title: 'x'.repeat(46), contentList: [] }),
    ).rejects.toMatchObject({ field: 'message.title' });
    expect(received).toHaveLength(0);
  });
});

describe('QingtuiClient: other endpoints', () => {
  it('completes a to-do with {msg_id, open_id}', async () => {
    answer = () => ({ errcode: 0, errmsg: 'ok' });
    await client.completeProcess('p1', 'o1');
    expect(last()).toMatchObject({
      method: 'POST',
      path: '/v1/message/process/complete',
      query: {},
    });
    expect(last().json).toEqual({ msg_id: 'p1', open_id: 'o1' });
    expect(seen).toEqual([{ app: 'crm', idempotent: true }]);
  });

  it('queries a message status with {msg_id} and reads it', async () => {
    answer = () => ({ errcode: 0, msg_id: 'm1', msg_status: 'SEND_SUCCESS', rate: 1 });
    const status = await client.getMessageStatus('m1');
    expect(last()).toMatchObject({ method: 'POST', path: '/v1/message/status/get' });
    expect(last().json).toEqual({ msg_id: 'm1' });
    expect(status).toEqual({ msgId: 'm1', status: 'SEND_SUCCESS', rate: 1 });
    expect(seen).toEqual([{ app: 'crm', idempotent: true }]);
  });

  it('uploads media as multipart field "media" with the type in the query', async () => {
    answer = () => ({ type: 'image', media_id: 'md-1', created_at: 1700000000000 });
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x00, 0xff]);
    const result = await client.uploadMedia('image', bytes, 'logo.png', 'image/png');
    const request = last();
    expect(request).toMatchObject({
      method: 'POST',
      path: '/v1/media/upload',
      query: { type: 'image' },
    });
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(
      request.headers['content-type'] ?? '',
    )?.[1];
    expect(boundary).toBeDefined();
    const text = request.raw.toString('latin1');
    expect(text).toContain(`--${boundary}\r\n`);
    expect(text).toContain('Content-Disposition: form-data; name="media"; filename="logo.png"\r\n');
    expect(text).toContain('Content-Type: image/png\r\n');
    expect(
      request.raw.includes(Buffer.concat([Buffer.from('\r\n\r\n'), bytes, Buffer.from('\r\n')])),
    ).toBe(true);
    expect(Number(request.headers['content-length'])).toBe(request.raw.length);
    expect(result).toEqual({ mediaId: 'md-1', type: 'image', createdAt: 1700000000000 });
    expect(seen).toEqual([{ app: 'crm', idempotent: true }]);
  });

  it('guesses the part content type from the filename when none is given', async () => {
    answer = () => ({ type: 'file', media_id: 'md-2', created_at: 1 });
    await client.uploadMedia('file', new Uint8Array([1, 2, 3]), 'notes.pdf');
    expect(last().query).toEqual({ type: 'file' });
    expect(last().raw.toString('latin1')).toContain('Content-Type: application/pdf\r\n');
  });

  it('refuses an image over 300 KB without uploading', async () => {
    await expect(
      client.uploadMedia('image', Buffer.alloc(300 * 1024 + 1), 'a.png'),
    ).rejects.toMatchObject({
      field: 'media',
    });
    expect(received).toHaveLength(0);
  });

  it('pages followers with page_size/request_page and reads camelCase fields', async () => {
    answer = () => ({ followers: ['o1', 'o2'], hasMore: true, totalCount: 3 });
    expect(await client.getFollowers()).toEqual({
      followers: ['o1', 'o2'],
      hasMore: true,
      totalCount: 3,
    });
    expect(last()).toMatchObject({
      method: 'GET',
      path: '/v1/app/followers',
      query: { page_size: '100', request_page: '1' },
    });
    await client.getFollowers({ pageSize: 2, page: 2 });
    expect(last().query).toEqual({ page_size: '2', request_page: '2' });
    expect(seen).toEqual([{ app: 'crm' }, { app: 'crm' }]);
  });

  it('refuses a page size over 100 and a page below 1', async () => {
    await expect(client.getFollowers({ pageSize: 101 })).rejects.toMatchObject({
      field: 'page_size',
    });
    await expect(client.getFollowers({ page: 0 })).rejects.toMatchObject({ field: 'request_page' });
    expect(received).toHaveLength(0);
  });

  it('looks up an openid by user_id', async () => {
    answer = () => ({ errcode: 0, open_id: 'oid-9' });
    expect(await client.getOpenIdByUserId('u-1')).toBe('oid-9');
    expect(last()).toMatchObject({
      method: 'GET',
      path: '/team/member/openid/get',
      query: { user_id: 'u-1' },
    });
  });

  it('calls unwrapped endpoints with query and JSON body', async () => {
    answer = (r) => ({ errcode: 0, echo: r.path });
    expect(
      await client.request('GET', '/team/org/detail', { query: { org_id: 'root', n: 2 } }),
    ).toEqual({
      errcode: 0,
      echo: '/team/org/detail',
    });
    expect(last()).toMatchObject({ method: 'GET', query: { org_id: 'root', n: '2' } });
    await client.request('POST', '/v1/menu/create', { body: { button: [] }, idempotent: false });
    expect(last()).toMatchObject({ method: 'POST', path: '/v1/menu/create', json: { button: [] } });
    expect(seen).toEqual([{ app: 'crm' }, { app: 'crm', idempotent: false }]);
  });

  it('refuses a full URL in request(), so that the token cannot leave the platform', async () => {
    await expect(client.request('GET', `${baseURL}/x`)).rejects.toMatchObject({ field: 'path' });
    await expect(client.request('GET', '//evil.example/x')).rejects.toMatchObject({
      field: 'path',
    });
    expect(received).toHaveLength(0);
  });
});

describe('QingtuiClient: compile-time targets', () => {
  it('rejects, at compile time, targets a message type has no variant for', async () => {
    // Each line is a type error (checked by tsc) and also refused at run time.
    const attempts = [
      // @ts-expect-error textCard has no all-followers variant
      () => client.sendTextCard({ allFollowers: true }, { title: 't', contentList: [] }),
      // @ts-expect-error keyValue has no all-followers variant
      () => client.sendKeyValue({ allFollowers: true }, { title: 't', content: [] }),
      // @ts-expect-error process messages go to single users or lists only
      () => client.send({ type: 'process', title: 't', url: 'u' }, { channelId: 'c' }),
      // @ts-expect-error one recipient kind only
      () => client.sendText({ toUser: 'a', toUsers: ['b'] }, 'x'),
    ];
    for (const attempt of attempts) {
      await expect(attempt()).rejects.toBeInstanceOf(QingtuiValidationError);
    }
    expect(received).toHaveLength(0);
  });
});
