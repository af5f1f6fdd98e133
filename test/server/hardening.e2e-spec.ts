import { request as httpRequest } from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  serverEnv,
  startPlatform,
  writeAppsFile,
} from '../support/central-server.harness.js';
import { BUILT, BuiltServer } from '../support/built-server.js';

/*
 * Issue 13, point 6: bodies and headers a hostile or broken client sends, against a process of
 * the built server. Each gets a clear 4xx, no stack, and reaches no platform.
 */
const auth = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
const REFRESH = '/apps/default/token/refresh';

describe.skipIf(!BUILT)('hostile encodings and headers (built server)', () => {
  let server: BuiltServer;
  let base: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const { sandbox, url } = await startPlatform();
    const apps = writeAppsFile([
      { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
    ]);
    server = new BuiltServer({ ...serverEnv(url, apps.path), PORT: '0' });
    cleanup = async () => {
      await server.kill();
      await sandbox.stop();
      apps.cleanup();
    };
    base = await server.url();
  });
  afterAll(async () => {
    await cleanup?.();
  });

  const post = (headers: Record<string, string>, body: Uint8Array | string) =>
    fetch(`${base}${REFRESH}`, { method: 'POST', headers: { ...auth, ...headers }, body });

  it.each([
    [
      'gzip',
      Buffer.concat([gzipSync('{"stale_token":"x"}').subarray(0, 12), Buffer.from('garbage!')]),
    ],
    ['deflate', Buffer.from('this is not deflate at all')],
    [
      'br',
      Buffer.concat([
        brotliCompressSync('{"stale_token":"x"}').subarray(0, 3),
        Buffer.from([0xff, 0xff, 0xff]),
      ]),
    ],
  ])('a corrupt %s body answers 400, without a stack', async (encoding, body) => {
    const res = await post({ 'content-encoding': encoding }, body);
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({
      statusCode: 400,
      message: expect.stringMatching(/decompress/),
    });
    expect(text).not.toMatch(/at .*\.js:\d+|node:internal|Error:/);
  });

  it('a UTF-16 body answers 415, whether its charset says so or only its byte order mark', async () => {
    const utf16 = Buffer.from('\ufeff{"stale_token":"x"}', 'utf16le');
    const declared = await post({ 'content-type': 'application/json; charset=utf-16' }, utf16);
    expect(declared.status).toBe(415);
    const bom = await post({}, utf16);
    expect(bom.status).toBe(415);
    // UTF-8 still works.
    const ok = await post(
      { 'content-type': 'application/json; charset=utf-8' },
      '{"stale_token":"x"}',
    );
    expect(ok.status).toBe(200);
  });

  /**
   * POSTs a refresh with `Expect: 100-continue`, sending the body only once the server says
   * "100 Continue": whether it did, and the final status.
   */
  const expectingContinue = (headers: Record<string, string>) =>
    new Promise<{ continued: boolean; status?: number }>((resolve, reject) => {
      const url = new URL(`${base}${REFRESH}`);
      const body = '{"stale_token":"x"}';
      let continued = false;
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { ...headers, expect: '100-continue', 'content-length': String(body.length) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ continued, status: res.statusCode }));
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('error', reject);
      // Without a 100, Node's client waits: the server answers first.
      req.flushHeaders();
    });

  it('Expect: 100-continue is not answered 100 before the key is checked', async () => {
    const outcome = await expectingContinue({
      'content-type': 'application/json',
      authorization: 'Bearer wrong-key-0123456789abcdef',
    });
    expect(outcome).toEqual({ continued: false, status: 401 });
  });

  it('Expect: 100-continue gets its 100 once the key is accepted, and the request is served', async () => {
    expect(await expectingContinue(auth)).toEqual({ continued: true, status: 200 });
  });
});

describe.skipIf(!BUILT)(
  'liveness during a start-up that waits on a hung platform (built server)',
  () => {
    it('GET /health/live answers at once while the token fetch hangs', async () => {
      const { freePort } = await import('../../bench/support/server-process.js');
      const { sandbox, url } = await startPlatform();
      sandbox.addFault({ kind: 'hang', path: /^\/(v1\/token|auth)/ });
      const apps = writeAppsFile([
        { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
      ]);
      const port = await freePort();
      const server = new BuiltServer({
        ...serverEnv(url, apps.path),
        PORT: String(port),
        QINGTUI_HTTP_TIMEOUT_MS: '20000',
      });
      try {
        // The port is bound before the tokens are fetched; the start-up then waits on the platform.
        let live: Response | undefined;
        const deadline = Date.now() + 15_000;
        while (live === undefined && Date.now() < deadline) {
          live = await fetch(`http://127.0.0.1:${port}/health/live`, {
            signal: AbortSignal.timeout(500),
          }).catch(() => undefined);
          if (live === undefined) await new Promise((r) => setTimeout(r, 100));
        }
        expect(live?.status).toBe(200);
        const started = performance.now();
        const again = await fetch(`http://127.0.0.1:${port}/health/live`, {
          signal: AbortSignal.timeout(2_000),
        });
        expect(again.status).toBe(200);
        expect(await again.json()).toEqual({ status: 'ok' });
        expect(performance.now() - started).toBeLessThan(1_000);
        // Still starting: nothing else is served yet.
        expect(server.text()).not.toMatch(/listening on/);
      } finally {
        await server.kill();
        await sandbox.stop();
        apps.cleanup();
      }
    }, 30_000);
  },
);
