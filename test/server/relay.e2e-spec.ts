import {
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
  wecomAppKey,
} from 'qingtui-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  CRM_KEY,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { portOf, rawRequest } from '../support/raw-http.js';
import { RelayMetrics, type RelayOutcome } from '../../src/relay/relay.metrics.js';

/*
 * The relay of business calls (issue 16.3) over real HTTP against the sandbox: answers passed
 * through, a refused token healed by one renewal and one re-send, a lost answer never re-sent,
 * the limits, the platform-shaped refusals, the counts.
 */

const WX = SANDBOX_DEMO_WECHAT_APP;
const WW = SANDBOX_DEMO_WECOM_APP;
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);
const DEMO = SANDBOX_DEMO_APP.appId;
const admin = { Authorization: `Bearer ${ADMIN_KEY}` };
const APPS = [
  { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
  { name: 'wx', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
  {
    name: 'ww',
    platform: 'wecom',
    corpId: WW.corpId,
    agentId: Number(WW.agentId),
    secret: WW.secret,
  },
];

describe('relay of business calls', () => {
  let h: ServerHarness;
  let port: number;
  const call = (method: string, target: string, options?: Parameters<typeof rawRequest>[3]) =>
    rawRequest(port, method, target, options);
  const tokenOf = async (app: string) =>
    ((await call('GET', `/apps/${app}/token`, { headers: admin })).json as { access_token: string })
      .access_token;
  /** The relay's count (what `qingtui_relay_requests_total` exposes; /metrics is cached 1 s). */
  const metric = async (app: string, outcome: RelayOutcome) =>
    h.app.get(RelayMetrics).countsOf(app)[outcome];

  beforeAll(async () => {
    h = await startHarness({
      appsFile: APPS,
      listen: true,
      env: { QINGTUI_HTTP_TIMEOUT_MS: '3000' },
    });
    port = portOf(h.app.getHttpServer());
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.sandbox.clearFaults();
    h.sandbox.resetCounters();
  });

  it('relays a WeChat business call with the token the server handed out', async () => {
    const token = await tokenOf('wx');
    const res = await call('GET', `/apps/wx/cgi-bin/getcallbackip?access_token=${token}`);
    expect(res.status).toBe(200);
    expect((res.json as { ip_list: string[] }).ip_list.length).toBeGreaterThan(0);
    expect(String(res.headers['content-type'])).toMatch(/json/);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(1);
    expect(h.sandbox.counters().apps[WX.appId].invalidTokenCalls).toBe(0);
  });

  it('relays a WeCom business call with a client key and no token at all', async () => {
    const res = await call('GET', '/apps/ww/cgi-bin/get_api_domain_ip', { headers: admin });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ errcode: 0 });
    expect(h.sandbox.counters().apps[WW_KEY].apiCalls).toBe(1);
  });

  it('passes a POST JSON body through exactly: a Qingtui send delivered once', async () => {
    const token = await tokenOf('default');
    const body = JSON.stringify({
      to_user: 'openid-alice',
      message: { content: '你好 "relay" \u00e9 1.50' },
    });
    const res = await call(
      'POST',
      `/apps/default/v1/message/text/send/single?accessToken=${token}`,
      {
        headers: { 'Content-Type': 'application/json' },
        body,
      },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ errcode: 0 });
    const deliveries = h.sandbox.deliveries(DEMO);
    expect(deliveries.at(-1)!.message).toEqual(JSON.parse(body).message);
    expect(h.sandbox.counters().apps[DEMO].deliveries).toBe(1);
  });

  it('passes a platform error through as it is (status, body), counted platform-error', async () => {
    const before = await metric('default', 'platform-error');
    const res = await call('POST', '/apps/default/v1/message/text/send/single', {
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to_user: 'openid-nobody', message: { content: 'x' } }),
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ errcode: 43004 });
    expect(await metric('default', 'platform-error')).toBe(before + 1);
  });

  it('heals a revoked token: one renewal, one re-send, the call succeeds', async () => {
    const token = await tokenOf('wx');
    h.sandbox.revokeTokens(WX.appId);
    h.sandbox.resetCounters();
    const before = await metric('wx', 'token-renewed-retried');
    const res = await call('GET', `/apps/wx/cgi-bin/getcallbackip?access_token=${token}`);
    expect(res.status).toBe(200);
    expect(res.json).toHaveProperty('ip_list');
    const c = h.sandbox.counters().apps[WX.appId];
    expect(c.tokenCalls).toBe(1);
    expect(c.grants).toBe(1);
    expect(c.apiCalls).toBe(2);
    expect(c.invalidTokenCalls).toBe(1);
    expect(await metric('wx', 'token-renewed-retried')).toBe(before + 1);
    // The SDK still holds the revoked token: accepted as the previous one, relayed with the new.
    const again = await call('GET', `/apps/wx/cgi-bin/getcallbackip?access_token=${token}`);
    expect(again.status).toBe(200);
    expect(h.sandbox.counters().apps[WX.appId].grants).toBe(1);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(3);
  });

  it('heals a revoked Qingtui token on a POST: delivered exactly once', async () => {
    const token = await tokenOf('default');
    h.sandbox.revokeTokens(DEMO);
    h.sandbox.resetCounters();
    const res = await call(
      'POST',
      `/apps/default/v1/message/text/send/single?access_token=${token}`,
      {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ to_user: 'openid-bob', message: { content: 'after revoke' } }),
      },
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ errcode: 0 });
    const c = h.sandbox.counters().apps[DEMO];
    expect(c.deliveries).toBe(1);
    expect(c.apiCalls).toBe(2);
    expect(c.grants).toBe(1);
  });

  it('a reset after the platform acted on a POST: 502, delivered once, never re-sent', async () => {
    h.sandbox.addFault({ kind: 'reset', path: /^\/v1\/message\//, times: 1, afterHandling: true });
    const before = await metric('default', 'transport-error');
    const res = await call('POST', '/apps/default/v1/message/text/send/single', {
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to_user: 'openid-carol', message: { content: 'once' } }),
    });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ errcode: -1 });
    const c = h.sandbox.counters().apps[DEMO];
    expect(c.deliveries).toBe(1);
    expect(c.apiCalls).toBe(1);
    expect(await metric('default', 'transport-error')).toBe(before + 1);
  });

  it('a hang after the platform acted: 504 at the platform timeout, delivered once', async () => {
    h.sandbox.addFault({ kind: 'hang', path: /^\/v1\/message\//, times: 1, afterHandling: true });
    const started = Date.now();
    const res = await call('POST', '/apps/default/v1/message/text/send/single', {
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to_user: 'openid-carol', message: { content: 'hang' } }),
    });
    expect(res.status).toBe(504);
    expect(res.json).toMatchObject({ errcode: -1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(h.sandbox.counters().apps[DEMO].deliveries).toBe(1);
    expect(h.sandbox.counters().apps[DEMO].apiCalls).toBe(1);
  }, 15_000);

  it('refuses a 21 MB body with 413 (Content-Length: before any platform call; chunked: cut off)', async () => {
    const big = Buffer.alloc(21 * 1024 * 1024, 0x61);
    const declared = await call('POST', '/apps/default/v1/media/upload?type=file', {
      headers: { ...admin, 'Content-Type': 'application/octet-stream' },
      body: big,
    }).catch((error: Error) => ({ status: -1, json: error.message }));
    expect(declared.status).toBe(413);
    expect(declared.json).toMatchObject({ errcode: 45002 });
    // Declared too large: refused before any platform call.
    expect(h.sandbox.counters().apps[DEMO].apiCalls).toBe(0);
    const chunked = await call('POST', '/apps/default/v1/media/upload?type=file', {
      headers: {
        ...admin,
        'Content-Type': 'application/octet-stream',
        'Transfer-Encoding': 'chunked',
      },
      body: big,
    }).catch((error: Error) => ({ status: -1, json: error.message }));
    expect(chunked.status).toBe(413);
    // Chunked: past 1 MB it streams, so the platform saw the start of one call, cut off at 20 MB
    // (relay-stream.e2e-spec.ts shows the platform never receives such a call whole).
    expect(h.sandbox.counters().apps[DEMO].apiCalls).toBeLessThanOrEqual(1);
  });

  it('unauthenticated: 401 in each platform shape, no platform call', async () => {
    const wx = await call('GET', '/apps/wx/cgi-bin/getcallbackip?access_token=forged');
    expect(wx.status).toBe(401);
    expect(wx.json).toMatchObject({ errcode: 40001 });
    const ww = await call('GET', '/apps/ww/cgi-bin/get_api_domain_ip');
    expect(ww.status).toBe(401);
    expect(ww.json).toMatchObject({ errcode: 40014 });
    const qt = await call('GET', '/apps/default/v1/app/followers?access_token=forged');
    expect(qt.status).toBe(401);
    expect(qt.json).toMatchObject({ errcode: 40014 });
    const badKey = await call('GET', '/apps/wx/cgi-bin/getcallbackip', {
      headers: { Authorization: 'Bearer not-a-key' },
    });
    expect(badKey.status).toBe(401);
    // Another app's token is no credential for this one.
    const other = await call(
      'GET',
      `/apps/wx/cgi-bin/getcallbackip?access_token=${await tokenOf('ww')}`,
    );
    expect(other.status).toBe(401);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(0);
    expect(h.sandbox.counters().apps[WW_KEY].apiCalls).toBe(0);
    expect(await metric('wx', 'refused')).toBeGreaterThanOrEqual(3);
  });

  it('a client key scoped to another app: 403', async () => {
    const res = await call('GET', '/apps/wx/cgi-bin/getcallbackip', {
      headers: { Authorization: `Bearer ${CRM_KEY}` },
    });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ errcode: 48001 });
    const allowed = await call('GET', '/apps/crm/v1/app/followers', {
      headers: { Authorization: `Bearer ${CRM_KEY}` },
    });
    expect(allowed.status).toBe(200);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(0);
  });

  it('does not relay the token and ticket paths (served platform-shaped), nor another platform’s prefix (404)', async () => {
    // Served by the platform-shaped controller from the server's current credentials: never
    // relayed, never a platform call (without a client key they answer the platform's refusal).
    for (const target of [
      '/apps/wx/cgi-bin/token?grant_type=client_credential',
      '/apps/wx/cgi-bin/ticket/getticket?type=jsapi',
      '/apps/ww/cgi-bin/gettoken',
      '/apps/ww/cgi-bin/get_jsapi_ticket',
      '/apps/ww/cgi-bin/ticket/get?type=agent_config',
      '/apps/default/v1/token',
      '/apps/default/auth/autoRefreshToken',
    ]) {
      const res = await call('GET', target);
      expect(res.status, target).toBe(200);
      expect((res.json as { errcode?: number }).errcode, target).toBeGreaterThan(0);
    }
    const stable = await call('POST', '/apps/wx/cgi-bin/stable_token', {
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect((stable.json as { errcode?: number }).errcode).toBeGreaterThan(0);
    for (const target of ['/apps/default/cgi-bin/getcallbackip', '/apps/wx/v1/app/followers']) {
      const res = await call('GET', target, { headers: admin });
      expect(res.status, target).toBe(404);
    }
    expect(h.sandbox.counters().total.apiCalls).toBe(0);
    expect(h.sandbox.counters().total.tokenCalls).toBe(0);
  });

  it('unknown app: 404 in platform shape', async () => {
    const res = await call('GET', '/apps/nope/cgi-bin/getcallbackip', { headers: admin });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ errcode: 40013 });
  });

  it('counts relayed calls in the library usage and on /status/data', async () => {
    const usage = (await call('GET', '/status/data', { headers: admin })).json as {
      apps: {
        name: string;
        relayedCalls: { total: number; ok: number };
        platformCallsToday: { api: number };
      }[];
    };
    const wx = usage.apps.find((a) => a.name === 'wx')!;
    expect(wx.relayedCalls.total).toBeGreaterThanOrEqual(4);
    expect(wx.relayedCalls.ok).toBeGreaterThanOrEqual(2);
    expect(wx.platformCallsToday.api).toBeGreaterThanOrEqual(4);
    const page = await call('GET', '/status', { headers: admin });
    expect(page.body.toString()).toMatch(/Relayed calls since start/);
    const metrics = (await call('GET', '/metrics')).body.toString();
    expect(metrics).toMatch(
      /qingtui_relay_requests_total\{app="wx",platform="wechat-mp",outcome="token-renewed-retried"\} 1/,
    );
    expect(metrics).toMatch(
      /qingtui_relay_requests_total\{app="default",platform="qingtui",outcome="transport-error"\} 2/,
    );
    // The library counts them as its own business calls.
    expect(metrics).toMatch(
      /qingtui_platform_calls_total\{[^}]*app="wx"[^}]*endpoint="api"[^}]*outcome="ok"/,
    );
  });

  it('logs no secret, client key or token, and no query string', async () => {
    const tokens = [await tokenOf('wx'), await tokenOf('ww'), await tokenOf('default')];
    const printed = h.printed();
    for (const secret of [...SECRETS, WX.appSecret, WW.secret, ...tokens]) {
      expect(printed).not.toContain(secret);
    }
    expect(printed).toMatch(/GET \/apps\/wx\/cgi-bin\/getcallbackip 200/);
    expect(printed).not.toMatch(/getcallbackip\?/);
  });
});
