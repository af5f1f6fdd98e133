import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type ServerHarness, startHarness } from '../support/central-server.harness.js';

/* RELAY_RATE_LIMIT: relayed calls a second per caller; beyond, 429 in the platform's shape. */

const WX = { appId: 'wx-relay-limit', appSecret: 'wx-relay-limit-secret-DO-NOT-LOG' };

let h: ServerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('RELAY_RATE_LIMIT', () => {
  it('takes effect per caller: the calls past it are answered 429 45009 and never sent', async () => {
    h = await startHarness({
      env: { RELAY_RATE_LIMIT: '5' },
      sandbox: { wechatApps: [WX] },
      appsFile: [
        { name: 'crm', appId: 'crm-app-id', appSecret: 'crm-app-secret-DO-NOT-LOG-7f3a9c' },
        { name: 'wx', platform: 'wechat-mp', ...WX },
      ],
    });
    const server = h.app.getHttpServer();
    const token = (
      await request(server).get('/apps/wx/token').set('Authorization', `Bearer ${ADMIN_KEY}`)
    ).body.access_token as string;
    const before = h.sandbox.counters().apps[WX.appId].apiCalls;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(server).get(`/apps/wx/cgi-bin/getcallbackip?access_token=${token}`),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    const passed = answers.filter((a) => a.status === 200);
    expect(passed.length).toBeGreaterThanOrEqual(5);
    expect(passed.length).toBeLessThanOrEqual(6);
    expect(limited.length).toBe(20 - passed.length);
    expect(limited[0].body).toMatchObject({ errcode: 45009 });
    expect(Number(limited[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls - before).toBe(passed.length);
    // A client key is another caller, with its own allowance.
    const byKey = await request(server)
      .get('/apps/wx/cgi-bin/getcallbackip')
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(byKey.status).toBe(200);
  });

  it('is range-checked', async () => {
    for (const value of ['0', 'fast', '1.5']) {
      await expect(startHarness({ env: { RELAY_RATE_LIMIT: value } })).rejects.toThrow(
        /RELAY_RATE_LIMIT/,
      );
    }
  });
});
