import request from 'supertest';
import { wecomAppKey } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_KEY,
  SECRETS,
  type ServerHarness,
  startHarness,
} from '../support/central-server.harness.js';

/*
 * The server's ticket and signature endpoints over HTTP, against the sandbox's ticket endpoints:
 * answers, errors, the WeCom hourly limit variables, and hostile requests (each a cheap 4xx that
 * costs no platform call).
 */

const WX = { appId: 'wx-server-tickets', appSecret: 'wx-server-tickets-secret-DO-NOT-LOG' };
const WW = { corpId: 'ww-server-corp', agentId: 1000005, secret: 'ww-server-secret-DO-NOT-LOG' };
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);

let h: ServerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(env: Record<string, string> = {}) {
  h = await startHarness({
    env,
    sandbox: { wechatApps: [WX], wecomApps: [WW] },
    appsFile: [
      { name: 'crm', appId: 'crm-app-id', appSecret: 'crm-app-secret-DO-NOT-LOG-7f3a9c' },
      {
        name: 'wx',
        platform: 'wechat-mp',
        ...WX,
        jsSafeDomains: ['h5.example.com', '*.shop.example.com'],
      },
      { name: 'ww', platform: 'wecom', ...WW },
    ],
  });
  return h;
}

const auth = (key = ADMIN_KEY) => ({ Authorization: `Bearer ${key}` });

