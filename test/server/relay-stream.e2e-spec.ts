import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { SANDBOX_DEMO_WECHAT_APP } from 'qingtui-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  type ServerHarness,
  startHarness,
} from '../support/central-server.harness.js';
import { portOf } from '../support/raw-http.js';

/*
 * Issue 16.3, "bodies stream both ways": a large upload goes to the platform as it arrives (the
 * relay never holds it whole), is sent once, and is cut off (the platform gets an incomplete
 * request, so acts on nothing) when it trickles or grows past the limit. The stand-in WeChat
 * platform counts the bytes it has received at every moment and the uploads it received whole.
 */
const WX = SANDBOX_DEMO_WECHAT_APP;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
const MB = 1024 * 1024;

interface StandInPlatform {
  server: Server;
  /** Bytes of upload bodies received so far (all uploads). */
  received: number;
  /** Uploads received whole, with their size and digest. */
  complete: { bytes: number; sha256: string; token: string }[];
  /** Uploads that ended before their body did. */
  cutOff: number;
  /** Tokens issued; the upload path rejects `rejected` with 40001. */
  issued: number;
  rejected: string | undefined;
}

function standInPlatform(): StandInPlatform {
  const state: StandInPlatform = {
    server: undefined as unknown as Server,
    received: 0,
    complete: [],
    cutOff: 0,
    issued: 0,
    rejected: undefined,
  };
  const json = (res: import('node:http').ServerResponse, body: unknown) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
  state.server = createServer((req: IncomingMessage, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/cgi-bin/token') {
      state.issued += 1;
      json(res, { access_token: `stand-in-wx-token-${state.issued}-abcdef`, expires_in: 7200 });
      return;
    }
    if (url.pathname !== '/cgi-bin/media/upload') {
      json(res, { errcode: 0, ip_list: ['192.0.2.1'] });
      return;
    }
    const token = url.searchParams.get('access_token') ?? '';
    const digest = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      state.received += chunk.length;
      digest.update(chunk);
    });
    req.on('end', () => {
      if (token === state.rejected) {
        json(res, { errcode: 40001, errmsg: 'invalid credential, access_token is invalid' });
        return;
      }
      state.complete.push({ bytes, sha256: digest.digest('hex'), token });
      json(res, { type: 'image', media_id: `media-${state.complete.length}`, bytes });
    });
    req.on('aborted', () => (state.cutOff += 1));
  });
  return state;
}

