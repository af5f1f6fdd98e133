import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_DEMO_WECHAT_APP } from './platforms/wechat-mp/wechat-mp.options.js';
import { SANDBOX_DEMO_WECOM_APP, wecomAppKey } from './platforms/wecom/wecom.options.js';
import { QingtuiSandbox } from './sandbox.js';
import { getJson, type JsonAnswer, postJson } from './testing/http-helpers.js';
import { wechatToken } from './testing/wechat-mp-helpers.js';
import { wecomToken } from './testing/wecom-helpers.js';

const WECOM = SANDBOX_DEMO_WECOM_APP;
const WECOM_KEY = wecomAppKey(WECOM.corpId, WECOM.agentId);
const WECHAT = SANDBOX_DEMO_WECHAT_APP.appId;

describe('push control API', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let wecomTokenValue: string;
  let wechatTokenValue: string;
  let clock: number;

  beforeEach(async () => {
    clock = Date.UTC(2025, 0, 1, 10, 0, 0);
    sandbox = new QingtuiSandbox({ now: () => clock });
    base = await sandbox.start();
    wecomTokenValue = (await wecomToken(base)).body.access_token as string;
    wechatTokenValue = (await wechatToken(base)).access_token as string;
  });

  afterEach(async () => {
    await sandbox.stop();
  });

  const control = (path: string, body?: unknown): Promise<JsonAnswer> =>
    body === undefined
      ? getJson(`${base}/__sandbox/${path}`)
      : postJson(`${base}/__sandbox/${path}`, body);
  const wecomSend = (touser: string, extra: object = {}): Promise<JsonAnswer> =>
    postJson(`${base}/cgi-bin/message/send?access_token=${wecomTokenValue}`, {
      touser,
      msgtype: 'text',
      agentid: Number(WECOM.agentId),
      text: { content: 'hi' },
      ...extra,
    });
  const wechatPost = (path: string, body: object): Promise<JsonAnswer> =>
    postJson(`${base}/cgi-bin/message/${path}?access_token=${wechatTokenValue}`, body);
  const subscribe = { touser: 'o-alice', template_id: 'tpl', data: {} };

  it('sets the WeCom directory, and goes back to the open one with members: null', async () => {
    expect(
      (await control('wecom-directory', { corpId: WECOM.corpId, members: ['alice'] })).body,
    ).toEqual({ ok: true });
    expect((await wecomSend('alice|bob')).body.invaliduser).toBe('bob');
    await control('wecom-directory', { corpId: WECOM.corpId, members: null });
    expect((await wecomSend('alice|bob')).body.invaliduser).toBe('');
    const bad = [
      await control('wecom-directory', { corpId: 'ww-unknown', members: [] }),
      await control('wecom-directory', { corpId: WECOM.corpId, members: 'alice' }),
      await control('wecom-directory', { corpId: WECOM.corpId, members: [], tags: { 1: 'x' } }),
    ];
    expect(bad.map((answer) => answer.status)).toEqual([400, 400, 400]);
    expect(bad[2].body.error).toMatch(/tags\["1"\]/);
  });

  it('grants and reads WeChat consents; sets and forgets last interactions', async () => {
    const granted = await control('wechat-consents', {
      appId: WECHAT,
      openid: 'o-alice',
      templateId: 'tpl',
      count: 2,
    });
    expect(granted.body).toEqual({ ok: true, consents: 2 });
    expect((await wechatPost('subscribe/bizsend', subscribe)).body.errcode).toBe(0);
    const left = await control('wechat-consents?app=wx-demo-app-id&openid=o-alice&templateId=tpl');
    expect(left.body).toEqual({ consents: 1 });
    const refusals = [
      await control('wechat-consents', { appId: WECOM_KEY, openid: 'o', templateId: 't' }),
      await control('wechat-consents', { appId: WECHAT, openid: 'o', templateId: 't', count: 0 }),
      await control('wechat-consents', { appId: WECHAT, templateId: 't' }),
      await control('wechat-consents?app=wx-demo-app-id'),
    ];
    expect(refusals.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);

    const text = { touser: 'o-alice', msgtype: 'text', text: { content: 'hi' } };
    await control('wechat-interaction', {
      appId: WECHAT,
      openid: 'o-alice',
      at: clock - 49 * 3600_000,
    });
    expect((await wechatPost('custom/send', text)).body.errcode).toBe(45015);
    await control('wechat-interaction', { appId: WECHAT, openid: 'o-alice' });
    expect((await wechatPost('custom/send', text)).body.errcode).toBe(0);
    await control('wechat-interaction', { appId: WECHAT, openid: 'o-alice', at: null });
    expect((await wechatPost('custom/send', text)).body.errcode).toBe(45015);
    expect(
      (await control('wechat-interaction', { appId: WECHAT, openid: 'o', at: 'now' })).status,
    ).toBe(400);
  });

  it('reads push deliveries and drops by app, platform, recipient, msgId, api and reason', async () => {
    await postJson(`${base}/v1/message/text/send/single?access_token=none`, {}); // Qingtui: refused
    const sent = (await wecomSend('alice|bob')).body;
    const dupe = { enable_duplicate_check: 1 };
    await wecomSend('carol', dupe);
    await wecomSend('carol', dupe);
    sandbox.push.grantSubscribeConsent(WECHAT, 'o-alice', 'tpl');
    await wechatPost('subscribe/bizsend', subscribe);

    const byApp = (await control(`deliveries?app=${encodeURIComponent(WECOM_KEY)}`)).body;
    expect(byApp.deliveries.map((d: { msgId: string }) => d.msgId)).toHaveLength(2);
    expect(byApp.deliveries[0]).toEqual(JSON.parse(JSON.stringify(sandbox.push.deliveries()[0])));
    const all = (await control('deliveries?platform=push')).body.deliveries;
    expect(all.map((d: { platform: string }) => d.platform)).toEqual([
      'wecom',
      'wecom',
      'wechat-mp',
    ]);
    expect((await control('deliveries?platform=wechat-mp')).body.deliveries).toHaveLength(1);
    expect((await control('deliveries?platform=push&recipient=bob')).body.deliveries).toHaveLength(
      1,
    );
    expect(
      (await control(`deliveries?platform=wecom&msgId=${sent.msgid}`)).body.deliveries[0]
        .recipients,
    ).toEqual(['alice', 'bob']);
    expect((await control('deliveries?platform=push&api=subscribe')).body.deliveries).toHaveLength(
      1,
    );
    // Without a push app or platform: the Qingtui deliveries, as before.
    expect((await control('deliveries')).body).toEqual({ deliveries: [] });
    expect((await control('deliveries?platform=sms')).status).toBe(400);

    const drops = (await control('drops?reason=duplicate-check')).body.drops;
    expect(drops).toEqual([expect.objectContaining({ recipients: ['carol'], appKey: WECOM_KEY })]);
    expect((await control('drops?reason=minute-limit')).body.drops).toEqual([]);
    expect((await control('drops?reason=late')).status).toBe(400);
    expect((await control('drops?platform=qingtui')).body).toEqual({ drops: [] });
    expect((await control('drops?platform=wecom')).body.drops).toHaveLength(1);
    expect((await control('state')).body).toMatchObject({
      deliveries: 0,
      pushDeliveries: 3,
      drops: 1,
    });
    expect(() => sandbox.deliveries(WECOM_KEY)).toThrow(RangeError);
  });

  it('reset forgets deliveries, drops, directories, consents and interactions', async () => {
    sandbox.push.setWecomDirectory(WECOM.corpId, { members: ['alice'] });
    sandbox.push.grantSubscribeConsent(WECHAT, 'o-alice', 'tpl');
    sandbox.push.setLastInteraction(WECHAT, 'o-alice');
    await wecomSend('alice', { enable_duplicate_check: 1 });
    await wecomSend('alice', { enable_duplicate_check: 1 });
    expect((await control('reset', {})).body).toEqual({ ok: true });
    expect(sandbox.push.deliveries()).toEqual([]);
    expect(sandbox.push.drops()).toEqual([]);
    expect(sandbox.push.subscribeConsents(WECHAT, 'o-alice', 'tpl')).toBe(0);
    wecomTokenValue = (await wecomToken(base)).body.access_token as string;
    wechatTokenValue = (await wechatToken(base)).access_token as string;
    expect((await wecomSend('bob')).body.invaliduser).toBe('');
    const text = { touser: 'o-alice', msgtype: 'text', text: { content: 'hi' } };
    expect((await wechatPost('custom/send', text)).body.errcode).toBe(45015);
    // The duplicate check forgot the first send too.
    expect((await wecomSend('alice', { enable_duplicate_check: 1 })).body.errcode).toBe(0);
    expect(sandbox.push.deliveries({ recipient: 'alice' })).toHaveLength(1);
    expect(sandbox.counters().apps[WECOM_KEY]).toMatchObject({ deliveries: 2, drops: 0 });
  });
});
