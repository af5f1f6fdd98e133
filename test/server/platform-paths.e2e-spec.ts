import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { SANDBOX_DEMO_APP, wecomAppKey } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_KEY,
  SECRETS,
  type ServerHarness,
  startHarness,
} from '../support/central-server.harness.js';

/*
 * Issue 16.2: each platform's own token and ticket paths under /apps/:app/, in the platform's
 * shapes and errcodes, served from the server's current credentials: never a platform fetch.
 */

const WX = { appId: 'wx-paths-app', appSecret: 'wx-paths-secret-DO-NOT-LOG' };
const WW = { corpId: 'ww-paths-corp', agentId: 1000007, secret: 'ww-paths-secret-DO-NOT-LOG' };
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);
const QT_ID = SANDBOX_DEMO_APP.appId;

let h: ServerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness(listen = false) {
  h = await startHarness({
    listen,
    sandbox: { wechatApps: [WX], wecomApps: [WW] },
    appsFile: [
      { name: 'crm', appId: 'crm-app-id', appSecret: 'crm-app-secret-DO-NOT-LOG-7f3a9c' },
      { name: 'wx', platform: 'wechat-mp', ...WX },
      { name: 'ww', platform: 'wecom', ...WW },
    ],
  });
  return h;
}

const get = (path: string) => request(h!.app.getHttpServer()).get(path);
const counters = () => h!.sandbox.counters().apps;

