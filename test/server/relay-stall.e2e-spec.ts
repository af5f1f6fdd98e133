import { createServer, request as httpRequest, type Server } from 'node:http';
import { SANDBOX_DEMO_WECHAT_APP } from 'qingtui-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  type ServerHarness,
  startHarness,
} from '../support/central-server.harness.js';
import { portOf, rawRequest } from '../support/raw-http.js';

/*
 * Issue 16.5: a platform that hangs mid-stream. The stand-in WeChat platform sends an answer's
 * headers and half its body, then goes silent. The relay ends that answer after one call
 * timeout (the client sees an incomplete body, never a hang), sends nothing twice, and holds no
 * other request meanwhile.
 */
const WX = SANDBOX_DEMO_WECHAT_APP;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('relay: a platform that stalls mid-stream', () => {
  let h: ServerHarness;
  let platform: Server;
  let stalled = 0;

  beforeAll(async () => {
    platform = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/cgi-bin/token') {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ access_token: 'fake-wx-token-stall-0123', expires_in: 7200 }));
        return;
      }
      if (url.pathname === '/cgi-bin/media/get') {
        stalled += 1;
        res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': '200000' });
        res.write(Buffer.alloc(100_000, 7)); // half, then silence
        return;
      }
      res.setHeader('Content-Type', 'application/json');
      res.end('{"errcode":0,"ip_list":["192.0.2.1"]}');
    });
    await new Promise<void>((resolve) => platform.listen(0, '127.0.0.1', resolve));
    h = await startHarness({
      listen: true,
      appsFile: [
        { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
        { name: 'wx', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
      ],
      env: {
        WECHAT_BASE_URL: `http://127.0.0.1:${portOf(platform)}`,
        QINGTUI_HTTP_TIMEOUT_MS: '1000',
      },
    });
  });
  afterAll(async () => {
    await h?.close();
    platform?.closeAllConnections();
    await new Promise((resolve) => platform?.close(resolve));
  });

  it('ends the stalled answer after one timeout, sends it once, and serves others meanwhile', async () => {
    const port = portOf(h.app.getHttpServer());
    const started = Date.now();
    const outcome = new Promise<{ bytes: number; ended: string; ms: number }>((resolve) => {
      let bytes = 0;
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/apps/wx/cgi-bin/media/get?media_id=m', headers: admin },
        (res) => {
          res.on('data', (chunk: Buffer) => (bytes += chunk.length));
          res.on('end', () => resolve({ bytes, ended: 'end', ms: Date.now() - started }));
          res.on('error', () => resolve({ bytes, ended: 'error', ms: Date.now() - started }));
          res.on('close', () => resolve({ bytes, ended: 'close', ms: Date.now() - started }));
        },
      );
      req.on('error', () => resolve({ bytes, ended: 'request error', ms: Date.now() - started }));
      req.end();
    });
    // Meanwhile another relayed call is answered at once.
    await new Promise((r) => setTimeout(r, 200));
    const other = await rawRequest(port, 'GET', '/apps/wx/cgi-bin/getcallbackip', {
      headers: admin,
    });
    expect(other.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);

    const { bytes, ms } = await outcome;
    expect(bytes).toBeLessThan(200_000); // incomplete: the client can tell
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(5_000);
    expect(stalled).toBe(1); // never sent twice
  }, 15_000);
});
