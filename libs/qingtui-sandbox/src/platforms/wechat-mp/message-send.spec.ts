import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import { getJson, type JsonAnswer, type JsonBody, postJson } from '../../testing/http-helpers.js';
import { wechatToken } from '../../testing/wechat-mp-helpers.js';
import { SANDBOX_DEMO_WECHAT_APP } from './wechat-mp.options.js';

const APP = SANDBOX_DEMO_WECHAT_APP.appId;
const HOUR = 3600_000;
const ALICE = 'o-alice';
const BOB = 'o-bob';

describe('WeChat message sends', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let token: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1, 10, 0, 0);
    sandbox = new QingtuiSandbox({ now: () => clock, tokenTtlSeconds: 86_400 * 3 });
    base = await sandbox.start();
    token = (await wechatToken(base)).access_token as string;
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const post = (path: string, body: unknown, accessToken = token): Promise<JsonAnswer> =>
    postJson(`${base}/cgi-bin/message/${path}?access_token=${accessToken}`, body);
  const template = (extra: JsonBody = {}): JsonBody => ({
    touser: ALICE,
    template_id: 'tpl-order',
    url: 'https://x.test/order/1',
    data: { thing1: { value: 'shipped' } },
    ...extra,
  });
  const mass = (extra: JsonBody = {}): JsonBody => ({
    touser: [ALICE, BOB],
    msgtype: 'text',
    text: { content: 'news of the day' },
    clientmsgid: 'daily-2025-01-01',
    ...extra,
  });

  it('template: delivered with a msgid; the same openid + client_msg_id within 10 min is not', async () => {
    const first = (await post('template/send', template({ client_msg_id: 'order-1' }))).body;
    expect(first).toEqual({ errcode: 0, errmsg: 'ok', msgid: expect.any(Number) });
    clock += 9 * 60_000;
    const again = (await post('template/send', template({ client_msg_id: 'order-1' }))).body;
    expect(again).toEqual(first);
    const toBob = (await post('template/send', template({ client_msg_id: 'order-1', touser: BOB })))
      .body;
    expect(toBob.msgid).not.toBe(first.msgid);
    clock += 60_000; // 10 min after the first
    const later = (await post('template/send', template({ client_msg_id: 'order-1' }))).body;
    expect(later.msgid).not.toBe(first.msgid);
    await post('template/send', template());
    await post('template/send', template());
    expect(sandbox.push.deliveries({ recipient: ALICE, api: 'template' })).toHaveLength(4);
    expect(sandbox.push.deliveries({ msgId: String(first.msgid) })[0]).toMatchObject({
      platform: 'wechat-mp',
      appKey: APP,
      msgtype: 'tpl-order',
      recipients: [ALICE],
    });
    expect(sandbox.push.drops()).toEqual([
      expect.objectContaining({
        reason: 'client-msg-id',
        msgId: String(first.msgid),
        recipients: [ALICE],
      }),
    ]);
    expect(sandbox.counters().apps[APP]).toMatchObject({ deliveries: 5, drops: 1 });
  });

  it('template and subscribe: the body checks and the token', async () => {
    const codes = await Promise.all(
      [
        template({ touser: '' }),
        template({ template_id: undefined }),
        template({ data: 'x' }),
        template({ miniprogram: { pagepath: 'p' } }),
      ].map(async (b) => (await post('template/send', b)).body.errcode as number),
    );
    expect(codes).toEqual([40003, 40037, 47003, 47003]);
    expect((await post('template/send', template(), 'forged')).body.errcode).toBe(40014);
    expect((await post('template/send', '')).body.errcode).toBe(44002);
    expect((await post('subscribe/bizsend', '{')).body.errcode).toBe(47001);
    const get = await getJson(`${base}/cgi-bin/message/custom/send?access_token=${token}`);
    expect(get.body.errcode).toBe(43002);
    expect(sandbox.push.deliveries()).toEqual([]);
  });

  it('subscribe: each send uses one consent; the second use of one consent is 43101', async () => {
    expect((await post('subscribe/bizsend', template())).body.errcode).toBe(43101);
    expect(sandbox.push.grantSubscribeConsent(APP, ALICE, 'tpl-order')).toBe(1);
    expect((await post('subscribe/bizsend', template())).body).toEqual({
      errcode: 0,
      errmsg: 'ok',
    });
    expect((await post('subscribe/bizsend', template())).body).toMatchObject({ errcode: 43101 });
    sandbox.push.grantSubscribeConsent(APP, ALICE, 'tpl-order', 2);
    sandbox.push.grantSubscribeConsent(APP, BOB, 'tpl-other');
    expect((await post('subscribe/bizsend', template({ touser: BOB }))).body.errcode).toBe(43101);
    await post('subscribe/bizsend', template());
    expect(sandbox.push.subscribeConsents(APP, ALICE, 'tpl-order')).toBe(1);
    const delivered = sandbox.push.deliveries({ api: 'subscribe' });
    expect(delivered.map((d) => d.recipients)).toEqual([[ALICE], [ALICE]]);
    expect(new Set(delivered.map((d) => d.msgId)).size).toBe(2);
    expect(sandbox.counters().apps[APP].apiRejected).toEqual({ 43101: 3 });
  });

  it('custom: only within 48 h of the last interaction, else 45015', async () => {
    const text = { touser: ALICE, msgtype: 'text', text: { content: 'hi' } };
    expect((await post('custom/send', text)).body.errcode).toBe(45015);
    sandbox.push.setLastInteraction(APP, ALICE);
    clock += 48 * HOUR;
    expect((await post('custom/send', text)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    clock += 1;
    expect((await post('custom/send', text)).body.errcode).toBe(45015);
    sandbox.push.setLastInteraction(APP, ALICE, clock - HOUR);
    expect((await post('custom/send', text)).body.errcode).toBe(0);
    sandbox.push.setLastInteraction(APP, ALICE, null);
    expect((await post('custom/send', text)).body.errcode).toBe(45015);
    const checks = await Promise.all(
      [
        { ...text, msgtype: 'sms' },
        { ...text, text: { content: '' } },
        { touser: ALICE, msgtype: 'image', image: {} },
        { touser: ALICE, msgtype: 'news', news: { articles: [] } },
        { touser: ALICE, msgtype: 'wxcard', wxcard: {} },
      ].map(async (b) => (await post('custom/send', b)).body.errcode as number),
    );
    expect(checks).toEqual([40008, 44004, 40007, 44003, 47003]);
    expect(sandbox.push.deliveries({ api: 'custom', recipient: ALICE })).toHaveLength(2);
  });

  it('mass: clientmsgid within a minute 45066, then 45065 with the first msg_id, for 24 h', async () => {
    const first = (await post('mass/send', mass())).body;
    expect(first).toEqual({
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: expect.any(Number),
    });
    clock += 59_999;
    expect((await post('mass/send', mass())).body.errcode).toBe(45066);
    clock += 1;
    expect((await post('mass/send', mass())).body).toEqual({
      errcode: 45065,
      errmsg: 'clientmsgid exist',
      msg_id: first.msg_id,
    });
    clock += 30_000; // 30 s after the last answered attempt
    expect((await post('mass/send', mass())).body.errcode).toBe(45066);
    clock += 30_000;
    expect((await post('mass/send', mass({ text: { content: 'changed' } }))).body).toMatchObject({
      errcode: 45065,
      msg_id: first.msg_id,
    });
    clock = Date.UTC(2025, 0, 2, 10, 0, 0); // 24 h after the first
    const next = (await post('mass/send', mass())).body;
    expect(next.errcode).toBe(0);
    expect(next.msg_id).not.toBe(first.msg_id);
    // The new send restarted both windows.
    const news = (await post('mass/send', mass({ msgtype: 'mpnews', mpnews: { media_id: 'm' } })))
      .body;
    expect(news).toMatchObject({ errcode: 45066 });
    const fresh = (
      await post(
        'mass/send',
        mass({ msgtype: 'mpnews', mpnews: { media_id: 'm' }, clientmsgid: 'n' }),
      )
    ).body;
    expect(fresh).toMatchObject({ errcode: 0, msg_data_id: expect.any(Number) });
    expect(sandbox.push.deliveries({ api: 'mass' }).map((d) => d.recipients)).toEqual([
      [ALICE, BOB],
      [ALICE, BOB],
      [ALICE, BOB],
    ]);
    expect(sandbox.counters().apps[APP].apiRejected).toEqual({ 45065: 2, 45066: 3 });
  });

  it('mass: the body checks', async () => {
    const codes = await Promise.all(
      [
        mass({ touser: [ALICE] }),
        mass({ touser: ALICE }),
        mass({ touser: [ALICE, ''] }),
        mass({ msgtype: 'music' }),
        mass({ text: {} }),
        mass({ clientmsgid: 'x'.repeat(65) }),
        mass({ send_ignore_reprint: 2 }),
      ].map(async (b) => (await post('mass/send', b)).body.errcode as number),
    );
    expect(codes).toEqual([40130, 40130, 40003, 40008, 44004, 45067, 47003]);
    expect((await post('mass/send', mass({ clientmsgid: 'x'.repeat(64) }))).body.errcode).toBe(0);
  });

  it('a fault after handling delivers, then fails: the delivery is recorded', async () => {
    sandbox.addFault({
      kind: 'reset',
      path: /^\/cgi-bin\/message\//,
      afterHandling: true,
      times: 1,
    });
    await expect(post('mass/send', mass())).rejects.toThrow();
    expect(sandbox.push.deliveries({ api: 'mass' })).toHaveLength(1);
    // The client retries with the same clientmsgid a minute later: 45065, not a second delivery.
    clock += 60_000;
    const retry = (await post('mass/send', mass())).body;
    expect(retry).toMatchObject({
      errcode: 45065,
      msg_id: Number(sandbox.push.deliveries()[0].msgId),
    });
    expect(sandbox.push.deliveries()).toHaveLength(1);
  });
});
