import {
  QingtuiApiError,
  QingtuiClient,
  QingtuiClients,
  QingtuiModule,
  QINGTUI_HTTP,
  TokenService,
  type QingtuiMessage,
  type QingtuiTarget,
} from 'nestjs-qingtui';
import { QingtuiSandbox } from 'qingtui-sandbox';
import type { HttpService } from '@nestjs/axios';
import { Test, type TestingModule } from '@nestjs/testing';
import { ScheduleModule } from '@nestjs/schedule';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogCapture } from '../support/log-capture.js';

const APP_ID = 'client-app';
const SECRET = 'client-secret-DO-NOT-LOG';
const FOLLOWERS = ['openid-a', 'openid-b', 'openid-c'];
const logs = new LogCapture();

let sandbox: QingtuiSandbox;
let moduleRef: TestingModule;
let client: QingtuiClient;
let tokens: TokenService;

beforeEach(async () => {
  sandbox = new QingtuiSandbox({
    apps: [{ appId: APP_ID, appSecret: SECRET, edition: 'enterprise', followers: FOLLOWERS }],
  });
  const baseUrl = await sandbox.start();
  moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: APP_ID, appSecret: SECRET }],
        baseUrl,
        httpTimeoutMs: 3_000,
      }),
    ],
  })
    .setLogger(logs)
    .compile();
  await moduleRef.init();
  client = moduleRef.get(QingtuiClients).get('main');
  tokens = moduleRef.get(TokenService);
});

afterEach(async () => {
  await moduleRef.close();
  await sandbox.stop();
});

const grants = () => sandbox.counters().apps[APP_ID].grants;

