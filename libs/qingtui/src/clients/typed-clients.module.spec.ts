import { Injectable } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiOutcomeUnknownError } from '../errors/qingtui-outcome-unknown.error.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { QingtuiModule } from '../qingtui.module.js';
import { TokenService } from '../token/token.service.js';
import { QingtuiClient } from './qingtui.client.js';
import { getQingtuiClientToken, InjectQingtuiClient } from './qingtui-client.tokens.js';
import { QingtuiClients } from './qingtui-clients.service.js';
import { WeChatClient } from './wechat/wechat.client.js';
import { WeComClient } from './wecom/wecom.client.js';

/*
 * The three typed clients through the real module (its axios instance and access-token
 * interceptor) against a fake platform on 127.0.0.1 that serves the three token endpoints and
 * answers each send as told: never sent twice, outcome unknown after sending, a refused
 * connection as a plain error, a rejected token healed with one re-send, 45065 as success.
 */

const SECRET = 'typed-clients-spec-secret';

/** What the fake platform does with a business call. */
type Behaviour =
  | { kind: 'answer'; body: Record<string, unknown> }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'status'; status: number };

interface Call {
  path: string;
  token: string | undefined;
  body: Record<string, unknown> | undefined;
}

const TOKEN_PATHS = new Set(['/v1/token', '/cgi-bin/token', '/cgi-bin/gettoken']);
let server: Server;
let calls: Call[] = [];
let behave: (path: string) => Behaviour = () => ({ kind: 'answer', body: { errcode: 0 } });
let issued = 0;
const revoked = new Set<string>();

function handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.setHeader('content-type', 'application/json');
  if (TOKEN_PATHS.has(url.pathname)) {
    issued += 1;
    res.end(JSON.stringify({ errcode: 0, access_token: `tok-${issued}`, expires_in: 7200 }));
    return;
  }
  const token = url.searchParams.get('access_token') ?? req.headers.authorization?.slice(7);
  if (token !== undefined && revoked.has(token)) {
    res.end(JSON.stringify({ errcode: 40014, errmsg: 'invalid access_token' }));
    return;
  }
  calls.push({ path: url.pathname, token, body: raw === '' ? undefined : JSON.parse(raw) });
  const behaviour = behave(url.pathname);
  if (behaviour.kind === 'reset') {
    // The request was read whole: the platform may have acted on it; the answer is lost.
    req.socket.destroy();
    return;
  }
  if (behaviour.kind === 'hang') return;
  if (behaviour.kind === 'status') {
    res.statusCode = behaviour.status;
    res.end(JSON.stringify({ message: 'bad gateway' }));
    return;
  }
  res.end(JSON.stringify(behaviour.body));
}

@Injectable()
class UsesClients {
  constructor(
    @InjectQingtuiClient() readonly byDefault: QingtuiClient,
    @InjectQingtuiClient('q') readonly q: QingtuiClient,
    @InjectQingtuiClient('mp') readonly mp: WeChatClient,
    @InjectQingtuiClient('oa') readonly oa: WeComClient,
  ) {}
}

function options(base: string): QingtuiModuleOptions {
  return {
    apps: [
      { name: 'q', appId: 'q-app', appSecret: SECRET },
      { name: 'mp', platform: 'wechat-mp', appId: 'wx-app', appSecret: SECRET },
      { name: 'oa', platform: 'wecom', corpId: 'ww1', agentId: 1000002, secret: SECRET },
    ],
    baseUrls: { qingtui: base, 'wechat-mp': base, wecom: base },
    keyPrefix: 'typed-clients-spec',
    prefetch: false,
    httpTimeoutMs: 300,
  };
}

let moduleRef: TestingModule;
let uses: UsesClients;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  moduleRef = await Test.createTestingModule({
    imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot(options(base))],
    providers: [UsesClients],
  }).compile();
  await moduleRef.init();
  uses = moduleRef.get(UsesClients);
});

afterAll(async () => {
  await moduleRef?.close();
  if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  calls = [];
  behave = () => ({ kind: 'answer', body: { errcode: 0 } });
});

async function failure(run: Promise<unknown>): Promise<unknown> {
  return run.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
}

const TEXT_MASS = { toUser: ['o1', 'o2'], message: { type: 'text', content: 'x' } } as const;

