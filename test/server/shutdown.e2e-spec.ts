import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  serverEnv,
  startPlatform,
  writeAppsFile,
} from '../support/central-server.harness.js';
import { BUILT, BuiltServer } from '../support/built-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SEND = '/v1/message/text/send/single';
const headers = { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' };
const hello = JSON.stringify({
  type: 'text',
  to_user: 'openid-alice',
  message: { content: 'sent while stopping' },
});

async function serverWithSlowSends(fault: 'latency' | 'hang', env: Record<string, string> = {}) {
  const { sandbox, url } = await startPlatform();
  const apps = writeAppsFile([{ name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret }]);
  cleanups.push(() => sandbox.stop(), apps.cleanup);
  sandbox.addFault({ kind: fault, path: SEND, ms: 1_500 });
  const server = new BuiltServer({ ...serverEnv(url, apps.path), PORT: '0', ...env });
  cleanups.push(() => server.kill());
  return { sandbox, server, base: await server.url() };
}

/** Resolves once the sandbox has received a send (the request is in flight in the server). */
async function sendArrived(counters: () => number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (counters() === 0) {
    if (Date.now() > deadline) throw new Error('the send never reached the platform');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!BUILT)('SIGTERM', () => {
  it('stops accepting connections at once and finishes the requests in flight', async () => {
    const { sandbox, server, base } = await serverWithSlowSends('latency');
    const inFlight = fetch(`${base}/apps/default/messages`, {
      method: 'POST',
      headers,
      body: hello,
    });
    await sendArrived(() => sandbox.counters().total.apiCalls);

    server.signal('SIGTERM');
    await server.waitFor(
      /SIGTERM: no longer accepting connections; finishing 1 request\(s\) in flight/,
    );
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('connection')).toBe('close');
    expect(sandbox.deliveries()).toHaveLength(1);
    const { code } = await server.exited;
    expect(code).toBe(0);
    expect(server.text()).toContain('Stopped');
    expect(server.text()).not.toMatch(/ERROR/);
  });

  it('SHUTDOWN_TIMEOUT_MS: cuts requests still in flight after that long', async () => {
    const { sandbox, server, base } = await serverWithSlowSends('hang', {
      SHUTDOWN_TIMEOUT_MS: '300',
    });
    const inFlight = fetch(`${base}/apps/default/messages`, {
      method: 'POST',
      headers,
      body: hello,
    }).then(
      (res) => res.status,
      () => 'cut' as const,
    );
    await sendArrived(() => sandbox.counters().total.apiCalls);
    const signalled = Date.now();
    server.signal('SIGTERM');
    const { code } = await server.exited;
    const stopMs = Date.now() - signalled;
    expect(code).toBe(0);
    expect(await inFlight).toBe('cut');
    expect(server.text()).toContain(
      '1 request(s) still in flight after 300 ms (SHUTDOWN_TIMEOUT_MS)',
    );
    // The send hangs for the 10 s HTTP timeout; the default shutdown timeout is 10 s too.
    expect(stopMs).toBeLessThan(5_000);
    console.log(`SHUTDOWN_TIMEOUT_MS=300: the process exited ${stopMs} ms after SIGTERM`);
  });
});