describe('QingtuiClient through the module against the sandbox', () => {
  it('sends every message type to every target it has', async () => {
    const image = await client.uploadMedia('image', Buffer.alloc(1_000, 1), 'a.png', 'image/png');
    const file = await client.uploadMedia('file', Buffer.from('hello'), 'a.txt', 'text/plain');
    const messages: QingtuiMessage[] = [
      { type: 'text', content: 'hello' },
      { type: 'image', mediaId: image.mediaId },
      { type: 'file', mediaId: file.mediaId },
      { type: 'rich', title: 'Rich', body: 'body text' },
      {
        type: 'textCard',
        title: 'Card',
        url: 'https://example.com',
        contentList: [{ text: 'line' }],
      },
      {
        type: 'keyValue',
        title: 'KV',
        url: 'https://example.com',
        content: [{ key: 'k', value: 'v' }],
      },
      { type: 'card', content: { header: 'x' } },
      {
        type: 'news',
        articleList: [{ title: 'News', url: 'https://example.com', content: 'summary' }],
      },
      { type: 'process', title: 'To do', body: 'please', url: 'https://example.com' },
    ] as QingtuiMessage[];
    const targets: Record<string, QingtuiTarget> = {
      single: { toUser: 'openid-a' },
      mass: { toUsers: ['openid-a', 'openid-b'] },
      service: { allFollowers: true },
      channel: { channelId: 'channel-1' },
    };
    const { QINGTUI_MESSAGE_SEND_TARGETS } = await import('nestjs-qingtui');
    let sent = 0;
    let delivered = 0;
    const ids = new Set<string>();
    for (const message of messages) {
      for (const kind of QINGTUI_MESSAGE_SEND_TARGETS[message.type] as readonly string[]) {
        const result = await client.send(message as never, targets[kind] as never);
        expect(result.msgId).toBeTruthy();
        for (const m of result.msgIds) ids.add(m.msgId);
        sent += 1;
        delivered += result.msgIds.length; // a process mass send has one id per recipient
      }
    }
    expect(sent).toBeGreaterThanOrEqual(30);
    expect(sandbox.deliveries(APP_ID)).toHaveLength(delivered);
    expect(new Set(sandbox.deliveries(APP_ID).map((d) => d.msgId))).toEqual(ids);
    const process = sandbox
      .deliveries(APP_ID)
      .find((d) => d.type === 'process' && d.target === 'single');
    await client.completeProcess(process!.msgId, 'openid-a');
    const status = await client.getMessageStatus([...ids][0]);
    expect(status.status).toBe('SEND_SUCCESS');
    const followers = await client.getFollowers();
    expect(followers.followers).toEqual(FOLLOWERS);
  });

  it('heals a token revoked in the middle of traffic: every send succeeds, one refresh, no duplicate', async () => {
    await client.sendText({ toUser: 'openid-a' }, 'warm-up');
    const before = grants();
    const wave = (n: number, label: string) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          client.sendText({ toUser: FOLLOWERS[i % 3] }, `${label}-${i}`),
        ),
      );
    const first = await wave(100, 'a');
    sandbox.revokeTokens(APP_ID);
    const second = await wave(300, 'b');
    const third = await wave(100, 'c');
    expect([...first, ...second, ...third]).toHaveLength(500);
    expect(grants() - before).toBe(1);
    const contents = sandbox
      .deliveries(APP_ID)
      .map((d) => (d.message as { content: string }).content);
    expect(contents).toHaveLength(501);
    expect(new Set(contents).size).toBe(501);
    // Each rejected send was re-sent exactly once with the new token.
    expect(sandbox.counters().apps[APP_ID].invalidTokenCalls).toBeLessThanOrEqual(300);
  });

  it('never re-sends a message whose outcome is unknown (answer lost after delivery)', async () => {
    await client.sendText({ toUser: 'openid-a' }, 'warm-up');
    sandbox.addFault({ kind: 'hang', path: /^\/v1\/message\/text/, afterHandling: true, times: 1 });
    const error = await client.sendText({ toUser: 'openid-b' }, 'maybe').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QingtuiApiError);
    expect(error).toMatchObject({ kind: 'transient', maybeProcessed: true });
    const maybe = sandbox
      .deliveries(APP_ID)
      .filter((d) => (d.message as { content: string }).content === 'maybe');
    expect(maybe).toHaveLength(1);
  });

  it('re-sends an idempotent read once after a transport failure', async () => {
    await client.getFollowers();
    sandbox.addFault({ kind: 'reset', path: '/v1/app/followers', times: 1 });
    await expect(client.getFollowers()).resolves.toMatchObject({ followers: FOLLOWERS });
  });

  it('keeps errcode and errmsg of a refused send', async () => {
    const error = await client.sendText({ toUser: 'not-a-follower' }, 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'QingtuiApiError', kind: 'request', errcode: 43004 });
    expect((error as QingtuiApiError).endpoint).toBe('/v1/message/text/send/single');
  });

  it('injects the token and heals token errors on calls the client does not wrap', async () => {
    const http = moduleRef.get<HttpService>(QINGTUI_HTTP);
    await tokens.getToken('main');
    sandbox.revokeTokens(APP_ID);
    const res = await http.axiosRef.get('/v1/app/followers', {
      params: { page_size: 10, request_page: 1 },
      qingtui: { app: 'main' },
    });
    expect(res.data.followers).toEqual(FOLLOWERS);
  });

  it('re-sends a send once when it surely never reached the platform (connection refused), never otherwise', async () => {
    const http = moduleRef.get<HttpService>(QINGTUI_HTTP);
    await tokens.getToken('main');
    const attempts: string[] = [];
    const spy = http.axiosRef.interceptors.request.use((config) => {
      attempts.push(`${config.baseURL ?? ''}${config.url ?? ''}`);
      return config;
    });
    try {
      const refused = await http.axiosRef
        .post(
          '/v1/message/text/send/single',
          { to_user: 'openid-a', message: { content: 'x' } },
          {
            baseURL: 'http://127.0.0.1:1',
            qingtui: { app: 'main' },
          },
        )
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({
        name: 'QingtuiApiError',
        kind: 'transient',
        maybeProcessed: false,
      });
      expect(attempts).toHaveLength(2);

      attempts.length = 0;
      sandbox.addFault({ kind: 'reset', path: /^\/v1\/message\/text/, times: 1 });
      const reset = await client.sendText({ toUser: 'openid-a' }, 'reset').catch((e: unknown) => e);
      expect(reset).toMatchObject({ kind: 'transient', maybeProcessed: true });
      expect(attempts).toHaveLength(1);
    } finally {
      http.axiosRef.interceptors.request.eject(spy);
    }
  });

  it('logs no secret', () => {
    expect(logs.text()).not.toContain(SECRET);
  });
});
