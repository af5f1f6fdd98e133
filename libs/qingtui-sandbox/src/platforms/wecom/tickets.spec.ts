import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { jsapiSignature } from '../../shared/jsapi-signature.js';
import { getJson, type JsonBody, postJson } from '../../testing/http-helpers.js';
import { wecomToken } from '../../testing/wecom-helpers.js';

const CORP = 'ww-corp';
const CRM = { corpId: CORP, agentId: 1000002, secret: 'crm-secret' };
const HR = { corpId: CORP, agentId: 1000003, secret: 'hr-secret' };
const OTHER_CORP = { corpId: 'ww-other', agentId: 1000002, secret: 'other-secret' };
const CRM_KEY = 'ww-corp/1000002';
const HR_KEY = 'ww-corp/1000003';
/** 10:00 Beijing, on the hour. */
const START = Date.UTC(2025, 0, 1, 2, 0, 0);

describe('WeCom /cgi-bin/get_jsapi_ticket and /cgi-bin/ticket/get?type=agent_config', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = START;

  async function start(options: SandboxOptions = {}): Promise<void> {
    clock = START;
    sandbox = new QingtuiSandbox({
      now: () => clock,
      wecomApps: [CRM, HR, OTHER_CORP],
      ...options,
    });
    base = await sandbox.start();
  }

  const token = async (app: { corpId: string; secret: string } = CRM) =>
    (await wecomToken(base, app.corpId, app.secret)).body.access_token as string;
  const corpTicket = async (accessToken: string): Promise<JsonBody> =>
    (await getJson(`${base}/cgi-bin/get_jsapi_ticket?access_token=${accessToken}`)).body;
  const appTicket = async (accessToken: string, type = 'agent_config'): Promise<JsonBody> =>
    (await getJson(`${base}/cgi-bin/ticket/get?access_token=${accessToken}&type=${type}`)).body;

  afterEach(async () => {
    await sandbox.stop();
  });

  it('answers both tickets as {errcode: 0, errmsg, ticket, expires_in}, the same while they live', async () => {
    await start({ wecomRules: { ticketTtlSeconds: 60 } });
    const crm = await token();
    const company = await corpTicket(crm);
    expect(company).toEqual({
      errcode: 0,
      errmsg: 'ok',
      ticket: expect.stringMatching(/^[\w-]+$/),
      expires_in: 60,
    });
    const agent = await appTicket(crm);
    expect(agent).toEqual({ errcode: 0, errmsg: 'ok', ticket: expect.any(String), expires_in: 60 });
    expect(agent.ticket).not.toBe(company.ticket);
    expect(sandbox.ticketStatus(company.ticket)).toMatchObject({
      state: 'valid',
      kind: 'jsapi',
      appKey: CRM_KEY,
      platform: 'wecom',
    });
    expect(sandbox.ticketStatus(agent.ticket)).toMatchObject({ kind: 'agent_config' });
    // Each app has its own tickets.
    expect((await corpTicket(await token(HR))).ticket).not.toBe(company.ticket);

    clock += 59_999;
    expect(await corpTicket(crm)).toEqual(company); // expires_in 60 again, 1 ms left
    expect(await appTicket(crm)).toEqual(agent);
    clock += 1;
    const renewed = await corpTicket(crm);
    expect(renewed.ticket).not.toBe(company.ticket);
    expect(sandbox.ticketStatus(company.ticket)).toMatchObject({ state: 'expired' });
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      ticketCalls: 5,
      ticketGrants: 3,
      ticketsByKind: {
        jsapi: { calls: 3, grants: 2 },
        wx_card: { calls: 0, grants: 0 },
        agent_config: { calls: 2, grants: 1 },
      },
    });
  });

  it("with ticketRepeat 'new' (sandbox-wide), issues a new ticket at every fetch", async () => {
    await start({ ticketRepeat: 'new' });
    const crm = await token();
    const tickets = [await corpTicket(crm), await corpTicket(crm), await appTicket(crm)];
    expect(new Set(tickets.map((t) => t.ticket)).size).toBe(3);
    expect(tickets.map((t) => sandbox.ticketStatus(t.ticket).state)).toEqual([
      'valid',
      'valid',
      'valid',
    ]);
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({ ticketCalls: 3, ticketGrants: 3 });
  });

  it('judges the token as get_api_domain_ip does: 41001, 40014, 42001; a bad type 40058', async () => {
    await start({ tokenTtlSeconds: 10 });
    expect(await corpTicket('')).toEqual({ errcode: 41001, errmsg: 'access_token missing' });
    expect((await corpTicket('forged')).errcode).toBe(40014);
    const crm = await token();
    sandbox.revokeTokens(CRM_KEY);
    expect((await appTicket(crm)).errcode).toBe(40014);
    const renewed = await token();
    clock += 10_000;
    expect(await corpTicket(renewed)).toEqual({ errcode: 42001, errmsg: 'access_token expired' });
    const fresh = await token();
    expect(await appTicket(fresh, 'jsapi')).toEqual({
      errcode: 40058,
      errmsg: 'invalid parameter: type must be agent_config',
    });
    expect((await getJson(`${base}/cgi-bin/ticket/get?access_token=${fresh}`)).body.errcode).toBe(
      40058,
    );
    expect(
      (await postJson(`${base}/cgi-bin/get_jsapi_ticket?access_token=${fresh}`)).body.errcode,
    ).toBe(43001);
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      apiCalls: 5,
      apiRejected: { 40014: 1, 42001: 1, 40058: 2, 43001: 1 },
      invalidTokenCalls: 2,
      ticketCalls: 5,
      ticketGrants: 0,
      ticketsByKind: { jsapi: { calls: 2, grants: 0 }, agent_config: { calls: 1, grants: 0 } },
    });
    expect(sandbox.counters().platforms.wecom).toMatchObject({ ticketCalls: 7 });
  });

  it('limits app tickets per app and hour: the limit+1-th gets 45009, the other app is not affected', async () => {
    await start({ wecomRules: { ticketHourlyLimitApp: 3, ticketHourlyLimitCorp: 100 } });
    const crm = await token();
    const hr = await token(HR);
    for (let i = 0; i < 3; i++) expect((await appTicket(crm)).errcode).toBe(0);
    expect(await appTicket(crm)).toEqual({
      errcode: 45009,
      errmsg: 'api freq out of limit: the app ticket allows 3 calls an hour per app',
    });
    // The company ticket is limited per company only; the other app has its own allowance.
    expect((await corpTicket(crm)).errcode).toBe(0);
    for (let i = 0; i < 3; i++) expect((await appTicket(hr)).errcode).toBe(0);
    clock += 3600_000; // the next clock hour
    expect((await appTicket(crm)).errcode).toBe(0);
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      apiCalls: 6,
      apiRejected: { 45009: 1 },
      ticketCalls: 6,
      ticketGrants: 2,
      ticketsByKind: { jsapi: { calls: 1, grants: 1 }, agent_config: { calls: 5, grants: 1 } },
    });
    expect(sandbox.counters().apps[HR_KEY]).toMatchObject({ ticketCalls: 3, apiRejected: {} });
  });

  it('limits tickets per company and hour, both kinds of every app; other companies are not affected', async () => {
    await start({ wecomRules: { ticketHourlyLimitApp: 10, ticketHourlyLimitCorp: 4 } });
    const crm = await token();
    const hr = await token(HR);
    expect((await corpTicket(crm)).errcode).toBe(0);
    expect((await appTicket(crm)).errcode).toBe(0);
    expect((await corpTicket(hr)).errcode).toBe(0);
    expect((await appTicket(hr)).errcode).toBe(0);
    const refused = await appTicket(hr);
    expect(refused).toEqual({
      errcode: 45009,
      errmsg: 'api freq out of limit: tickets allow 4 calls an hour per corp',
    });
    expect((await corpTicket(crm)).errcode).toBe(45009);
    expect((await corpTicket(await token(OTHER_CORP))).errcode).toBe(0);
    clock += 59 * 60_000 + 59_999; // still 10:59:59.999
    expect((await corpTicket(hr)).errcode).toBe(45009);
    clock += 1;
    expect((await corpTicket(hr)).errcode).toBe(0);
    // A refused call used no allowance: HR's app allowance still has 9 of 10 left.
    expect(sandbox.counters().apps[HR_KEY]).toMatchObject({
      ticketCalls: 5,
      ticketGrants: 2,
      apiRejected: { 45009: 2 },
      ticketsByKind: { jsapi: { calls: 3, grants: 1 }, agent_config: { calls: 2, grants: 1 } },
    });
    expect(sandbox.counters().apps[CRM_KEY]).toMatchObject({
      ticketCalls: 3,
      apiRejected: { 45009: 1 },
    });
  });

  it('verifies signatures made with the app ticket (wx.agentConfig) as with the company ticket', async () => {
    await start();
    const crm = await token();
    for (const issued of [(await corpTicket(crm)).ticket, (await appTicket(crm)).ticket]) {
      const signed = {
        ticket: issued as string,
        nonceStr: 'n0nce',
        timestamp: '1700000000',
        url: 'https://corp.example/app',
      };
      expect(
        sandbox.verifyJsapiSignature({ ...signed, signature: jsapiSignature(signed) }),
      ).toMatchObject({ valid: true, ticket: { platform: 'wecom', appKey: CRM_KEY } });
    }
  });
});
