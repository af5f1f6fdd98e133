import { SANDBOX_DEMO_APP } from 'qingtui-sandbox';
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  serverEnv,
  startPlatform,
  writeAppsFile,
} from '../support/central-server.harness.js';
import { BUILT, BuiltServer } from '../support/built-server.js';

/** Start-up and signals of the built server (`npm run build` first). */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function platform() {
  const { sandbox, url } = await startPlatform();
  const apps = writeAppsFile([{ name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret }]);
  cleanups.push(() => sandbox.stop(), apps.cleanup);
  return { sandbox, url, appsFile: apps.path };
}

function run(env: Record<string, string>): BuiltServer {
  const server = new BuiltServer(env);
  cleanups.push(() => server.kill());
  return server;
}

/** Occupies a port on every interface, as a running server would. */
async function occupyPort(): Promise<number> {
  const blocker: Server = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, resolve));
  cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  return (blocker.address() as { port: number }).port;
}

describe.skipIf(!BUILT)('the built server process', () => {
  it('stops on a busy PORT before any token call, in one line that says to set PORT', async () => {
    const { sandbox, url, appsFile } = await platform();
    const port = await occupyPort();
    const server = run({ ...serverEnv(url, appsFile), PORT: String(port) });
    const { code } = await server.exited;
    const output = server.text();
    expect(code).toBe(1);
    expect(output).toContain(
      `Invalid configuration: PORT ${port} is already in use by another process: set PORT to a free port`,
    );
    expect(output.match(/ERROR/g)).toHaveLength(1);
    expect(output).not.toMatch(/\n\s+at /);
    // A token call here would have killed the running server's refresh_token.
    expect(sandbox.counters().total.tokenCalls).toBe(0);
    expect(sandbox.counters().total.refreshCalls).toBe(0);
  });

  it('stops on a malformed REDIS_URL with one line naming it, never the password', async () => {
    const { sandbox, url, appsFile } = await platform();
    for (const REDIS_URL of [
      'redis://:pass#word-DO-NOT-LOG@127.0.0.1:6379',
      'redis://:password-DO-NOT-LOG@127.0.0.1:99999',
    ]) {
      const server = run({ ...serverEnv(url, appsFile), PORT: '0', REDIS_URL });
      const { code } = await server.exited;
      const output = server.text();
      expect(code).toBe(1);
      expect(output).toContain('Invalid configuration: REDIS_URL is not a valid URL');
      expect(output).not.toContain('DO-NOT-LOG');
      expect(output).not.toMatch(/\n\s+at /);
    }
    expect(sandbox.counters().total.tokenCalls).toBe(0);
  });

  it('reloads QINGTUI_APPS_FILE on SIGHUP and keeps serving', async () => {
    const { url, appsFile } = await platform();
    const server = run({ ...serverEnv(url, appsFile), PORT: '0' });
    const base = await server.url();
    server.signal('SIGHUP');
    await server.waitFor(/QINGTUI_APPS_FILE reloaded \(SIGHUP\): no change/);
    const res = await fetch(`${base}/apps/crm/token`, {
      headers: { Authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(res.status).toBe(200);
    expect(server.text()).not.toContain(CRM_APP.appSecret);
    expect(server.text()).not.toContain(SANDBOX_DEMO_APP.appSecret);
  });
});
