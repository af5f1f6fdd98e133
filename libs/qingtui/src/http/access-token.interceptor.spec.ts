import type { HttpService } from '@nestjs/axios';
import type { AxiosInstance } from 'axios';
import { ScheduleModule } from '@nestjs/schedule';
import { Test, type TestingModule } from '@nestjs/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiApiError } from '../errors/qingtui-api.error.js';
import { QingtuiOutcomeUnknownError } from '../errors/qingtui-outcome-unknown.error.js';
import { QingtuiModule } from '../qingtui.module.js';
import { QINGTUI_HTTP } from './inject-qingtui-http.decorator.js';

/*
 * The interceptor reads business answers with the one answer reader (`parseAnswer`) that the
 * token fetchers use: the same kinds for the same answers. A fake platform on 127.0.0.1.
 */

type Answer = { status: number; body: string };
let server: Server;
let answer: () => Answer;
let calls: string[] = [];
let moduleRef: TestingModule;
let http: AxiosInstance;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const { status, body } =
      path === '/v1/token'
        ? {
            status: 200,
            body: JSON.stringify({ errcode: 0, access_token: 'tok-1', expires_in: 7200 }),
          }
        : answer();
    if (path !== '/v1/token') calls.push(`${req.method} ${path}`);
    req.resume();
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  moduleRef = await Test.createTestingModule({
    imports: [
      ScheduleModule.forRoot(),
      QingtuiModule.forRoot({
        apps: [{ name: 'main', appId: 'app-1', appSecret: 'interceptor-spec-secret' }],
        baseUrl: `http://127.0.0.1:${port}`,
        keyPrefix: 'interceptor-spec',
        prefetch: false,
      }),
    ],
  }).compile();
  await moduleRef.init();
  http = moduleRef.get<HttpService>(QINGTUI_HTTP).axiosRef;
});

afterAll(async () => {
  await moduleRef?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  calls = [];
});

const json = (status: number, body: unknown): Answer => ({ status, body: JSON.stringify(body) });

async function failure(run: Promise<unknown>): Promise<QingtuiApiError> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QingtuiApiError);
  return error as QingtuiApiError;
}

describe('AccessTokenInterceptor: answers', () => {
  it('hands back the parsed object of a success', async () => {
    answer = () => json(200, { errcode: 0, data: 'x' });
    const res = await http.get('/v1/x', { qingtui: { app: 'main' } });
    expect(res.data).toEqual({ errcode: 0, data: 'x' });
    expect(calls).toEqual(['GET /v1/x']);
  });

  it('keeps errcode and errmsg of a refusal, not re-sent', async () => {
    answer = () => json(200, { errcode: 40035, errmsg: 'invalid parameter' });
    const error = await failure(http.post('/v1/x', {}, { qingtui: { app: 'main' } }));
    expect(error).toMatchObject({
      kind: 'request',
      errcode: 40035,
      errmsg: 'invalid parameter',
      endpoint: '/v1/x',
      status: 200,
      platform: 'Qingtui',
    });
    expect(calls).toHaveLength(1);
  });

  it('HTTP 5xx is transient: an idempotent read is re-sent once', async () => {
    answer = () => json(502, { message: 'bad gateway' });
    const error = await failure(http.get('/v1/x', { qingtui: { app: 'main' } }));
    expect(error).toMatchObject({
      kind: 'transient',
      errcode: undefined,
      status: 502,
      errmsg: 'HTTP 502',
    });
    expect(calls).toEqual(['GET /v1/x', 'GET /v1/x']);
  });

  it('a body that is not a JSON object is transient; a send is never re-sent', async () => {
    for (const body of ['<html>busy</html>', '[1,2]']) {
      calls = [];
      answer = () => ({ status: 200, body });
      const error = await failure(http.post('/v1/x', {}, { qingtui: { app: 'main' } }));
      expect(error).toMatchObject({
        kind: 'transient',
        status: 200,
        errmsg: 'answer is not a JSON object',
      });
      expect(calls).toHaveLength(1);
    }
  });

  it('another HTTP 4xx without errcode is a request error', async () => {
    answer = () => json(404, { message: 'no such path' });
    const error = await failure(http.get('/v1/x', { qingtui: { app: 'main' } }));
    expect(error).toMatchObject({ kind: 'request', status: 404, errcode: undefined });
    expect(calls).toHaveLength(1);
  });
});

describe('AccessTokenInterceptor: outcome unknown, answers read as such', () => {
  it('a POST answered HTTP 5xx is QingtuiOutcomeUnknownError, not re-sent', async () => {
    answer = () => json(503, { message: 'busy' });
    const error = await failure(http.post('/v1/x', {}, { qingtui: { app: 'main' } }));
    expect(error).toBeInstanceOf(QingtuiOutcomeUnknownError);
    expect(error).toMatchObject({ code: 'OUTCOME_UNKNOWN', app: 'main', status: 503 });
    expect(calls).toEqual(['POST /v1/x']);
  });

  it('a POST marked idempotent is re-sent once and stays a plain QingtuiApiError', async () => {
    answer = () => json(503, { message: 'busy' });
    const error = await failure(
      http.post('/v1/x', {}, { qingtui: { app: 'main', idempotent: true } }),
    );
    expect(error).not.toBeInstanceOf(QingtuiOutcomeUnknownError);
    expect(calls).toEqual(['POST /v1/x', 'POST /v1/x']);
  });

  it('hands back a body whose errcode is in answerErrcodes, others stay errors', async () => {
    answer = () => json(200, { errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 7 });
    const res = await http.post('/v1/x', {}, { qingtui: { app: 'main', answerErrcodes: [45065] } });
    expect(res.data).toEqual({ errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 7 });
    const error = await failure(
      http.post('/v1/x', {}, { qingtui: { app: 'main', answerErrcodes: [45066] } }),
    );
    expect(error).toMatchObject({ errcode: 45065 });
  });
});
