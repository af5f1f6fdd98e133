import { createRequire } from 'node:module';
import {
  jsapiSignature,
  QingtuiApiError,
  QingtuiError,
  type QingtuiModuleOptions,
  QingtuiValidationError,
} from 'nestjs-qingtui';
import { QingtuiSandbox, wecomAppKey } from 'qingtui-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { figure } from '../support/fault-tools.js';
import { LibraryFleet, type LibraryInstance, sleep } from '../support/platform-fleet.js';

/*
 * JS-SDK tickets through in-process instances sharing Redis, against the sandbox's ticket
 * endpoints (which answer the same ticket, with `expires_in` reset, while it lives). Counts of
 * ticket calls are exact; every signature is checked by the sandbox as the JS-SDK would.
 */

const WX = { appId: 'wx-ticket-e2e', appSecret: 'wx-ticket-secret-DO-NOT-LOG' };
const CORP = 'ww-ticket-corp';
const OA = { corpId: CORP, agentId: 1000002, secret: 'ww-oa-ticket-secret-DO-NOT-LOG' };
const HR = { corpId: CORP, agentId: 1000003, secret: 'ww-hr-ticket-secret-DO-NOT-LOG' };
const QT = { appId: 'qt-ticket-e2e', appSecret: 'qt-ticket-secret-DO-NOT-LOG' };
const PAGE = 'https://h5.example.com/page?from=menu#section-2';

let sandbox: QingtuiSandbox | undefined;
let fleet: LibraryFleet | undefined;

afterEach(async () => {
  await fleet?.stop();
  await sandbox?.stop();
  fleet = sandbox = undefined;
});

async function start(
  count: number,
  sandboxOptions: ConstructorParameters<typeof QingtuiSandbox>[0],
  wecomRules?: { ticketHourlyLimitApp?: number; ticketHourlyLimitCorp?: number },
  extra: Partial<QingtuiModuleOptions> = {},
): Promise<LibraryInstance[]> {
  sandbox = new QingtuiSandbox({
    apps: [{ ...QT, edition: 'enterprise' }],
    wechatApps: [WX],
    wecomApps: [OA, HR],
    ...sandboxOptions,
  });
  const url = await sandbox.start();
  fleet = new LibraryFleet();
  return fleet.start(count, {
    apps: [
      { name: 'wx', platform: 'wechat-mp', ...WX },
      { name: 'oa', platform: 'wecom', ...OA },
      { name: 'hr', platform: 'wecom', ...HR },
      { name: 'qt', ...QT },
    ],
    baseUrls: { 'wechat-mp': url, wecom: url, qingtui: url },
    ...(wecomRules ? { platformRules: { wecom: wecomRules } } : {}),
    ...extra,
  });
}

function counters(key: string) {
  return sandbox!.counters().apps[key];
}