/** One send of each client, as the fake platform sees it. */
const SENDS: [string, () => Promise<unknown>, string][] = [
  ['QingtuiClient', () => uses.q.sendText({ toUser: 'o1' }, 'hi'), '/v1/message/text/send/single'],
  ['WeComClient', () => uses.oa.sendText({ toUser: ['lisi'] }, 'hi'), '/cgi-bin/message/send'],
  [
    'WeChatClient template',
    () => uses.mp.sendTemplate({ toUser: 'o1', templateId: 't', data: { a: { value: 'x' } } }),
    '/cgi-bin/message/template/send',
  ],
  [
    'WeChatClient subscribe',
    () => uses.mp.sendSubscribe({ toUser: 'o1', templateId: 't', data: { a: { value: 'x' } } }),
    '/cgi-bin/message/subscribe/bizsend',
  ],
  [
    'WeChatClient custom',
    () => uses.mp.sendCustom({ toUser: 'o1', message: { type: 'text', content: 'x' } }),
    '/cgi-bin/message/custom/send',
  ],
  ['WeChatClient mass', () => uses.mp.sendMass(TEXT_MASS), '/cgi-bin/message/mass/send'],
];

describe('@InjectQingtuiClient: the client of the app platform', () => {
  it('injects QingtuiClient, WeChatClient and WeComClient by app name, the registry ones', () => {
    expect(uses.q).toBeInstanceOf(QingtuiClient);
    expect(uses.byDefault).toBe(uses.q);
    expect(uses.mp).toBeInstanceOf(WeChatClient);
    expect(uses.oa).toBeInstanceOf(WeComClient);
    expect(uses.oa.agentId).toBe('1000002');
    const clients = moduleRef.get(QingtuiClients);
    expect(clients.wechat('mp')).toBe(uses.mp);
    expect(clients.wecom('oa')).toBe(uses.oa);
    expect(moduleRef.get(getQingtuiClientToken('oa'))).toBe(uses.oa);
  });

  it('forRootAsync: the clients listed in `clients` are injected the same way', async () => {
    const ref = await Test.createTestingModule({
      imports: [
        ScheduleModule.forRoot(),
        QingtuiModule.forRootAsync({ useFactory: () => options(base), clients: ['q', 'mp', 'oa'] }),
      ],
      providers: [UsesClients],
    }).compile();
    const injected = ref.get(UsesClients);
    expect(injected.mp).toBeInstanceOf(WeChatClient);
    expect(injected.oa).toBeInstanceOf(WeComClient);
    expect(injected.q).toBeInstanceOf(QingtuiClient);
    await ref.close();
  });
});

describe('typed clients through the interceptor', () => {
  it('WeCom: the app token, agentid from the configuration, the invalid lists', async () => {
    behave = () => ({
      kind: 'answer',
      body: { errcode: 0, errmsg: 'ok', invaliduser: 'ghost', msgid: 'M1' },
    });
    const result = await uses.oa.sendText({ toUser: ['lisi', 'ghost'] }, 'hi');
    expect(result).toMatchObject({ msgId: 'M1', invalidUsers: ['ghost'] });
    expect(calls).toHaveLength(1);
    expect(calls[0].token).toMatch(/^tok-/);
    expect(calls[0].body).toEqual({
      touser: 'lisi|ghost',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: 'hi' },
    });
  });

  it('WeCom: 81013 (every recipient invalid) is a QingtuiApiError keeping errcode and errmsg', async () => {
    behave = () => ({
      kind: 'answer',
      body: { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: 'x' },
    });
    const error = await failure(uses.oa.sendText({ toUser: ['x'] }, 'hi'));
    expect(error).toBeInstanceOf(QingtuiApiError);
    expect(error).toMatchObject({
      errcode: 81013,
      errmsg: 'user & party & tag all invalid',
      platform: 'WeCom',
      endpoint: '/cgi-bin/message/send',
    });
    expect(calls).toHaveLength(1);
  });

  it('WeChat mass: 45065 is success with the first msg_id, sent once', async () => {
    behave = () => ({
      kind: 'answer',
      body: { errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 1000000001 },
    });
    await expect(uses.mp.sendMass({ ...TEXT_MASS, clientMsgId: 'batch-1' })).resolves.toEqual({
      msgId: '1000000001',
      alreadySent: true,
    });
    expect(calls).toHaveLength(1);
  });

  it.each([
    [
      45066,
      'clientmsgid retried too fast',
      () => uses.mp.sendMass({ ...TEXT_MASS, clientMsgId: 'b' }),
    ],
    [
      43101,
      'user refuse to accept the msg',
      () => uses.mp.sendSubscribe({ toUser: 'o1', templateId: 't', data: { a: { value: 'x' } } }),
    ],
    [
      45015,
      'response out of time limit',
      () => uses.mp.sendCustom({ toUser: 'o1', message: { type: 'text', content: 'x' } }),
    ],
  ])(
    'WeChat: errcode %d stays a QingtuiApiError with its code, not re-sent',
    async (errcode, errmsg, run) => {
      behave = () => ({ kind: 'answer', body: { errcode, errmsg } });
      const error = await failure(run());
      expect(error).toBeInstanceOf(QingtuiApiError);
      expect(error).not.toBeInstanceOf(QingtuiOutcomeUnknownError);
      expect(error).toMatchObject({ errcode, errmsg, platform: 'WeChat' });
      expect(calls).toHaveLength(1);
    },
  );

  it.each([
    ['WeCom', () => uses.oa.sendText({ toUser: ['a'] }, 'hi'), 'oa'],
    [
      'WeChat',
      () => uses.mp.sendTemplate({ toUser: 'o1', templateId: 't', data: { a: { value: 'x' } } }),
      'mp',
    ],
  ])(
    '%s: a rejected token is renewed and the send re-sent once, with the new token',
    async (_p, run, app) => {
      const old = await moduleRef.get(TokenService).getToken(app);
      revoked.add(old);
      behave = () => ({ kind: 'answer', body: { errcode: 0, msgid: 'M', msg_id: 'M' } });
      await run();
      // The refused call never reached the handler; exactly one delivery, with a fresh token.
      expect(calls).toHaveLength(1);
      expect(calls[0].token).not.toBe(old);
    },
  );
});