function sign(body: unknown, app = 'wx', key = ADMIN_KEY) {
  return request(h!.app.getHttpServer())
    .post(`/apps/${app}/jsapi-signature`)
    .set(auth(key))
    .set('Content-Type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));
}

describe('GET /apps/:app/tickets/:kind and POST /apps/:app/jsapi-signature', () => {
  it('answers the ticket with its real remaining life, and signatures the JS-SDK accepts', async () => {
    await harness();
    const server = h!.app.getHttpServer();
    const res = await request(server).get('/apps/wx/tickets/jsapi').set(auth());
    expect(res.status).toBe(200);
    expect(Object.keys(res.body as object).sort()).toEqual(['expires_in', 'ticket']);
    const { ticket, expires_in } = res.body as { ticket: string; expires_in: number };
    expect(expires_in).toBeGreaterThan(7_100);
    expect(h!.sandbox.ticketStatus(ticket)).toMatchObject({ state: 'valid', kind: 'jsapi' });

    const url = 'https://h5.example.com/pay?order=42#done';
    const signed = await sign({ url });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ appId: WX.appId });
    const s = signed.body as { timestamp: number; nonceStr: string; signature: string };
    expect(String(s.timestamp)).toMatch(/^\d{10}$/);
    expect(
      h!.sandbox.verifyJsapiSignature({ ticket, url, ...s, timestamp: s.timestamp }).valid,
    ).toBe(true);
    // A subdomain of a wildcard entry is allowed; another host is not.
    expect((await sign({ url: 'https://a.shop.example.com/x' })).status).toBe(200);
    const outside = await sign({ url: 'https://evil.example.net/x' });
    expect(outside.status).toBe(400);
    expect(outside.body.message).toContain('JS-safe domain');

    // WeCom: the company ticket for wx.config (appId = corpId), the app's for wx.agentConfig.
    const config = await sign({ url: 'https://any.example.com/' }, 'ww');
    expect(config.body).toMatchObject({ appId: WW.corpId });
    const agent = await sign({ url: 'https://any.example.com/', kind: 'agent_config' }, 'ww');
    expect(agent.status).toBe(200);
    expect(agent.body).toMatchObject({ corpid: WW.corpId, agentid: String(WW.agentId) });
    const agentTicket = (
      (await request(server).get('/apps/ww/tickets/agent_config').set(auth())).body as {
        ticket: string;
      }
    ).ticket;
    const a = agent.body as { timestamp: number; nonceStr: string; signature: string };
    expect(
      h!.sandbox.verifyJsapiSignature({
        ticket: agentTicket,
        url: 'https://any.example.com/',
        ...a,
      }).valid,
    ).toBe(true);

    // One platform call per app and kind, for all of the above.
    const counters = h!.sandbox.counters().apps;
    expect(counters[WX.appId].ticketsByKind.jsapi.calls).toBe(1);
    expect(counters[WW_KEY].ticketsByKind.jsapi.calls).toBe(1);
    expect(counters[WW_KEY].ticketsByKind.agent_config.calls).toBe(1);
    for (const secret of [...SECRETS, WX.appSecret, WW.secret]) {
      expect(h!.printed()).not.toContain(secret);
    }
  });

  it('tickets in the metrics (a kind label), the status data and the detailed health', async () => {
    await harness();
    const server = h!.app.getHttpServer();
    expect((await sign({ url: 'https://h5.example.com/' })).status).toBe(200);
    expect((await sign({ url: 'https://h5.example.com/' })).status).toBe(200);
    const metrics = (await request(server).get('/metrics')).text;
    expect(metrics).toContain(
      'qingtui_ticket_grants_total{app="wx",platform="wechat-mp",kind="jsapi",reason="initial"} 1',
    );
    expect(metrics).toMatch(
      /qingtui_ticket_expires_in_seconds\{app="wx",platform="wechat-mp",kind="jsapi"\} \d+/,
    );
    expect(metrics).toContain(
      'qingtui_platform_calls_total{app="wx",platform="wechat-mp",endpoint="ticket",outcome="ok"} 1',
    );
    // Tickets are not tokens: the token grants are the token's own.
    expect(metrics).toContain(
      'qingtui_token_grants_total{app="wx",platform="wechat-mp",via="credentials",reason="initial"} 1',
    );
    const data = (await request(server).get('/status/data').set(auth())).body as {
      apps: { name: string; tickets: { kind: string; state: string }[] }[];
    };
    const wx = data.apps.find((a) => a.name === 'wx')!;
    expect(wx.tickets).toEqual([
      expect.objectContaining({ kind: 'jsapi', state: 'valid' }),
      expect.objectContaining({ kind: 'wx_card', state: 'missing' }),
    ]);
    expect(data.apps.find((a) => a.name === 'crm')!.tickets).toEqual([
      expect.objectContaining({ kind: 'jsapi', state: 'missing' }),
    ]);
    const health = (await request(server).get('/health/details').set(auth())).body as {
      details: { tokens: { apps: Record<string, { tickets: Record<string, { state: string }> }> } };
    };
    expect(health.details.tokens.apps.wx.tickets.jsapi.state).toBe('valid');
    const ticket = (
      (await request(server).get('/apps/wx/tickets/jsapi').set(auth())).body as {
        ticket: string;
      }
    ).ticket;
    for (const text of [metrics, JSON.stringify(data), JSON.stringify(health)]) {
      expect(text).not.toContain(ticket);
    }
  });

  it('names what is wrong: unknown kind, a kind of another platform, bad bodies', async () => {
    await harness();
    const server = h!.app.getHttpServer();
    const unknown = await request(server).get('/apps/wx/tickets/agent_config').set(auth());
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toContain('its kinds: jsapi, wx_card');
    expect((await request(server).get('/apps/nope/tickets/jsapi').set(auth())).status).toBe(404);
    expect((await request(server).get('/apps/crm/tickets/jsapi').set(auth(CRM_KEY))).status).toBe(
      200,
    );
    // A key scoped to crm may not use wx.
    expect((await request(server).get('/apps/wx/tickets/jsapi').set(auth(CRM_KEY))).status).toBe(
      403,
    );
    expect((await sign({ url: 'https://h5.example.com/' }, 'wx', CRM_KEY)).status).toBe(403);

    const cases: [unknown, string][] = [
      [{}, 'url is required'],
      [{ url: 42 }, 'url is required'],
      [{ url: 'javascript:alert(1)' }, 'absolute http(s) URL'],
      [{ url: '/relative/page' }, 'absolute http(s) URL'],
      [{ url: 'https://h5.example.com/', kind: 'agent_config' }, 'does not exist for app "wx"'],
      [{ url: 'https://h5.example.com/', kind: 'card' }, 'kind must be'],
      [{ url: 'https://h5.example.com/', extra: 1 }, 'Unknown field "extra"'],
      [[1, 2], 'JSON object'],
    ];
    for (const [body, message] of cases) {
      const res = await sign(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message, JSON.stringify(body)).toContain(message);
    }
    expect(h!.sandbox.counters().apps[WX.appId].ticketCalls).toBe(0);
  });

  it('hostile requests are cheap 4xx and cost no platform call; a loop costs one call', async () => {
    await harness();
    const big = JSON.stringify({ url: `https://h5.example.com/${'a'.repeat(100_000)}` });
    expect((await sign(big)).status).toBe(413);
    expect((await sign(`{"url": "${'x'.repeat(1_000_000)}"}`)).status).toBe(413);
    const deep = `${'['.repeat(50)}${']'.repeat(50)}`;
    expect((await sign(deep)).status).toBe(400);
    expect((await sign({ url: `https://h5.example.com/${'b'.repeat(4_100)}` })).status).toBe(400);
    expect(h!.sandbox.counters().apps[WX.appId].ticketCalls).toBe(0);

    // A client looping on both endpoints: one ticket call in all.
    const server = h!.app.getHttpServer();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2
          ? request(server).get('/apps/wx/tickets/jsapi').set(auth())
          : sign({ url: 'https://h5.example.com/' }),
      ),
    );
    expect(new Set(statuses.map((r) => r.status))).toEqual(new Set([200]));
    expect(h!.sandbox.counters().apps[WX.appId].ticketCalls).toBe(1);
  });

  it('WECOM_TICKET_HOURLY_LIMIT_APP takes effect: the call past it is never sent (503)', async () => {
    await harness({ WECOM_TICKET_HOURLY_LIMIT_APP: '1' });
    const server = h!.app.getHttpServer();
    expect((await request(server).get('/apps/ww/tickets/jsapi').set(auth())).status).toBe(200);
    const refused = await request(server).get('/apps/ww/tickets/agent_config').set(auth());
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(JSON.stringify(refused.body)).toContain('this hour');
    expect(h!.sandbox.counters().apps[WW_KEY].ticketCalls).toBe(1);
  });

  it('WECOM_TICKET_HOURLY_LIMIT_CORP takes effect, and both variables are range-checked', async () => {
    await harness({ WECOM_TICKET_HOURLY_LIMIT_CORP: '1' });
    const server = h!.app.getHttpServer();
    expect((await request(server).get('/apps/ww/tickets/agent_config').set(auth())).status).toBe(
      200,
    );
    expect((await request(server).get('/apps/ww/tickets/jsapi').set(auth())).status).toBe(503);
    expect(h!.sandbox.counters().apps[WW_KEY].ticketCalls).toBe(1);
    await h!.close();
    h = undefined;
    for (const value of ['0', 'lots', '-3', '1.5']) {
      await expect(harness({ WECOM_TICKET_HOURLY_LIMIT_APP: value })).rejects.toThrow(
        /WECOM_TICKET_HOURLY_LIMIT_APP/,
      );
    }
  });
});