describe('JS-SDK tickets', () => {
  it('the signature of the WeChat worked example, ours and co-wechat-api alike', async () => {
    const example = {
      ticket:
        'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
      url: 'http://mp.weixin.qq.com?params=value',
    };
    expect(jsapiSignature(example)).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
    // The fragment is not signed.
    expect(jsapiSignature({ ...example, url: `${example.url}#top` })).toBe(
      '0f9de62fce790f9a083d5c99e95740ceb90c27ed',
    );
  });

  it('one ticket per lifetime over 3 instances; every signature valid when made', async () => {
    const instances = await start(3, { ticketTtlSeconds: 4 });
    const wxKey = WX.appId;
    const first = await Promise.all(
      Array.from({ length: 30 }, (_, i) => instances[i % 3].tickets.getTicket('wx')),
    );
    expect(new Set(first).size).toBe(1);
    expect(counters(wxKey).ticketsByKind.jsapi).toEqual({ calls: 1, grants: 1 });

    // 10 s of signing from every instance: 2.5 ticket lifetimes.
    let signed = 0;
    let invalid = 0;
    const until = Date.now() + 10_000;
    await Promise.all(
      instances.map(async (instance) => {
        while (Date.now() < until) {
          const before = await instance.tickets.getTicket('wx');
          const s = await instance.tickets.signJsapi('wx', PAGE);
          signed += 1;
          expect(s.appId).toBe(WX.appId);
          // Checked the moment it is made, with the ticket served just before (or, if the ticket
          // rotated in between, the one served now): a loaded machine must not blame the server.
          const verify = (ticket: string) =>
            sandbox!.verifyJsapiSignature({
              ticket,
              nonceStr: s.nonceStr,
              timestamp: s.timestamp,
              url: PAGE,
              signature: s.signature,
            });
          let check = verify(before);
          if (!check.valid) check = verify(await instance.tickets.getTicket('wx'));
          if (!check.valid) invalid += 1;
          await sleep(20);
        }
      }),
    );
    const jsapi = counters(wxKey).ticketsByKind.jsapi;
    figure(
      `WeChat jsapi, 3 instances, 4 s tickets, 10 s: ${signed} signatures, ${invalid} invalid, ${jsapi.calls} ticket calls, ${jsapi.grants} tickets`,
    );
    expect(invalid).toBe(0);
    // The first ticket and one per lifetime after it (10 s / 4 s), never one per instance.
    expect(jsapi.grants).toBeGreaterThanOrEqual(3);
    expect(jsapi.grants).toBeLessThanOrEqual(4);
    // A fetch on a loaded machine may find the platform's copy not yet expired: repeated, at most twice.
    expect(jsapi.calls).toBeLessThanOrEqual(jsapi.grants + 2);
    // Shared through the store, under the ticket's own key; no secret anywhere.
    const keys = await fleet!.keys();
    expect(keys).toContain(`${fleet!.prefix}:{wechat-mp:${WX.appId}}:kind:ticket:jsapi`);
    expect(keys.join('\n')).not.toContain(WX.appSecret);
    expect(fleet!.logs.text()).not.toContain(WX.appSecret);
  }, 30_000);

  it('a ticket repeated with expires_in reset keeps its first-seen expiry', async () => {
    const instances = await start(1, { ticketTtlSeconds: 6 });
    const a = await instances[0].tickets.getTicketInfo('wx');
    await sleep(2_000);
    // Another process asks the platform: it answers the same ticket, with 6 s again.
    const url = `${sandbox!.url}/cgi-bin/ticket/getticket?type=jsapi&access_token=${encodeURIComponent(await instances[0].tokens.getToken('wx'))}`;
    const repeated = (await (await fetch(url)).json()) as { ticket: string; expires_in: number };
    expect(repeated).toMatchObject({ ticket: a.ticket, expires_in: 6 });
    const b = await instances[0].tickets.getTicketInfo('wx');
    expect(b).toEqual(a);
    const status = sandbox!.ticketStatus(a.ticket);
    if (status.state === 'unknown') throw new Error('the sandbox does not know the ticket');
    expect(status.state).toBe('valid');
    expect(Math.abs(status.expiresAtMs - a.expiresAt)).toBeLessThan(1_000);
  });

  it('a ticket fetch refused for its token heals the token once, then retries', async () => {
    const instances = await start(2, { ticketTtlSeconds: 2 });
    const token = await instances[0].tokens.getToken('wx');
    const ticket = await instances[0].tickets.getTicket('wx');
    expect(counters(WX.appId).tokenCalls).toBe(1);
    sandbox!.revokeTokens(WX.appId);
    // The ticket expires; its renewal finds the token refused, renews the token (once for
    // both instances) and fetches the ticket again.
    await sleep(2_600);
    const next = await Promise.all(instances.map((i) => i.tickets.getTicket('wx')));
    expect(new Set(next).size).toBe(1);
    expect(next[0]).not.toBe(ticket);
    expect(counters(WX.appId).tokenCalls).toBe(2);
    expect(await instances[1].tokens.getToken('wx')).not.toBe(token);
    expect(counters(WX.appId).ticketsByKind.jsapi.grants).toBe(2);
  }, 15_000);

  it('WeCom: company and app tickets, the hourly limit never exceeded across instances', async () => {
    const instances = await start(
      3,
      {
        ticketTtlSeconds: 1,
        wecomRules: { ticketHourlyLimitApp: 100, ticketHourlyLimitCorp: 400 },
      },
      { ticketHourlyLimitApp: 3 },
    );
    const oaKey = wecomAppKey(CORP, OA.agentId);
    const sig = await instances[0].tickets.signAgentConfig('oa', PAGE);
    expect(sig).toMatchObject({ corpid: CORP, agentid: String(OA.agentId) });
    const jsapi = await instances[1].tickets.signJsapi('oa', PAGE);
    expect(jsapi.appId).toBe(CORP);
    // Both kinds count against the app's 3 an hour: 2 used; expiring tickets use the third.
    const refused: QingtuiApiError[] = [];
    for (let round = 0; round < 4; round++) {
      await sleep(1_400);
      await Promise.all(
        instances.map((i) =>
          i.tickets.getTicket('oa', 'agent_config').catch((e: unknown) => {
            refused.push(e as QingtuiApiError);
          }),
        ),
      );
    }
    const oa = counters(oaKey);
    expect(oa.ticketCalls).toBe(3);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toBeInstanceOf(QingtuiApiError);
    expect(refused[0].kind).toBe('rate-limit');
    expect(refused[0].retryAfterMs).toBeGreaterThan(1_000);
    // The other agent of the company has its own hour.
    await instances[2].tickets.getTicket('hr', 'agent_config');
    expect(counters(wecomAppKey(CORP, HR.agentId)).ticketCalls).toBe(1);
  }, 20_000);

  it('Qingtui: its jsapi ticket, and clear errors for what does not exist', async () => {
    const instances = await start(1, {});
    const s = await instances[0].tickets.signJsapi('qt', PAGE);
    expect(s.appId).toBe(QT.appId);
    expect(String(s.timestamp)).toMatch(/^\d{10}$/);
    expect(
      sandbox!.verifyJsapiSignature({
        ticket: await instances[0].tickets.getTicket('qt'),
        nonceStr: s.nonceStr,
        timestamp: s.timestamp,
        url: PAGE,
        signature: s.signature,
      }).valid,
    ).toBe(true);
    const tickets = instances[0].tickets;
    await expect(tickets.getTicket('qt', 'wx_card')).rejects.toThrow(/its kinds are jsapi/);
    await expect(tickets.getTicket('nope')).rejects.toBeInstanceOf(QingtuiError);
    for (const url of ['javascript:alert(1)', '/relative', '', 'https://x/'.padEnd(100_000, 'a')]) {
      await expect(tickets.signJsapi('qt', url)).rejects.toBeInstanceOf(QingtuiValidationError);
    }
    expect(counters(QT.appId).ticketCalls).toBe(1);
  });

  it('ticketMarginMs and platformRules.qingtui.jsapiTimestamp take effect', async () => {
    const instances = await start(1, { ticketTtlSeconds: 6 }, undefined, {
      ticketMarginMs: 300,
      platformRules: { qingtui: { jsapiTimestamp: 'milliseconds' } },
    });
    const info = await instances[0].tickets.getTicketInfo('wx');
    // Handed out until 300 ms before its expiry (the default 5 s is capped at 10% of 6 s: 600).
    expect(info.expiresAt - info.useUntil).toBe(300);
    const s = await instances[0].tickets.signJsapi('qt', PAGE);
    expect(String(s.timestamp)).toMatch(/^\d{13}$/);
    expect(Math.abs(s.timestamp - Date.now())).toBeLessThan(5_000);
    expect(
      sandbox!.verifyJsapiSignature({
        ticket: await instances[0].tickets.getTicket('qt'),
        nonceStr: s.nonceStr,
        timestamp: s.timestamp,
        url: PAGE,
        signature: s.signature,
      }).valid,
    ).toBe(true);
    for (const bad of [
      { ticketMarginMs: -1 },
      { platformRules: { qingtui: { jsapiTimestamp: 'hours' } } },
    ]) {
      await fleet?.stop();
      await sandbox?.stop();
      await expect(start(1, {}, undefined, bad as Partial<QingtuiModuleOptions>)).rejects.toThrow(
        /ticketMarginMs|jsapiTimestamp/,
      );
    }
  });

  it('co-wechat-api, unmodified, signs with the central ticket: the same signature as ours', async () => {
    const instances = await start(1, {});
    const require = createRequire(import.meta.url);
    const WechatAPI = require('co-wechat-api') as new (
      appid: string,
      secret: string,
      getToken: () => Promise<unknown>,
      saveToken: () => Promise<void>,
    ) => {
      registerTicketHandle(
        get: (type: string) => Promise<{ ticket: string; expireTime: number }>,
        save: () => Promise<void>,
      ): void;
      getJsConfig(p: { url: string }): Promise<{
        appId: string;
        timestamp: string;
        nonceStr: string;
        signature: string;
      }>;
    };
    const tickets = instances[0].tickets;
    const api = new WechatAPI(
      WX.appId,
      'unused: the central server holds the secret',
      async () => ({
        accessToken: await instances[0].tokens.getToken('wx'),
        expireTime: Date.now() + 60_000,
      }),
      async () => undefined,
    );
    api.registerTicketHandle(
      async (type) => {
        const info = await tickets.getTicketInfo('wx', type);
        return { ticket: info.ticket, expireTime: info.expiresAt };
      },
      async () => undefined,
    );
    const theirs = await api.getJsConfig({ url: 'https://h5.example.com/page?from=menu' });
    const ticket = await tickets.getTicket('wx');
    expect(
      jsapiSignature({
        ticket,
        nonceStr: theirs.nonceStr,
        timestamp: theirs.timestamp,
        url: 'https://h5.example.com/page?from=menu',
      }),
    ).toBe(theirs.signature);
    expect(
      sandbox!.verifyJsapiSignature({
        ticket,
        nonceStr: theirs.nonceStr,
        timestamp: theirs.timestamp,
        url: 'https://h5.example.com/page?from=menu',
        signature: theirs.signature,
      }).valid,
    ).toBe(true);
    expect(counters(WX.appId).ticketsByKind.jsapi.calls).toBe(1);
  });
});
