import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, type ServerHarness, startHarness } from '../support/central-server.harness.js';

/*
 * Issue 16.3: per client key (`API_KEYS` entry `key:scope:stand-in`), an opaque stand-in instead
 * of the real token, valid only through the relay: the real token never leaves the server.
 */
const WX = { appId: 'wx-stand-in', appSecret: 'wx-stand-in-secret-DO-NOT-LOG' };
const STAND_IN_KEY = 'stand-in-client-key-0123456789ab';

let h: ServerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function harness() {
  h = await startHarness({
    env: { API_KEYS: `${ADMIN_KEY}, ${STAND_IN_KEY}:wx:stand-in` },
    sandbox: { wechatApps: [WX] },
    appsFile: [{ name: 'wx', platform: 'wechat-mp', ...WX }],
  });
  return h.app.getHttpServer();
}

describe('stand-in tokens', () => {
  it('a stand-in key never sees the real token; its stand-in works through the relay only', async () => {
    const server = await harness();
    const real = h!.sandbox.currentToken(WX.appId)!;
    const got = await request(server)
      .get('/apps/wx/token')
      .set('Authorization', `Bearer ${STAND_IN_KEY}`);
    const standIn = got.body.access_token as string;
    expect(standIn).toMatch(/^sti1\./);
    expect(standIn).not.toContain(real);
    // The same stand-in from the platform-shaped path (the key in the SDK's secret slot).
    const shaped = await request(server).get(
      `/apps/wx/cgi-bin/token?grant_type=client_credential&appid=${WX.appId}&secret=${STAND_IN_KEY}`,
    );
    expect(shaped.body.access_token).toBe(standIn);
    // Useless at the platform itself...
    const direct = await fetch(`${h!.sandbox.url}/cgi-bin/getcallbackip?access_token=${standIn}`);
    expect(((await direct.json()) as { errcode?: number }).errcode).toBeGreaterThan(0);
    // ...and good through the relay, which sends the real token.
    const relayed = await request(server).get(
      `/apps/wx/cgi-bin/getcallbackip?access_token=${standIn}`,
    );
    expect(relayed.status).toBe(200);
    expect(Array.isArray(relayed.body.ip_list)).toBe(true);
    // A report of the stand-in is a report of the current token; the answer is a stand-in again.
    const reported = await request(server)
      .post('/apps/wx/token/refresh')
      .set('Authorization', `Bearer ${STAND_IN_KEY}`)
      .send({ stale_token: standIn });
    expect(reported.status).toBe(200);
    expect(reported.body.access_token).toMatch(/^sti1\./);
    // Other keys still get the real token; a forged stand-in is refused by the relay.
    const admin = await request(server)
      .get('/apps/wx/token')
      .set('Authorization', `Bearer ${ADMIN_KEY}`);
    expect(admin.body.access_token).toBe(real);
    const forged = await request(server).get(
      '/apps/wx/cgi-bin/getcallbackip?access_token=sti1.AAAA',
    );
    expect(forged.status).toBe(401);
  });

  it('follows the real token: after a renewal the old stand-in is refused, the new one works', async () => {
    const server = await harness();
    const old = (
      await request(server).get('/apps/wx/token').set('Authorization', `Bearer ${STAND_IN_KEY}`)
    ).body.access_token as string;
    h!.sandbox.revokeTokens(WX.appId);
    // Healed through the relay (one renewal), the call succeeds with the stand-in it was given.
    const healed = await request(server).get(`/apps/wx/cgi-bin/getcallbackip?access_token=${old}`);
    expect(healed.status).toBe(200);
    expect(h!.sandbox.counters().apps[WX.appId].tokenCalls).toBe(2);
    const next = (
      await request(server).get('/apps/wx/token').set('Authorization', `Bearer ${STAND_IN_KEY}`)
    ).body.access_token as string;
    expect(next).not.toBe(old);
    expect(
      (await request(server).get(`/apps/wx/cgi-bin/getcallbackip?access_token=${next}`)).status,
    ).toBe(200);
    expect(
      (await request(server).get(`/apps/wx/cgi-bin/getcallbackip?access_token=${old}`)).status,
    ).toBe(401);
    expect(h!.printed()).not.toContain(STAND_IN_KEY);
  });

  it('API_KEYS refuses an unknown option after the scope', async () => {
    await expect(
      startHarness({ env: { API_KEYS: `${ADMIN_KEY}, ${STAND_IN_KEY}:*:stand-up` } }),
    ).rejects.toThrow(/only one is ":stand-in"/);
  });
});