/** An upload written by the test at its own pace: `send(bytes)`, then `end()`. */
function upload(port: number, headers: Record<string, string>) {
  const req = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/apps/wx/cgi-bin/media/upload?type=image',
    headers: { ...admin, 'Content-Type': 'application/octet-stream', ...headers },
  });
  const answer = new Promise<{ status: number; json: unknown }>((resolve) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json: body });
      });
    });
    req.on('error', (error) => resolve({ status: -1, json: error.message }));
  });
  return {
    send: (bytes: Buffer) => new Promise<void>((resolve) => req.write(bytes, () => resolve())),
    end: (bytes?: Buffer) => req.end(bytes),
    answer,
  };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('relay: request bodies stream to the platform', () => {
  let h: ServerHarness;
  let platform: StandInPlatform;
  let port: number;

  beforeAll(async () => {
    platform = standInPlatform();
    await new Promise<void>((resolve) => platform.server.listen(0, '127.0.0.1', resolve));
    h = await startHarness({
      listen: true,
      appsFile: [
        { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
        { name: 'wx', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
      ],
      env: {
        WECHAT_BASE_URL: `http://127.0.0.1:${portOf(platform.server)}`,
        QINGTUI_HTTP_TIMEOUT_MS: '1000',
      },
    });
    port = portOf(h.app.getHttpServer());
  });
  afterAll(async () => {
    await h?.close();
    platform?.server.closeAllConnections();
    await new Promise((resolve) => platform?.server.close(resolve));
  });
  beforeEach(() => {
    platform.received = 0;
    platform.complete = [];
    platform.cutOff = 0;
  });

  it('a 6 MB upload reaches the platform while the client is still sending it, once, intact', async () => {
    const body = Buffer.alloc(6 * MB);
    for (let i = 0; i < body.length; i += 4096) body[i] = i % 251;
    const up = upload(port, { 'Content-Length': String(body.length) });
    await up.send(body.subarray(0, 4 * MB));
    // The client holds back the last 2 MB: a relay that buffered would have sent nothing yet.
    expect(await until(() => platform.received >= 3 * MB, 5_000)).toBe(true);
    expect(platform.complete).toHaveLength(0);
    up.end(body.subarray(4 * MB));
    const answer = await up.answer;
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ media_id: 'media-1', bytes: 6 * MB });
    expect(platform.complete).toEqual([
      {
        bytes: 6 * MB,
        sha256: createHash('sha256').update(body).digest('hex'),
        token: expect.any(String),
      },
    ]);
  }, 20_000);

  it('a chunked upload (no Content-Length) past 1 MB streams too', async () => {
    const up = upload(port, { 'Transfer-Encoding': 'chunked' });
    await up.send(Buffer.alloc(3 * MB, 1));
    expect(await until(() => platform.received >= 2 * MB, 5_000)).toBe(true);
    up.end(Buffer.alloc(MB, 2));
    const answer = await up.answer;
    expect(answer.status).toBe(200);
    expect(platform.complete.map((c) => c.bytes)).toEqual([4 * MB]);
  }, 20_000);

  it('a large upload that stops halfway is cut off at the deadline: 408, the platform acts on nothing', async () => {
    const started = Date.now();
    const up = upload(port, { 'Content-Length': String(5 * MB) });
    await up.send(Buffer.alloc(2 * MB, 3));
    const answer = await up.answer; // never ended by the client
    expect(answer.status).toBe(408);
    expect(answer.json).toMatchObject({ errcode: expect.any(Number) });
    // 3 × QINGTUI_HTTP_TIMEOUT_MS (1 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(await until(() => platform.cutOff === 1, 2_000)).toBe(true);
    expect(platform.complete).toHaveLength(0);
  }, 20_000);

  it('a chunked upload that grows past 20 MB: 413, cut off, nothing complete at the platform', async () => {
    const up = upload(port, { 'Transfer-Encoding': 'chunked' });
    for (let i = 0; i < 22; i += 1) await up.send(Buffer.alloc(MB, 4));
    up.end();
    const answer = await up.answer;
    expect(answer.status).toBe(413);
    expect(await until(() => platform.cutOff === 1, 2_000)).toBe(true);
    expect(platform.complete).toHaveLength(0);
    expect(platform.received).toBeLessThanOrEqual(20 * MB);
  }, 30_000);

  it('a streamed upload the platform refuses for its token: the refusal passed as it is, sent once, the token renewed', async () => {
    const before = (
      (await (
        await fetch(`http://127.0.0.1:${port}/apps/wx/token`, { headers: admin })
      ).json()) as { access_token: string }
    ).access_token;
    platform.rejected = before;
    const issued = platform.issued;
    const up = upload(port, { 'Content-Length': String(2 * MB) });
    up.end(Buffer.alloc(2 * MB, 5));
    const answer = await up.answer;
    expect(answer.json).toMatchObject({ errcode: 40001 });
    // Sent once (a streamed body is gone), the token renewed once for the client's own retry.
    expect(platform.cutOff).toBe(0);
    expect(await until(() => platform.issued === issued + 1, 3_000)).toBe(true);
    const retry = upload(port, { 'Content-Length': String(2 * MB) });
    retry.end(Buffer.alloc(2 * MB, 6));
    expect((await retry.answer).status).toBe(200);
    expect(platform.complete).toHaveLength(1);
    expect(platform.complete[0].token).not.toBe(before);
  }, 20_000);
});
