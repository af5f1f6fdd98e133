import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { SANDBOX_DEMO_WECHAT_APP } from 'qingtui-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { portOf, rawRequest } from '../support/raw-http.js';

/*
 * The relay under hostile requests: no path, header or query can send a call anywhere but the
 * configured platform (an "evil" server counts what reaches it: nothing), a body that trickles is
 * cut off, and the platform's answer headers are filtered while its bytes pass as they are.
 */

const WX = SANDBOX_DEMO_WECHAT_APP;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
const APPS = [
  { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
  { name: 'wx', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
];

/** A local server that records every request it gets. */
async function startRecorder(
  answer: (req: IncomingMessage, res: import('node:http').ServerResponse) => void,
): Promise<{
  server: Server;
  port: number;
  seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
}> {
  const seen: { method: string; url: string; headers: IncomingMessage['headers'] }[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: portOf(server), seen };
}

describe('relay: attacks on the target host', () => {
  let h: ServerHarness;
  let port: number;
  let evil: Awaited<ReturnType<typeof startRecorder>>;

  beforeAll(async () => {
    evil = await startRecorder((_req, res) => res.end('{"errcode":0,"evil":true}'));
    h = await startHarness({
      appsFile: APPS,
      listen: true,
      env: { QINGTUI_HTTP_TIMEOUT_MS: '1000' },
    });
    port = portOf(h.app.getHttpServer());
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => evil?.server.close(resolve));
  });
  beforeEach(() => h.sandbox.resetCounters());

  const EVIL = () => `127.0.0.1:${evil.port}`;
  const attacks = () => [
    `/apps/wx/cgi-bin/../../evil`,
    `/apps/wx/cgi-bin/%2e%2e/%2e%2e/evil`,
    `/apps/wx/cgi-bin/%2E%2E%2F%2E%2E%2Fevil`,
    `/apps/wx/cgi-bin/a%2F..%2F..%2Fevil`,
    `/apps/wx/cgi-bin//${EVIL()}/x`,
    `/apps/wx/cgi-bin/%2F%2F${EVIL()}`,
    `/apps/wx/cgi-bin/@${EVIL()}`,
    `/apps/wx/cgi-bin/http:%2F%2F${EVIL()}%2Fx`,
    `/apps/wx/cgi-bin/a%5C..%5Cevil`,
    `/apps/wx/cgi-bin/getcallbackip%00`,
  ];

  it('refuses traversal, encoded slashes, double slashes and authorities in the path (4xx)', async () => {
    for (const target of attacks()) {
      const res = await rawRequest(port, 'GET', target, { headers: admin });
      expect(res.status, target).toBeGreaterThanOrEqual(400);
      expect(res.status, target).toBeLessThan(500);
    }
    expect(evil.seen).toHaveLength(0);
    expect(h.sandbox.counters().total.apiCalls).toBe(0);
  });

  it('an absolute URL as request target reaches no other host', async () => {
    const res = await rawRequest(port, 'GET', `http://${EVIL()}/apps/wx/cgi-bin/getcallbackip`, {
      headers: admin,
    });
    // Node routes on the path: the configured platform answers, or the server refuses.
    expect([200, 400, 404]).toContain(res.status);
    expect(evil.seen).toHaveLength(0);
  });

  it('Host, X-Forwarded-Host and the query cannot change the target', async () => {
    const res = await rawRequest(
      port,
      'GET',
      `/apps/wx/cgi-bin/getcallbackip?host=${EVIL()}&url=http://${EVIL()}/&access_token=x@${EVIL()}`,
      {
        headers: {
          ...admin,
          Host: EVIL(),
          'X-Forwarded-Host': EVIL(),
          'X-Forwarded-Proto': 'http',
          Forwarded: `host=${EVIL()}`,
        },
      },
    );
    expect(res.status).toBe(200);
    expect(res.json).toHaveProperty('ip_list');
    expect(evil.seen).toHaveLength(0);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(1);
  });

  it('a body that trickles in is cut off (408), nothing sent to the platform', async () => {
    const started = Date.now();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/apps/wx/cgi-bin/menu/create',
        headers: { ...admin, 'Content-Type': 'application/json', 'Content-Length': '1000' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const timer = setInterval(() => req.write('{'), 200);
      req.on('close', () => clearInterval(timer));
    });
    expect(status).toBe(408);
    // 3 × QINGTUI_HTTP_TIMEOUT_MS (1 s).
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(h.sandbox.counters().total.apiCalls).toBe(0);
  }, 10_000);
});

describe('relay: answers passed as they are', () => {
  let h: ServerHarness;
  let port: number;
  let platform: Awaited<ReturnType<typeof startRecorder>>;
  const BYTES = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7 + 3) % 256));

  beforeAll(async () => {
    // A stand-in WeChat platform: a token endpoint, and a media download with binary bytes.
    platform = await startRecorder((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/cgi-bin/token') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ access_token: 'fake-wx-token-0123456789', expires_in: 7200 }));
        return;
      }
      if (url.pathname === '/cgi-bin/media/get') {
        res.setHeader('Content-Type', 'image/jpeg');
        res.setHeader('Content-Disposition', 'attachment; filename="m.jpg"');
        res.setHeader('Set-Cookie', 'session=platform-cookie');
        res.setHeader('Keep-Alive', 'timeout=5');
        res.end(BYTES);
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ errcode: 0, query: url.search }));
    });
    h = await startHarness({
      appsFile: APPS,
      listen: true,
      env: { WECHAT_BASE_URL: `http://127.0.0.1:${platform.port}` },
    });
    port = portOf(h.app.getHttpServer());
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => platform?.server.close(resolve));
  });

  it('streams a binary download byte for byte, with its content type; no Set-Cookie', async () => {
    const res = await rawRequest(port, 'GET', '/apps/wx/cgi-bin/media/get?media_id=m1', {
      headers: admin,
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-disposition']).toBe('attachment; filename="m.jpg"');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body.equals(BYTES)).toBe(true);
  });

  it('sends the server token, keeps the other parameters, drops credentials and hop-by-hop headers', async () => {
    platform.seen.length = 0;
    await rawRequest(
      port,
      'POST',
      '/apps/wx/cgi-bin/message/custom/send?a=1&access_token=ignored&b=%E4%BD%A0',
      {
        headers: {
          ...admin,
          Cookie: 'client-cookie=1',
          'Content-Type': 'application/json',
          Connection: 'keep-alive, X-Private',
          'X-Private': 'hop',
          'X-Forwarded-For': '10.0.0.1',
          'X-Custom': 'kept',
        },
        body: '{"touser":"u"}',
      },
    );
    expect(platform.seen).toHaveLength(1);
    const seen = platform.seen[0];
    expect(seen.url).toBe(
      '/cgi-bin/message/custom/send?a=1&b=%E4%BD%A0&access_token=fake-wx-token-0123456789',
    );
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers.cookie).toBeUndefined();
    expect(seen.headers['x-private']).toBeUndefined();
    expect(seen.headers['x-forwarded-for']).toBeUndefined();
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['content-length']).toBe('14');
    expect(seen.headers.host).toBe(`127.0.0.1:${platform.port}`);
  });
});
