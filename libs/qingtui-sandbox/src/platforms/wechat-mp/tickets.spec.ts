import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { jsapiSignature } from '../../shared/jsapi-signature.js';
import { getJson, type JsonBody, postJson } from '../../testing/http-helpers.js';
import { stableToken, wechatToken } from '../../testing/wechat-mp-helpers.js';
import { SANDBOX_DEMO_WECHAT_APP } from './wechat-mp.options.js';

const APP = SANDBOX_DEMO_WECHAT_APP.appId;
const START = Date.UTC(2025, 0, 1, 2, 0, 0);

describe('WeChat /cgi-bin/ticket/getticket', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = START;

  async function start(options: SandboxOptions = {}): Promise<void> {
    clock = START;
    sandbox = new QingtuiSandbox({ now: () => clock, ...options });
    base = await sandbox.start();
  }

  const ticketUrl = (token: string, type?: string) =>
    `${base}/cgi-bin/ticket/getticket?access_token=${token}${type === undefined ? '' : `&type=${type}`}`;
  const ticket = async (token: string, type = 'jsapi'): Promise<JsonBody> =>
    (await getJson(ticketUrl(token, type))).body;

  afterEach(async () => {
    await sandbox.stop();
  });

  it('answers {errcode: 0, errmsg, ticket, expires_in}, one ticket per type, never a secret in it', async () => {
    await start();
    const { access_token: token } = await wechatToken(base);
    const jsapi = await ticket(token, 'jsapi');
    expect(jsapi).toEqual({
      errcode: 0,
      errmsg: 'ok',
      ticket: expect.stringMatching(/^[\w-]+$/),
      expires_in: 7200,
    });
    const card = await ticket(token, 'wx_card');
    expect(card).toMatchObject({ errcode: 0, expires_in: 7200 });
    expect(card.ticket).not.toBe(jsapi.ticket);
    for (const issued of [jsapi.ticket, card.ticket] as string[]) {
      expect(issued).not.toContain(SANDBOX_DEMO_WECHAT_APP.appSecret);
      expect(Buffer.from(issued, 'base64url').toString('latin1')).not.toContain(
        SANDBOX_DEMO_WECHAT_APP.appSecret,
      );
    }
    expect(sandbox.ticketStatus(jsapi.ticket)).toEqual({
      state: 'valid',
      kind: 'jsapi',
      appKey: APP,
      platform: 'wechat-mp',
      expiresAtMs: START + 7200_000,
    });
    expect(sandbox.ticketStatus(card.ticket)).toMatchObject({ state: 'valid', kind: 'wx_card' });
    expect(sandbox.counters().apps[APP]).toMatchObject({
      apiCalls: 2,
      ticketCalls: 2,
      ticketGrants: 2,
      ticketsByKind: {
        jsapi: { calls: 1, grants: 1 },
        wx_card: { calls: 1, grants: 1 },
        agent_config: { calls: 0, grants: 0 },
      },
    });
  });

  it('answers the same ticket with expires_in reset while it lives, though it expires on time; then a new one', async () => {
    await start({ ticketTtlSeconds: 100 });
    const { access_token: token } = await wechatToken(base);
    const first = await ticket(token);
    expect(first.expires_in).toBe(100);
    clock += 99_999;
    // The answer says 100 s more; the ticket has 1 ms left.
    expect(await ticket(token)).toEqual(first);
    expect(sandbox.ticketStatus(first.ticket)).toMatchObject({ state: 'valid' });
    clock += 1;
    expect(sandbox.ticketStatus(first.ticket)).toMatchObject({
      state: 'expired',
      kind: 'jsapi',
      appKey: APP,
    });
    const second = await ticket(token);
    expect(second.ticket).not.toBe(first.ticket);
    expect(second.expires_in).toBe(100);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      ticketCalls: 3,
      ticketGrants: 2,
      ticketsByKind: { jsapi: { calls: 3, grants: 2 } },
    });
  });

  it('keeps a ticket alive across token renewals: it is bound to nothing once issued', async () => {
    await start({ wechatRules: { overlapSeconds: 0 } });
    const old = (await wechatToken(base)).access_token;
    const issued = (await ticket(old)).ticket;
    const renewed = (await wechatToken(base)).access_token;
    sandbox.revokeTokens(APP);
    expect(sandbox.ticketStatus(issued)).toMatchObject({ state: 'valid' });
    // The next fetch, with the next token, still gets the same ticket.
    const latest = (await wechatToken(base)).access_token;
    expect(latest).not.toBe(renewed);
    expect((await ticket(latest)).ticket).toBe(issued);
  });

  it("with ticketRepeat 'new', issues a new ticket at every fetch; older ones live until their expiry", async () => {
    await start({ ticketTtlSeconds: 100, wechatRules: { ticketRepeat: 'new' } });
    const { access_token: token } = await wechatToken(base);
    const first = await ticket(token);
    clock += 50_000;
    const second = await ticket(token);
    expect(second).toEqual({ ...first, ticket: expect.any(String) });
    expect(second.ticket).not.toBe(first.ticket);
    expect(sandbox.ticketStatus(first.ticket)).toMatchObject({ state: 'valid' });
    clock += 50_000;
    expect(sandbox.ticketStatus(first.ticket)).toMatchObject({ state: 'expired' });
    expect(sandbox.ticketStatus(second.ticket)).toMatchObject({ state: 'valid' });
    expect(sandbox.counters().apps[APP]).toMatchObject({ ticketCalls: 2, ticketGrants: 2 });
  });

  it('judges the token as getcallbackip does: 41001, 40014, 42001, 40001 superseded or revoked', async () => {
    await start({ tokenTtlSeconds: 20, wechatRules: { overlapSeconds: 2 } });
    const errcode = async (url: string) => (await getJson(url)).body.errcode as number;
    expect(await getJson(`${base}/cgi-bin/ticket/getticket?type=jsapi`)).toMatchObject({
      body: { errcode: 41001, errmsg: 'access_token missing' },
    });
    expect(await errcode(ticketUrl('never-issued', 'jsapi'))).toBe(40014);
    const first = (await wechatToken(base)).access_token;
    const second = (await wechatToken(base)).access_token;
    clock += 1999;
    expect(await errcode(ticketUrl(first, 'jsapi'))).toBe(0); // within the overlap
    clock += 1;
    expect((await getJson(ticketUrl(first, 'jsapi'))).body).toEqual({
      errcode: 40001,
      errmsg: 'invalid credential, access_token is invalid or not latest',
    });
    clock += 18_000; // the second token has expired
    expect((await getJson(ticketUrl(second, 'jsapi'))).body).toEqual({
      errcode: 42001,
      errmsg: 'access_token expired',
    });
    const third = (await wechatToken(base)).access_token;
    sandbox.revokeTokens(APP);
    expect(await errcode(ticketUrl(third, 'jsapi'))).toBe(40001);
    const stable = (await stableToken(base)).body.access_token as string;
    expect(await errcode(ticketUrl(stable, 'jsapi'))).toBe(0);

    expect(sandbox.counters().apps[APP]).toMatchObject({
      apiCalls: 5,
      apiRejected: { 40001: 2, 42001: 1 },
      invalidTokenCalls: 3,
      ticketCalls: 5,
      ticketGrants: 1,
      ticketsByKind: { jsapi: { calls: 5, grants: 1 } },
    });
    // The missing and the forged token cannot be attributed to the app.
    expect(sandbox.counters().platforms['wechat-mp']).toMatchObject({
      apiRejected: { 41001: 1, 40014: 1, 40001: 2, 42001: 1 },
      invalidTokenCalls: 5,
      ticketCalls: 7,
    });
  });

  it('answers 40097 to a missing or unknown type and 43001 to a POST', async () => {
    await start();
    const { access_token: token } = await wechatToken(base);
    expect((await getJson(ticketUrl(token))).body).toEqual({
      errcode: 40097,
      errmsg: 'invalid args: type must be jsapi or wx_card',
    });
    expect((await getJson(ticketUrl(token, 'agent_config'))).body.errcode).toBe(40097);
    expect((await postJson(ticketUrl(token, 'jsapi'))).body.errcode).toBe(43001);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      apiCalls: 3,
      apiRejected: { 40097: 2, 43001: 1 },
      ticketCalls: 3,
      ticketGrants: 0,
      ticketsByKind: { jsapi: { calls: 1, grants: 0 }, wx_card: { calls: 0, grants: 0 } },
    });
  });

  it('is subject to faults like every path; afterHandling issues the ticket first', async () => {
    await start();
    const { access_token: token } = await wechatToken(base);
    sandbox.addFault({ kind: 'errcode', errcode: -1, path: '/cgi-bin/ticket/getticket', times: 1 });
    expect(await ticket(token)).toEqual({ errcode: -1, errmsg: 'system busy' });
    sandbox.addFault({ kind: 'http500', path: /ticket/, times: 1, afterHandling: true });
    const response = await fetch(ticketUrl(token, 'jsapi'));
    expect(response.status).toBe(500);
    const after = await ticket(token);
    expect(after.errcode).toBe(0);
    expect(sandbox.counters().apps[APP]).toMatchObject({
      ticketCalls: 3,
      ticketGrants: 1, // issued by the faulted call, answered again after it
      ticketsByKind: { jsapi: { calls: 3, grants: 1 } },
    });
  });

  it('verifies JS-SDK signatures made with its jsapi tickets, valid now only', async () => {
    await start({ ticketTtlSeconds: 100 });
    const { access_token: token } = await wechatToken(base);
    const issued = (await ticket(token)).ticket as string;
    const signed = {
      ticket: issued,
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'https://example.com/page?x=1#section',
    };
    const signature = jsapiSignature({ ...signed, url: 'https://example.com/page?x=1' });
    expect(sandbox.verifyJsapiSignature({ ...signed, signature })).toMatchObject({
      valid: true,
      expected: signature,
      ticket: { state: 'valid', kind: 'jsapi', appKey: APP },
    });
    expect(
      sandbox.verifyJsapiSignature({ ...signed, signature: signature.toUpperCase() }),
    ).toMatchObject({ valid: false, reason: 'bad-signature', expected: signature });
    expect(
      sandbox.verifyJsapiSignature({ ...signed, url: 'https://example.com/other', signature }),
    ).toMatchObject({ valid: false, reason: 'bad-signature' });
    const card = (await ticket(token, 'wx_card')).ticket as string;
    const cardSigned = { ...signed, ticket: card };
    expect(
      sandbox.verifyJsapiSignature({ ...cardSigned, signature: jsapiSignature(cardSigned) }),
    ).toMatchObject({ valid: false, reason: 'not-a-jsapi-ticket' });
    clock += 100_000;
    expect(sandbox.verifyJsapiSignature({ ...signed, signature })).toMatchObject({
      valid: false,
      reason: 'expired-ticket',
      ticket: { state: 'expired' },
    });
  });
});
