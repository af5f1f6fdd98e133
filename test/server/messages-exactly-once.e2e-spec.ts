import { request as httpRequest } from 'node:http';
import {
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
  wecomAppKey,
} from 'qingtui-sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
  CRM_APP,
  SECRETS,
  startHarness,
  type ServerHarness,
} from '../support/central-server.harness.js';
import { portOf, rawRequest, type RawAnswer } from '../support/raw-http.js';

/*
 * Issue 17.2, 17.3, 17.5 over real HTTP against the sandbox: the messages endpoint for WeCom and
 * WeChat apps, exactly once under an Idempotency-Key, lost answers never re-sent blindly (or
 * re-sent only under the platform's own de-duplication), WeCom's per-member limits refused
 * before they drop anything, and hostile bodies refused with nothing sent. Counts are the
 * sandbox's record of deliveries and drops.
 */
const WX = SANDBOX_DEMO_WECHAT_APP;
const WW = SANDBOX_DEMO_WECOM_APP;
const WW_KEY = wecomAppKey(WW.corpId, WW.agentId);
const admin = { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' };
const APPS = [
  { name: 'crm', appId: CRM_APP.appId, appSecret: CRM_APP.appSecret },
  { name: 'wx', platform: 'wechat-mp', appId: WX.appId, appSecret: WX.appSecret },
  {
    name: 'ww',
    platform: 'wecom',
    corpId: WW.corpId,
    agentId: Number(WW.agentId),
    secret: WW.secret,
  },
];

describe('POST /apps/:app/messages on WeCom and WeChat, exactly once', () => {
  let h: ServerHarness;
  let port: number;
  let unique = 0;
  const send = (app: string, body: unknown, key?: string, extra: Record<string, string> = {}) =>
    rawRequest(port, 'POST', `/apps/${app}/messages`, {
      headers: { ...admin, ...(key === undefined ? {} : { 'Idempotency-Key': key }), ...extra },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const text = (user = 'alice', content = `hello ${++unique}`) => ({
    touser: user,
    msgtype: 'text',
    text: { content },
  });
  // What the current test delivered (the platform keeps its state between tests, so that the
  // server's tokens stay valid).
  let mark = { wecom: 0, wechat: 0, drops: 0 };
  const wecomDeliveries = () => h.sandbox.push.deliveries({ appKey: WW_KEY }).slice(mark.wecom);
  const wechatDeliveries = () => h.sandbox.push.deliveries({ appKey: WX.appId }).slice(mark.wechat);
  const drops = () => h.sandbox.push.drops({ appKey: WW_KEY }).slice(mark.drops);

  beforeAll(async () => {
    h = await startHarness({
      appsFile: APPS,
      listen: true,
      env: { QINGTUI_HTTP_TIMEOUT_MS: '2000' },
    });
    port = portOf(h.app.getHttpServer());
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.sandbox.clearFaults();
    h.sandbox.resetCounters();
    h.sandbox.push.setWecomDirectory(WW.corpId, undefined);
    mark = {
      wecom: h.sandbox.push.deliveries({ appKey: WW_KEY }).length,
      wechat: h.sandbox.push.deliveries({ appKey: WX.appId }).length,
      drops: h.sandbox.push.drops({ appKey: WW_KEY }).length,
    };
  });

  it('WeCom: the platform JSON without agentid goes out once, agentid filled in, invalid users listed', async () => {
    h.sandbox.push.setWecomDirectory(WW.corpId, { members: ['alice', 'bob'] });
    const res = await send('ww', text('alice|ghost'));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      msg_id: expect.any(String),
      invalid_users: ['ghost'],
      invalid_parties: [],
      invalid_tags: [],
    });
    const [delivery, ...more] = wecomDeliveries();
    expect(more).toHaveLength(0);
    expect(delivery.recipients).toEqual(['alice']);
    expect(delivery.body).toMatchObject({ agentid: Number(WW.agentId), msgtype: 'text' });
    // Every recipient invalid: the platform's 81013 kept.
    const none = await send('ww', text('ghost'));
    expect(none.status).toBe(502);
    expect(none.json).toMatchObject({ errcode: 81013 });
    expect(wecomDeliveries()).toHaveLength(1);
  });

  it('WeChat: the platform JSON of each kind, "kind" removed; an unknown kind is a 400 naming it', async () => {
    expect(h.sandbox.push.grantSubscribeConsent(WX.appId, 'openid-1', 'tpl-sub')).toBe(1);
    h.sandbox.push.setLastInteraction(WX.appId, 'openid-1');
    const template = await send('wx', {
      kind: 'template',
      touser: 'openid-1',
      template_id: 'tpl-1',
      data: { first: { value: 'hi' } },
    });
    expect(template.status).toBe(200);
    expect(template.json).toMatchObject({ kind: 'template', msg_id: expect.any(String) });
    const subscribe = await send('wx', {
      kind: 'subscribe',
      touser: 'openid-1',
      template_id: 'tpl-sub',
      data: { thing1: { value: 'x' } },
    });
    expect(subscribe.status).toBe(200);
    const custom = await send('wx', {
      kind: 'custom',
      touser: 'openid-1',
      msgtype: 'text',
      text: { content: 'hello' },
    });
    expect(custom.status).toBe(200);
    const mass = await send('wx', {
      kind: 'mass',
      touser: ['openid-1', 'openid-2'],
      msgtype: 'text',
      text: { content: 'to all' },
    });
    expect(mass.status).toBe(200);
    expect(mass.json).toMatchObject({ kind: 'mass', already_sent: false });
    expect(wechatDeliveries().map((d) => d.api)).toEqual([
      'template',
      'subscribe',
      'custom',
      'mass',
    ]);
    for (const d of wechatDeliveries()) expect(d.body).not.toHaveProperty('kind');
    // The consent was used: a second subscribe send is the platform's 43101, nothing delivered.
    const second = await send('wx', {
      kind: 'subscribe',
      touser: 'openid-1',
      template_id: 'tpl-sub',
      data: { thing1: { value: 'y' } },
    });
    expect(second.json).toMatchObject({ errcode: 43101 });
    const bad = await send('wx', { kind: 'fax', touser: 'openid-1' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ field: 'kind' });
    expect(wechatDeliveries()).toHaveLength(4);
  });

  it('the same key and body: the first answer replayed, nothing sent; another body: 422', async () => {
    const body = text('alice');
    const first = await send('ww', body, 'order-1');
    const again = await send('ww', body, 'order-1');
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json).toEqual(first.json);
    const other = await send('ww', text('alice'), 'order-1');
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ code: 'KEY_REUSED' });
    expect(wecomDeliveries()).toHaveLength(1);
    // Keys are per app: the same key on the WeChat app is another message.
    const wx = await send(
      'wx',
      { kind: 'template', touser: 'o', template_id: 't', data: { a: { value: '1' } } },
      'order-1',
    );
    expect(wx.status).toBe(200);
    expect(wechatDeliveries()).toHaveLength(1);
  });

  it('1000 concurrent sends with one key: 1 delivery, every answer the same message', async () => {
    const body = text('alice');
    const answers = await Promise.all(
      Array.from({ length: 1000 }, () => send('ww', body, 'burst-1')),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    expect(wecomDeliveries()).toHaveLength(1);
    const ids = new Set(
      answers.filter((a) => a.status === 200).map((a) => (a.json as { msg_id: string }).msg_id),
    );
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'false')).toHaveLength(1);
  }, 60_000);

  it('WeCom: the answer lost after delivery: 504 OUTCOME_UNKNOWN; the retry with the key is dropped by the duplicate check: 1 delivery', async () => {
    h.sandbox.addFault({
      kind: 'reset',
      path: '/cgi-bin/message/send',
      afterHandling: true,
      times: 1,
    });
    const body = text('alice');
    const lost = await send('ww', body, 'lost-1');
    expect(lost.status).toBe(504);
    expect(lost.json).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(wecomDeliveries()).toHaveLength(1);
    const retry = await send('ww', body, 'lost-1');
    expect(retry.status).toBe(200);
    expect(wecomDeliveries()).toHaveLength(1);
    expect(drops().map((d) => d.reason)).toEqual(['duplicate-check']);
    // And the duplicate check was switched on from the key.
    expect(wecomDeliveries()[0].body).toMatchObject({
      enable_duplicate_check: 1,
      duplicate_check_interval: 1800,
    });
  });

  it('WeChat template: the answer lost, the retry goes under the derived client_msg_id: 1 delivery', async () => {
    h.sandbox.addFault({
      kind: 'reset',
      path: '/cgi-bin/message/template/send',
      afterHandling: true,
      times: 1,
    });
    const body = { kind: 'template', touser: 'o-7', template_id: 't', data: { a: { value: '1' } } };
    expect((await send('wx', body, 'tpl-lost')).status).toBe(504);
    const retry = await send('wx', body, 'tpl-lost');
    expect(retry.status).toBe(200);
    expect(wechatDeliveries()).toHaveLength(1);
    expect(wechatDeliveries()[0].body).toHaveProperty('client_msg_id');
  });

  it('no platform protection (customer service): the answer lost, the retry is 504 again and sends nothing', async () => {
    h.sandbox.push.setLastInteraction(WX.appId, 'o-8');
    h.sandbox.addFault({
      kind: 'reset',
      path: '/cgi-bin/message/custom/send',
      afterHandling: true,
      times: 1,
    });
    const body = { kind: 'custom', touser: 'o-8', msgtype: 'text', text: { content: 'once' } };
    expect((await send('wx', body, 'cs-lost')).status).toBe(504);
    const retry = await send('wx', body, 'cs-lost');
    expect(retry.status).toBe(504);
    expect(retry.json).toMatchObject({ code: 'OUTCOME_UNKNOWN' });
    expect(wechatDeliveries()).toHaveLength(1);
    expect(h.sandbox.counters().apps[WX.appId].apiCalls).toBe(1);
  });

  it('the client loses the answer (it hangs up): its retry with the key gets the first answer, 1 delivery', async () => {
    const body = JSON.stringify(text('alice'));
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/apps/ww/messages',
        headers: {
          ...admin,
          'Idempotency-Key': 'hangup-1',
          'Content-Length': Buffer.byteLength(body),
        },
      });
      req.on('error', () => resolve());
      req.end(body, () => {
        req.destroy();
        resolve();
      });
    });
    let retry: RawAnswer | undefined;
    for (let i = 0; i < 50 && retry?.status !== 200; i += 1) {
      retry = await send('ww', body, 'hangup-1');
      if (retry.status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(retry?.status).toBe(200);
    expect(wecomDeliveries()).toHaveLength(1);
  });

  it('WeCom per-member limit: the 31st message a minute to one member is refused (429), none dropped', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 31; i += 1) answers.push((await send('ww', text('carol'))).status);
    expect(answers.slice(0, 30).every((s) => s === 200)).toBe(true);
    const refused = await send('ww', text('carol|dave'));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.json).toMatchObject({ code: 'MEMBER_LIMIT', members: ['carol'] });
    expect(answers[30]).toBe(429);
    expect(wecomDeliveries()).toHaveLength(30);
    expect(drops()).toHaveLength(0);
    // dave was not counted by the refused send (all or nothing): he still gets his 30.
    for (let i = 0; i < 30; i += 1) expect((await send('ww', text('dave'))).status).toBe(200);
  }, 60_000);

  it('hostile input: each a clear 4xx, nothing sent', async () => {
    const deep = (levels: number): unknown => (levels === 0 ? 'x' : { a: deep(levels - 1) });
    const cases: [string, string | object, string | undefined, number, string | undefined][] = [
      [
        '10 MB body',
        JSON.stringify({ ...text(), pad: 'x'.repeat(10 * 1024 * 1024) }),
        undefined,
        413,
        undefined,
      ],
      ['50 levels', { ...text(), text: deep(50) }, undefined, 400, undefined],
      [
        '10,000 recipients',
        text(Array.from({ length: 10_000 }, (_, i) => `u${i}`).join('|')),
        undefined,
        400,
        'touser',
      ],
      ['a 10 KB key', text(), 'k'.repeat(10 * 1024), 400, 'Idempotency-Key'],
      [
        'an unknown msgtype',
        { touser: 'alice', msgtype: 'fax', fax: {} },
        undefined,
        400,
        'msgtype',
      ],
      ['agentid in the body', { ...text(), agentid: 1 }, undefined, 400, 'agentid'],
      ['not JSON', '{"touser":', undefined, 400, undefined],
    ];
    for (const [what, body, key, status, field] of cases) {
      const res = await send('ww', body, key).catch((error: Error) => ({
        status: -1,
        json: error.message,
        headers: {},
      }));
      expect({ what, status: res.status }).toEqual({ what, status });
      if (field !== undefined)
        expect({ what, json: res.json }).toMatchObject({ what, json: { field } });
    }
    expect(wecomDeliveries()).toHaveLength(0);
    expect(h.sandbox.counters().apps[WW_KEY]?.apiCalls ?? 0).toBe(0);
  }, 60_000);

  it('logs no secret, client key or token', () => {
    const printed = h.printed();
    for (const secret of [...SECRETS, WX.appSecret, WW.secret])
      expect(printed).not.toContain(secret);
    expect(printed).not.toContain(SANDBOX_DEMO_APP.appSecret);
  });
});