describe('platform-shaped token and ticket paths', () => {
  it('WeChat: /cgi-bin/token, /cgi-bin/stable_token and /cgi-bin/ticket/getticket', async () => {
    await harness();
    const ok = await get(
      `/apps/wx/cgi-bin/token?grant_type=client_credential&appid=${WX.appId}&secret=${ADMIN_KEY}`,
    );
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.body as object).sort()).toEqual(['access_token', 'expires_in']);
    const { access_token: token, expires_in } = ok.body as {
      access_token: string;
      expires_in: number;
    };
    expect(token).toBe(h!.sandbox.currentToken(WX.appId));
    expect(expires_in).toBeGreaterThan(5_700);
    const refusals: [string, number][] = [
      [`grant_type=client_credential&appid=${WX.appId}&secret=not-a-key-0123456789`, 40125],
      [`grant_type=client_credential&appid=wx-other&secret=${ADMIN_KEY}`, 40013],
      [`appid=${WX.appId}&secret=${ADMIN_KEY}`, 40002],
      [`grant_type=client_credential&appid=${WX.appId}`, 41004],
      [`grant_type=client_credential&appid=${WX.appId}&secret=${CRM_KEY}`, 48001],
    ];
    for (const [query, errcode] of refusals) {
      const res = await get(`/apps/wx/cgi-bin/token?${query}`);
      expect(res.status, query).toBe(200);
      expect(res.body.errcode, query).toBe(errcode);
      expect(JSON.stringify(res.body)).not.toContain(ADMIN_KEY);
    }
    // The key may also come as a bearer token.
    const bearer = await get(
      `/apps/wx/cgi-bin/token?grant_type=client_credential&appid=${WX.appId}`,
    ).set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(bearer.body.access_token).toBe(token);

    // stable_token with force_refresh: a verified report, never a forced refresh.
    const stable = await request(h!.app.getHttpServer())
      .post('/apps/wx/cgi-bin/stable_token')
      .set('Content-Type', 'application/json')
      .send({
        grant_type: 'client_credential',
        appid: WX.appId,
        secret: ADMIN_KEY,
        force_refresh: true,
      });
    expect(stable.status).toBe(200);
    expect(stable.body.access_token).toBe(token);

    const ticket = await get(`/apps/wx/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`);
    expect(ticket.body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(h!.sandbox.ticketStatus(ticket.body.ticket as string)).toMatchObject({ state: 'valid' });
    expect(
      (await get(`/apps/wx/cgi-bin/ticket/getticket?access_token=forged&type=jsapi`)).body.errcode,
    ).toBe(40001);
    expect(
      (await get(`/apps/wx/cgi-bin/ticket/getticket?access_token=${token}&type=card`)).body.errcode,
    ).toBe(40097);

    // None of it made the server fetch: one token grant (start-up), no stable or forced call.
    expect(counters()[WX.appId]).toMatchObject({ tokenCalls: 1, stableCalls: 0 });
    expect(counters()[WX.appId].ticketsByKind.jsapi.calls).toBe(1);
    // A path of another platform is no path of this app.
    expect((await get(`/apps/wx/cgi-bin/gettoken?corpid=x&corpsecret=${ADMIN_KEY}`)).status).toBe(
      404,
    );
  });

  it('WeCom: /cgi-bin/gettoken, /cgi-bin/get_jsapi_ticket, /cgi-bin/ticket/get', async () => {
    await harness();
    const ok = await get(`/apps/ww/cgi-bin/gettoken?corpid=${WW.corpId}&corpsecret=${ADMIN_KEY}`);
    expect(ok.body).toMatchObject({
      errcode: 0,
      errmsg: 'ok',
      access_token: h!.sandbox.currentToken(WW_KEY),
    });
    const token = ok.body.access_token as string;
    expect(
      (await get(`/apps/ww/cgi-bin/gettoken?corpid=ww-other&corpsecret=${ADMIN_KEY}`)).body.errcode,
    ).toBe(40013);
    expect(
      (await get(`/apps/ww/cgi-bin/gettoken?corpid=${WW.corpId}&corpsecret=wrong-key-0123456789`))
        .body.errcode,
    ).toBe(40001);
    const jsapi = await get(`/apps/ww/cgi-bin/get_jsapi_ticket?access_token=${token}`);
    expect(jsapi.body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    const agent = await get(`/apps/ww/cgi-bin/ticket/get?access_token=${token}&type=agent_config`);
    expect(agent.body).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(h!.sandbox.ticketStatus(agent.body.ticket as string)).toMatchObject({
      kind: 'agent_config',
    });
    expect((await get(`/apps/ww/cgi-bin/ticket/get?access_token=${token}`)).body.errcode).toBe(
      40058,
    );
    expect((await get(`/apps/ww/cgi-bin/get_jsapi_ticket?access_token=bad`)).body.errcode).toBe(
      40014,
    );
    expect(counters()[WW_KEY].tokenCalls).toBe(1);
  });

  it('Qingtui: /v1/token hands out a stand-in refresh_token that buys the current token', async () => {
    await harness();
    const ok = await get(
      `/apps/default/v1/token?grant_type=client_credential&appid=${QT_ID}&secret=${ADMIN_KEY}`,
    );
    expect(Object.keys(ok.body as object).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
    ]);
    const { access_token: token, refresh_token: refresh } = ok.body as Record<string, string>;
    expect(token).toBe(h!.sandbox.currentToken(QT_ID));
    // Never the platform's own refresh_token (that one never leaves the server).
    expect(refresh).toMatch(/^qtsrv1\./);
    const refreshed = await get(`/apps/default/auth/autoRefreshToken?refresh_token=${refresh}`);
    expect(refreshed.body).toEqual({ access_token: token, expires_in: expect.any(Number) });
    // Bound to the app and the key: useless for another app, forged or empty ones refused.
    expect(
      (await get(`/apps/crm/auth/autoRefreshToken?refresh_token=${refresh}`)).body.errcode,
    ).toBe(40030);
    expect(
      (await get(`/apps/default/auth/autoRefreshToken?refresh_token=qtsrv1.forged`)).body.errcode,
    ).toBe(40030);
    expect((await get(`/apps/default/auth/autoRefreshToken`)).body.errcode).toBe(41003);
    expect(counters()[QT_ID]).toMatchObject({ tokenCalls: 1, refreshCalls: 0 });
  });

  it('hostile loops on the token paths cost no platform call and leak nothing', async () => {
    await harness();
    const server = h!.app.getHttpServer();
    const token = (
      await get(
        `/apps/wx/cgi-bin/token?grant_type=client_credential&appid=${WX.appId}&secret=${ADMIN_KEY}`,
      )
    ).body.access_token as string;
    const before = JSON.stringify({ wx: counters()[WX.appId], qt: counters()[QT_ID] });
    const loops = Array.from({ length: 300 }, (_, i) => {
      switch (i % 4) {
        case 0:
          return request(server).get(
            `/apps/wx/cgi-bin/token?grant_type=client_credential&appid=${WX.appId}&secret=${ADMIN_KEY}`,
          );
        case 1:
          return request(server)
            .post('/apps/wx/cgi-bin/stable_token')
            .set('Content-Type', 'application/json')
            .send({
              grant_type: 'client_credential',
              appid: WX.appId,
              secret: ADMIN_KEY,
              force_refresh: true,
            });
        case 2:
          return request(server).get(
            `/apps/default/auth/autoRefreshToken?refresh_token=garbage-${i}`,
          );
        default:
          return request(server).get(
            `/apps/wx/cgi-bin/token?grant_type=client_credential&appid=${WX.appId}&secret=wrong-${i}-0123456789`,
          );
      }
    });
    const answers = await Promise.all(loops);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    const wx = counters()[WX.appId];
    // The forced-refresh reports were checked by probes (a few at most), never granted anything.
    expect(wx).toMatchObject({ tokenCalls: 1, stableCalls: 0, grants: 1 });
    expect(wx.apiCalls).toBeLessThanOrEqual(3);
    expect(JSON.parse(before).qt).toEqual(counters()[QT_ID]);
    expect(h!.sandbox.currentToken(WX.appId)).toBe(token);
    for (const secret of [...SECRETS, WX.appSecret, WW.secret]) {
      expect(h!.printed()).not.toContain(secret);
    }
    // Refused keys are counted (and shown to operators) like every refused key.
    const details = await request(server)
      .get('/health/details')
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(JSON.stringify(details.body)).toMatch(/invalid key/);
  });

  it('co-wechat-api, unmodified, pointed at the server for its token and its calls', async () => {
    await harness(true);
    const { port } = h!.app.getHttpServer().address() as AddressInfo;
    const require = createRequire(import.meta.url);
    const WechatAPI = require('co-wechat-api') as new (
      appid: string,
      secret: string,
    ) => {
      prefix: string;
      getIp(): Promise<{ ip_list: string[] }>;
    };
    // The SDK's secret slot holds the client key; its prefix is the app's path on the server.
    const api = new WechatAPI(WX.appId, ADMIN_KEY);
    api.prefix = `http://127.0.0.1:${port}/apps/wx/cgi-bin/`;
    for (let i = 0; i < 5; i++) expect(Array.isArray((await api.getIp()).ip_list)).toBe(true);
    expect(counters()[WX.appId]).toMatchObject({ tokenCalls: 1, grants: 1 });
    expect(counters()[WX.appId].apiCalls).toBeGreaterThanOrEqual(5);
  });
});