describe('never sent twice: outcome unknown after the request left', () => {
  it.each(SENDS)(
    '%s: a reset after the body was read is QingtuiOutcomeUnknownError, sent once',
    async (_n, run, path) => {
      behave = () => ({ kind: 'reset' });
      const error = await failure(run());
      expect(error).toBeInstanceOf(QingtuiOutcomeUnknownError);
      expect(error).toMatchObject({
        code: 'OUTCOME_UNKNOWN',
        endpoint: path,
        kind: 'transient',
        maybeProcessed: true,
        retryable: false,
      });
      expect(calls.map((c) => c.path)).toEqual([path]);
      const text = (error as Error).message;
      expect(text).toContain(path);
      expect(text).not.toMatch(/tok-\d|access_token=/);
      expect(text).not.toContain(SECRET);
    },
  );

  it.each(SENDS)(
    '%s: an HTTP 502 is QingtuiOutcomeUnknownError, sent once',
    async (_n, run, path) => {
      behave = () => ({ kind: 'status', status: 502 });
      const error = await failure(run());
      expect(error).toBeInstanceOf(QingtuiOutcomeUnknownError);
      expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', status: 502 });
      expect(calls.map((c) => c.path)).toEqual([path]);
    },
  );

  it.each(SENDS)(
    '%s: a time-out after sending is QingtuiOutcomeUnknownError, sent once',
    async (_n, run, path) => {
      behave = () => ({ kind: 'hang' });
      const error = await failure(run());
      expect(error).toBeInstanceOf(QingtuiOutcomeUnknownError);
      expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', errmsg: 'timed out' });
      expect(calls.map((c) => c.path)).toEqual([path]);
    },
  );

  it('names the app and the platform', async () => {
    behave = () => ({ kind: 'reset' });
    const error = await failure(uses.oa.sendText({ toUser: ['a'] }, 'hi'));
    expect(error).toMatchObject({ app: 'oa', platform: 'WeCom' });
    expect((error as Error).message).toMatch(
      /^WeCom \/cgi-bin\/message\/send for app "oa": outcome unknown/,
    );
  });

  it('a recall is not re-sent either', async () => {
    behave = () => ({ kind: 'reset' });
    await expect(uses.oa.recall('M1')).rejects.toBeInstanceOf(QingtuiOutcomeUnknownError);
    expect(calls).toHaveLength(1);
  });

  // Last: it closes the fake platform.
  it('a refused connection (nothing sent) stays a plain QingtuiApiError for every client', async () => {
    const tokens = moduleRef.get(TokenService);
    for (const app of ['q', 'mp', 'oa']) await tokens.getToken(app);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [, run] of SENDS) {
      const error = await failure(run());
      expect(error).toBeInstanceOf(QingtuiApiError);
      expect(error).not.toBeInstanceOf(QingtuiOutcomeUnknownError);
      expect(error).toMatchObject({ kind: 'transient', maybeProcessed: false, retryable: true });
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
    }
    expect(calls).toHaveLength(0);
  });
});