describe('WECOM_MEMBER_MESSAGES_PER_MINUTE / _PER_HOUR take effect', () => {
  const body = (n: number) =>
    JSON.stringify({ touser: 'erin', msgtype: 'text', text: { content: `m${n}` } });

  it('a lower minute limit: the third message to one member is refused, nothing dropped', async () => {
    const h = await startHarness({
      appsFile: APPS,
      listen: true,
      env: { WECOM_MEMBER_MESSAGES_PER_MINUTE: '2' },
    });
    try {
      const port = portOf(h.app.getHttpServer());
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        statuses.push(
          (await rawRequest(port, 'POST', '/apps/ww/messages', { headers: admin, body: body(i) }))
            .status,
        );
      }
      expect(statuses).toEqual([200, 200, 429]);
      expect(h.sandbox.push.deliveries({ appKey: WW_KEY })).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('a lower hour limit refuses the same way; nonsense values refuse to start, naming the variable', async () => {
    const h = await startHarness({
      appsFile: APPS,
      listen: true,
      env: { WECOM_MEMBER_MESSAGES_PER_HOUR: '1' },
    });
    try {
      const port = portOf(h.app.getHttpServer());
      const first = await rawRequest(port, 'POST', '/apps/ww/messages', {
        headers: admin,
        body: body(0),
      });
      const second = await rawRequest(port, 'POST', '/apps/ww/messages', {
        headers: admin,
        body: body(1),
      });
      expect([first.status, second.status]).toEqual([200, 429]);
      expect(second.json).toMatchObject({ code: 'MEMBER_LIMIT' });
    } finally {
      await h.close();
    }
    for (const [name, value] of [
      ['WECOM_MEMBER_MESSAGES_PER_MINUTE', '0'],
      ['WECOM_MEMBER_MESSAGES_PER_MINUTE', 'thirty'],
      ['WECOM_MEMBER_MESSAGES_PER_HOUR', '-5'],
      ['WECOM_MEMBER_MESSAGES_PER_HOUR', '2000000'],
    ]) {
      await expect(startHarness({ appsFile: APPS, env: { [name]: value } })).rejects.toThrow(
        new RegExp(name),
      );
    }
  });
});
