import { createRequire } from 'node:module';
import { SANDBOX_DEMO_WECHAT_APP } from 'qingtui-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { portOf } from '../support/raw-http.js';

/*
 * An unmodified SDK from npm (co-wechat-api 3.x) pointed at the relay: its `prefix` set to
 * `<server>/apps/wx/cgi-bin/`, its getToken answering the token of `GET /apps/wx/token`. Its
 * business calls work, and a token the platform revoked is healed by the relay (one renewal)
 * without the SDK noticing.
 */

interface WechatApi {
  prefix: string;
  getIp(): Promise<{ ip_list: string[] }>;
}
type WechatApiClass = new (
  appid: string,
  appsecret: string,
  getToken: () => Promise<unknown>,
  saveToken: (token: unknown) => Promise<void>,
) => WechatApi;

const WechatAPI = createRequire(import.meta.url)('co-wechat-api') as WechatApiClass;
const WX = SANDBOX_DEMO_WECHAT_APP;

describe('co-wechat-api through the relay', () => {
  let h: ServerHarness;
  let base: string;
  let fetched = 0;
  let saved: unknown[] = [];

  const sdk = () => {
    const api = new WechatAPI(
      WX.appId,
      'unused',
      async () => {
        fetched++;
        const res = await fetch(`${base}/apps/wx/token`, {
          headers: { Authorization: `Bearer ${ADMIN_KEY}` },
        });
        const body = (await res.json()) as { access_token: string; expires_in: number };
        return { accessToken: body.access_token, expireTime: Date.now() + body.expires_in * 1000 };
      },
      async (token) => {
        saved.push(token);
      },
    );
    api.prefix = `${base}/apps/wx/cgi-bin/`;
    return api;
  };

  beforeAll(async () => {
    h = await startHarness({
      appsFile: [
        { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
        { name: 'wx', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
      ],
      listen: true,
    });
    base = `http://127.0.0.1:${portOf(h.app.getHttpServer())}`;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('getIp() works through the relay', async () => {
    h.sandbox.resetCounters();
    const result = await sdk().getIp();
    expect(result.ip_list.length).toBeGreaterThan(0);
    expect(fetched).toBe(1);
    expect(saved).toEqual([]);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(1);
    expect(h.sandbox.counters().apps[WX.appId].tokenCalls).toBe(0);
  });

  it('a revoked token is healed by the relay: one renewal, the SDK sees a success', async () => {
    h.sandbox.revokeTokens(WX.appId);
    h.sandbox.resetCounters();
    fetched = 0;
    saved = [];
    const result = await sdk().getIp();
    expect(result.ip_list.length).toBeGreaterThan(0);
    const c = h.sandbox.counters().apps[WX.appId];
    expect(c.grants).toBe(1);
    expect(c.tokenCalls).toBe(1);
    expect(c.apiCalls).toBe(2);
    expect(c.invalidTokenCalls).toBe(1);
    // The SDK never saw the 40001: it neither dropped its token nor asked the platform for one.
    expect(saved).toEqual([]);
    expect(fetched).toBe(1);
    // Its next call gets the new token from the server, and no further renewal happens.
    await sdk().getIp();
    expect(h.sandbox.counters().apps[WX.appId].grants).toBe(1);
  });
});
