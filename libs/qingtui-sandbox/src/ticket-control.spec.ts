import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from './sandbox.js';
import { resolveSandboxOptions } from './sandbox.options.js';
import { jsapiSignature } from './shared/jsapi-signature.js';
import { getJson, postJson } from './testing/http-helpers.js';
import { wechatToken } from './testing/wechat-mp-helpers.js';

describe('ticket control routes and ticket options', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let clock = Date.UTC(2025, 0, 1, 2, 0, 0);

  beforeEach(async () => {
    sandbox = new QingtuiSandbox({ now: () => clock, ticketTtlSeconds: 10 });
    base = await sandbox.start();
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const issueTicket = async (): Promise<string> => {
    const { access_token: token } = await wechatToken(base);
    const { body } = await getJson(
      `${base}/cgi-bin/ticket/getticket?access_token=${token}&type=jsapi`,
    );
    return body.ticket as string;
  };

  it('GET /__sandbox/ticket?ticket= answers the ticket status, uncounted', async () => {
    const ticket = await issueTicket();
    const before = sandbox.counters();
    const { status, body } = await getJson(
      `${base}/__sandbox/ticket?ticket=${encodeURIComponent(ticket)}`,
    );
    expect(status).toBe(200);
    expect(body).toEqual(sandbox.ticketStatus(ticket));
    expect(body).toMatchObject({ state: 'valid', kind: 'jsapi', appKey: 'wx-demo-app-id' });
    expect((await getJson(`${base}/__sandbox/ticket?ticket=nope`)).body).toEqual({
      state: 'unknown',
    });
    expect((await getJson(`${base}/__sandbox/ticket`)).status).toBe(400);
    expect(sandbox.counters()).toEqual(before);
  });

  it('POST /__sandbox/verify-jsapi-signature answers the verdict; 400 for a malformed claim', async () => {
    const ticket = await issueTicket();
    const signed = { ticket, nonceStr: 'n', timestamp: 1, url: 'https://a.example/' };
    const signature = jsapiSignature(signed);
    const verify = (body: unknown) => postJson(`${base}/__sandbox/verify-jsapi-signature`, body);
    expect((await verify({ ...signed, signature })).body).toMatchObject({
      valid: true,
      expected: signature,
    });
    expect((await verify({ ...signed, signature: 'f00' })).body).toMatchObject({
      valid: false,
      reason: 'bad-signature',
    });
    clock += 10_000;
    expect((await verify({ ...signed, signature })).body).toMatchObject({
      valid: false,
      reason: 'expired-ticket',
    });
    const bad = await verify({ ...signed, url: 5, signature });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^url/);
  });

  it('forgets tickets on reset: they become unknown', async () => {
    const ticket = await issueTicket();
    await postJson(`${base}/__sandbox/reset`);
    expect(sandbox.ticketStatus(ticket)).toEqual({ state: 'unknown' });
  });

  it('validates the ticket options, naming the field; rules override the sandbox-wide values', () => {
    expect(() => resolveSandboxOptions({ ticketTtlSeconds: 0 })).toThrow(/^ticketTtlSeconds/);
    expect(() => resolveSandboxOptions({ ticketRepeat: 'always' as unknown as 'same' })).toThrow(
      /^ticketRepeat must be one of "same", "new"/,
    );
    expect(() => resolveSandboxOptions({ wechatRules: { ticketTtlSeconds: -1 } })).toThrow(
      /^wechatRules\.ticketTtlSeconds/,
    );
    expect(() =>
      resolveSandboxOptions({ wecomRules: { ticketRepeat: 'x' as unknown as 'new' } }),
    ).toThrow(/^wecomRules\.ticketRepeat/);
    expect(() => resolveSandboxOptions({ wecomRules: { ticketHourlyLimitApp: 1.5 } })).toThrow(
      /^wecomRules\.ticketHourlyLimitApp/,
    );
    expect(() => resolveSandboxOptions({ wecomRules: { ticketHourlyLimitCorp: -1 } })).toThrow(
      /^wecomRules\.ticketHourlyLimitCorp/,
    );
    const resolved = resolveSandboxOptions({
      ticketTtlSeconds: 60,
      ticketRepeat: 'new',
      wechatRules: { ticketRepeat: 'same' },
      wecomRules: { ticketTtlSeconds: 5, ticketHourlyLimitCorp: Infinity },
    });
    expect(resolved.tickets).toEqual({ ticketTtlSeconds: 60, ticketRepeat: 'new' });
    expect(resolved.wechatRules).toMatchObject({ ticketTtlSeconds: 60, ticketRepeat: 'same' });
    expect(resolved.wecomRules).toMatchObject({
      ticketTtlSeconds: 5,
      ticketRepeat: 'new',
      ticketHourlyLimitApp: 100,
      ticketHourlyLimitCorp: Infinity,
    });
  });
});
