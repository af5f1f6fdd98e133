import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import { SANDBOX_DEMO_APP, type SandboxOptions } from '../../sandbox.options.js';
import { jsapiSignature } from '../../shared/jsapi-signature.js';
import { fetchToken, getJson, type JsonBody, postJson } from '../../testing/http-helpers.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const DEMO = SANDBOX_DEMO_APP.appId;

describe('Qingtui GET /js/ticket/get', () => {
  let sandbox: QingtuiSandbox;
  let clock = T0;
  let base = '';

  async function start(options: SandboxOptions = {}): Promise<void> {
    clock = T0;
    sandbox = new QingtuiSandbox({ now: () => clock, tokenIntervalMs: 0, ...options });
    base = await sandbox.start();
  }

  const ticket = async (token: string, param = 'access_token'): Promise<JsonBody> =>
    (await getJson(`${base}/js/ticket/get?${param}=${encodeURIComponent(token)}`)).body;

  afterEach(async () => {
    await sandbox?.stop();
  });

  it('answers {errcode: 0, errmsg, ticket, expires_in} to access_token and to accessToken (Java SDK)', async () => {
    await start();
    const { access_token: token } = await fetchToken(base);
    const first = await ticket(token);
    expect(first).toEqual({
      errcode: 0,
      errmsg: 'ok',
      ticket: expect.stringMatching(/^[\w-]+$/),
      expires_in: 7200,
    });
    expect(first.ticket).not.toContain(SANDBOX_DEMO_APP.appSecret);
    expect(await ticket(token, 'accessToken')).toEqual(first);
    expect(sandbox.ticketStatus(first.ticket)).toEqual({
      state: 'valid',
      kind: 'jsapi',
      appKey: DEMO,
      platform: 'qingtui',
      expiresAtMs: T0 + 7200_000,
    });
    expect(sandbox.counters().apps[DEMO]).toMatchObject({
      apiCalls: 2,
      ticketCalls: 2,
      ticketGrants: 1,
      ticketsByKind: { jsapi: { calls: 2, grants: 1 } },
    });
  });

  it('answers the same ticket with expires_in reset while it lives, a new one after; token renewals leave it alone', async () => {
    await start({ ticketTtlSeconds: 30 });
    const grant = await fetchToken(base);
    const first = await ticket(grant.access_token);
    expect(first.expires_in).toBe(30);
    const refreshed = await getJson(
      `${base}/auth/autoRefreshToken?refresh_token=${grant.refresh_token}`,
    );
    expect(await ticket(refreshed.body.access_token as string)).toEqual(first);
    sandbox.revokeTokens(DEMO); // every token of the app dies; the ticket does not
    const renewed = (await fetchToken(base)).access_token as string;
    clock += 29_999;
    expect(await ticket(renewed)).toEqual(first);
    clock += 1;
    expect(sandbox.ticketStatus(first.ticket)).toMatchObject({ state: 'expired' });
    const second = await ticket(renewed);
    expect(second).toEqual({ ...first, ticket: expect.any(String) });
    expect(second.ticket).not.toBe(first.ticket);
    expect(sandbox.counters().apps[DEMO]).toMatchObject({ ticketCalls: 4, ticketGrants: 2 });
  });

  it("with ticketRepeat 'new', issues a new ticket at every fetch", async () => {
    await start({ ticketRepeat: 'new' });
    const { access_token: token } = await fetchToken(base);
    const a = await ticket(token);
    const b = await ticket(token);
    expect(b.ticket).not.toBe(a.ticket);
    expect(sandbox.ticketStatus(a.ticket)).toMatchObject({ state: 'valid' });
    expect(sandbox.counters().apps[DEMO]).toMatchObject({ ticketCalls: 2, ticketGrants: 2 });
  });

  it('judges the token like every API call: 41001, 40014, 42001; 43001 for a POST; charged to the quota', async () => {
    await start({
      tokenTtlSeconds: 10,
      apps: [{ ...SANDBOX_DEMO_APP, edition: 'free-unverified' }],
      dailyQuota: { 'free-unverified': 3 },
    });
    expect(await ticket('', 'access_token')).toEqual({
      errcode: 41001,
      errmsg: 'access_token missing',
    });
    expect((await ticket('forged')).errcode).toBe(40014);
    const { access_token: token } = await fetchToken(base); // 1 of the quota
    expect((await postJson(`${base}/js/ticket/get?access_token=${token}`)).body.errcode).toBe(
      43001,
    );
    expect((await ticket(token)).errcode).toBe(0); // 2
    expect((await ticket(token)).errcode).toBe(0); // 3
    expect((await ticket(token)).errcode).toBe(45009); // over the daily quota
    clock += 10_000;
    expect(await ticket(token)).toEqual({ errcode: 42001, errmsg: 'access_token expired' });
    expect(sandbox.counters().apps[DEMO]).toMatchObject({
      apiCalls: 5,
      apiRejected: { 43001: 1, 45009: 1, 42001: 1 },
      invalidTokenCalls: 1,
      ticketCalls: 5,
      ticketGrants: 1,
      quotaUsedToday: 3,
    });
    expect(sandbox.counters().platforms.qingtui).toMatchObject({ ticketCalls: 7 });
  });

  it('is subject to faults; its tickets verify JS-SDK signatures (millisecond timestamps too)', async () => {
    await start();
    const { access_token: token } = await fetchToken(base);
    sandbox.addFault({ kind: 'garbage', path: '/js/ticket/get', times: 1 });
    const garbage = await fetch(`${base}/js/ticket/get?access_token=${token}`);
    expect(garbage.headers.get('content-type')).toContain('text/html');
    const issued = (await ticket(token)).ticket as string;
    const signed = { ticket: issued, nonceStr: 'abc', timestamp: T0, url: 'http://qt.example/p#x' };
    const signature = jsapiSignature(signed);
    expect(sandbox.verifyJsapiSignature({ ...signed, signature })).toMatchObject({
      valid: true,
      ticket: { platform: 'qingtui', appKey: DEMO },
    });
    expect(sandbox.counters().apps[DEMO]).toMatchObject({ ticketCalls: 2, ticketGrants: 1 });
  });
});
