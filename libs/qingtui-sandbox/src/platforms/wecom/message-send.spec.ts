import { afterEach, describe, expect, it } from 'vitest';
import { QingtuiSandbox } from '../../sandbox.js';
import type { SandboxOptions } from '../../sandbox.options.js';
import { getJson, type JsonAnswer, type JsonBody, postJson } from '../../testing/http-helpers.js';
import { wecomToken } from '../../testing/wecom-helpers.js';
import { SANDBOX_DEMO_WECOM_APP, wecomAppKey } from './wecom.options.js';

const DEMO = SANDBOX_DEMO_WECOM_APP;
const KEY = wecomAppKey(DEMO.corpId, DEMO.agentId);
const AGENT = Number(DEMO.agentId);
const OTHER = { corpId: DEMO.corpId, agentId: 1000003, secret: 'ww-other-secret' };
const MINUTE = 60_000;

describe('WeCom message/send and message/recall', () => {
  let sandbox: QingtuiSandbox;
  let base: string;
  let token: string;
  let clock: number;

  async function start(options: SandboxOptions = {}): Promise<void> {
    clock = Date.UTC(2025, 0, 1, 10, 0, 0);
    sandbox = new QingtuiSandbox({
      now: () => clock,
      wecomApps: [DEMO, OTHER],
      tokenTtlSeconds: 86_400 * 3,
      ...options,
    });
    base = await sandbox.start();
    token = (await wecomToken(base)).body.access_token as string;
  }

  afterEach(async () => {
    await sandbox.stop();
  });

  const send = (body: unknown, accessToken = token): Promise<JsonAnswer> =>
    postJson(`${base}/cgi-bin/message/send?access_token=${encodeURIComponent(accessToken)}`, body);
  const recall = (msgid: unknown): Promise<JsonAnswer> =>
    postJson(`${base}/cgi-bin/message/recall?access_token=${encodeURIComponent(token)}`, { msgid });
  const text = (touser: string, extra: JsonBody = {}): JsonBody => ({
    touser,
    msgtype: 'text',
    agentid: AGENT,
    text: { content: 'hello' },
    ...extra,
  });

  it('delivers to every userid of an open directory and answers the full envelope', async () => {
    await start();
    const { body } = await send(text('Alice|bob'));
    expect(body).toEqual({
      errcode: 0,
      errmsg: 'ok',
      invaliduser: '',
      invalidparty: '',
      invalidtag: '',
      unlicenseduser: '',
      msgid: expect.any(String),
    });
    expect(sandbox.push.deliveries()).toEqual([
      {
        platform: 'wecom',
        appKey: KEY,
        msgId: body.msgid,
        api: 'wecom-message',
        msgtype: 'text',
        recipients: ['alice', 'bob'],
        body: text('Alice|bob'),
        at: clock,
      },
    ]);
    expect(sandbox.counters().apps[KEY]).toMatchObject({ apiCalls: 1, deliveries: 1, drops: 0 });
  });

  it('checks the token, the agentid, the msgtype and each content object', async () => {
    await start();
    const other = (await wecomToken(base, OTHER.corpId, OTHER.secret)).body.access_token as string;
    const codes = async (bodies: unknown[]): Promise<number[]> =>
      Promise.all(bodies.map(async (b) => (await send(b)).body.errcode as number));
    expect((await send(text('a'), 'forged')).body.errcode).toBe(40014);
    expect((await send(text('a'), other)).body.errcode).toBe(301002);
    expect((await getJson(`${base}/cgi-bin/message/send?access_token=${token}`)).body.errcode).toBe(
      43002,
    );
    expect(await codes(['', 'not json'])).toEqual([44002, 47001]);
    expect(
      await codes([
        text('a', { agentid: undefined }),
        text('a', { agentid: 999 }),
        text('a', { agentid: OTHER.agentId }),
        text('a', { msgtype: 'sms' }),
        text('a', { text: { content: '  ' } }),
        text('a', { text: { content: 'x'.repeat(2049) } }),
        text('a', { enable_duplicate_check: 2 }),
        text('a', { duplicate_check_interval: 14_401, enable_duplicate_check: 1 }),
        text('a', { msgtype: 'image', image: {} }),
        text('a', { msgtype: 'textcard', textcard: { title: 't', url: 'https://x.test' } }),
        text('a', { msgtype: 'textcard', textcard: { title: 't', description: 'd' } }),
        text('a', { msgtype: 'news', news: { articles: [] } }),
        text('a', { msgtype: 'news', safe: 1, news: { articles: [{ title: 't', url: 'u' }] } }),
        text('a', { msgtype: 'mpnews', mpnews: { articles: Array(9).fill({ title: 't' }) } }),
        text('a', { msgtype: 'markdown', markdown: {} }),
        text('a', { msgtype: 'template_card', template_card: { card_type: 'x' } }),
        text('a', { msgtype: 'miniprogram_notice', miniprogram_notice: { title: 't' } }),
      ]),
    ).toEqual([
      41011, 40056, 301002, 40008, 44004, 45002, 40058, 40058, 41006, 41033, 41010, 41016, 40074,
      45008, 44004, 40035, 40035,
    ]);
    expect(sandbox.push.deliveries()).toEqual([]);
    const valid = [
      text('a', { msgtype: 'voice', voice: { media_id: 'm' } }),
      text('a', { msgtype: 'markdown', markdown: { content: '**hi**' } }),
      text('a', {
        msgtype: 'mpnews',
        safe: 2,
        mpnews: { articles: [{ title: 't', thumb_media_id: 'm', content: '<p>c</p>' }] },
      }),
      text('a', { msgtype: 'template_card', template_card: { card_type: 'text_notice' } }),
    ];
    expect(await codes(valid)).toEqual([0, 0, 0, 0]);
    expect(sandbox.push.deliveries().map((d) => d.msgtype)).toEqual(
      expect.arrayContaining(['voice', 'markdown', 'mpnews', 'template_card']),
    );
  });

  it('with a directory: partial failure lists the invalid ones, all invalid is 81013', async () => {
    await start();
    sandbox.push.setWecomDirectory(DEMO.corpId, {
      members: ['alice', 'bob', 'carol'],
      departments: { '2': ['bob', 'dave'] },
      tags: { '7': ['carol'] },
      unlicensed: ['erin'],
    });
    const { body } = await send(text('alice|Ghost|erin|nobody', { toparty: '2|9', totag: '7|8' }));
    expect(body).toMatchObject({
      errcode: 0,
      invaliduser: 'ghost|nobody',
      invalidparty: '9',
      invalidtag: '8',
      unlicenseduser: 'erin',
    });
    expect(sandbox.push.deliveries({ msgId: body.msgid })[0].recipients).toEqual([
      'alice',
      'bob',
      'dave',
      'carol',
    ]);
    const all = await send(text('ghost|erin', { toparty: '9' }));
    expect(all.body.errcode).toBe(81013);
    expect((await send(text(''))).body.errcode).toBe(81013);
    expect((await send(text('@all'))).body.errcode).toBe(0);
    expect(sandbox.push.deliveries({ recipient: 'dave' })).toHaveLength(2);
    expect(sandbox.push.deliveries()).toHaveLength(2);
    const many = Array.from({ length: 1001 }, (_, i) => `u${i}`).join('|');
    expect((await send(text(many))).body.errcode).toBe(40032);
  });

  it('enable_duplicate_check: the same request JSON within the interval is answered, not delivered', async () => {
    await start();
    const body = text('alice', { enable_duplicate_check: 1, duplicate_check_interval: 600 });
    const first = (await send(body)).body;
    // Same JSON with the keys in another order: still the same request.
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = (await send(reordered)).body;
    expect(second).toEqual(first);
    clock += 599_000;
    expect((await send(body)).body.msgid).toBe(first.msgid);
    expect((await send({ ...body, text: { content: 'other' } })).body.msgid).not.toBe(first.msgid);
    clock += 1000; // 600 s after the first
    const third = (await send(body)).body;
    expect(third.errcode).toBe(0);
    expect(third.msgid).not.toBe(first.msgid);
    // Without the flag nothing is checked.
    await send(text('alice'));
    await send(text('alice'));
    expect(sandbox.push.deliveries({ recipient: 'alice' })).toHaveLength(5);
    expect(sandbox.push.drops()).toEqual([
      expect.objectContaining({
        reason: 'duplicate-check',
        msgId: first.msgid,
        recipients: ['alice'],
      }),
      expect.objectContaining({
        reason: 'duplicate-check',
        msgId: first.msgid,
        recipients: ['alice'],
      }),
    ]);
    expect(sandbox.counters().apps[KEY]).toMatchObject({ deliveries: 5, drops: 2 });
  });

  it('per member: the 31st message of a minute is dropped silently for that member only', async () => {
    await start();
    for (let i = 0; i < 30; i++) expect((await send(text('alice'))).body.errcode).toBe(0);
    const over = (await send(text('alice|bob'))).body;
    expect(over).toMatchObject({ errcode: 0, invaliduser: '' });
    expect(sandbox.push.deliveries({ msgId: over.msgid })[0].recipients).toEqual(['bob']);
    const dropped = (await send(text('alice'))).body;
    expect(dropped.errcode).toBe(0);
    expect(sandbox.push.deliveries({ msgId: dropped.msgid })).toEqual([]);
    expect(sandbox.push.drops({ reason: 'minute-limit' })).toEqual([
      expect.objectContaining({ msgId: over.msgid, recipients: ['alice'] }),
      expect.objectContaining({ msgId: dropped.msgid, recipients: ['alice'] }),
    ]);
    // Another app of the company has its own allowance.
    const other = (await wecomToken(base, OTHER.corpId, OTHER.secret)).body.access_token as string;
    expect((await send(text('alice', { agentid: OTHER.agentId }), other)).body.errcode).toBe(0);
    expect(sandbox.push.deliveries({ recipient: 'alice' })).toHaveLength(31);
    clock += MINUTE;
    await send(text('alice'));
    expect(sandbox.push.deliveries({ recipient: 'alice', appKey: KEY })).toHaveLength(31);
    expect(sandbox.counters().apps[KEY]).toMatchObject({ deliveries: 32, drops: 2 });
  });

  it('per member: beyond the hourly limit, dropped until the next hour', async () => {
    await start({ wecomRules: { messagesPerMemberMinute: 2, messagesPerMemberHour: 3 } });
    clock = Date.UTC(2025, 0, 1, 10, 0, 0);
    await send(text('alice'));
    await send(text('alice'));
    expect(sandbox.push.drops()).toEqual([]);
    await send(text('alice')); // third of the minute: minute limit
    clock += MINUTE;
    await send(text('alice')); // third of the hour
    await send(text('alice')); // fourth: hour limit
    expect(sandbox.push.drops().map((d) => d.reason)).toEqual(['minute-limit', 'hour-limit']);
    clock = Date.UTC(2025, 0, 1, 11, 0, 0);
    await send(text('alice'));
    expect(sandbox.push.deliveries({ recipient: 'alice' })).toHaveLength(4);
  });

  it('recall: within 24 h once; unknown, another app’s, recalled or too old: 40058', async () => {
    await start();
    const { msgid } = (await send(text('alice'))).body;
    const old = (await send(text('bob'))).body.msgid;
    expect((await recall('nope')).body).toMatchObject({ errcode: 40058, errmsg: /invalid msgid/ });
    expect((await recall(undefined)).body.errcode).toBe(40058);
    clock += 3600_000;
    expect((await recall(msgid)).body).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(sandbox.push.deliveries({ msgId: msgid })[0].recalledAt).toBe(clock);
    expect((await recall(msgid)).body).toMatchObject({ errcode: 40058, errmsg: /already/ });
    clock += 23 * 3600_000 + 1;
    expect((await recall(old)).body).toMatchObject({ errcode: 40058, errmsg: /24 hours/ });
    const other = (await wecomToken(base, OTHER.corpId, OTHER.secret)).body.access_token as string;
    const theirs = (await send(text('carol', { agentid: OTHER.agentId }), other)).body.msgid;
    expect((await recall(theirs)).body.errcode).toBe(40058);
    expect(sandbox.counters().apps[KEY].apiRejected).toMatchObject({ 40058: 5 });
  });

  it('a fault after handling delivers, then fails: the delivery is recorded', async () => {
    await start();
    sandbox.addFault({
      kind: 'http500',
      path: '/cgi-bin/message/send',
      afterHandling: true,
      times: 1,
    });
    const answer = await send(text('alice'));
    expect(answer.status).toBe(500);
    expect(sandbox.push.deliveries({ recipient: 'alice' })).toHaveLength(1);
    sandbox.addFault({ kind: 'http500', path: '/cgi-bin/message/send', times: 1 });
    await send(text('alice'));
    expect(sandbox.push.deliveries({ recipient: 'alice' })).toHaveLength(1);
    sandbox.reset();
    expect(sandbox.push.deliveries()).toEqual([]);
  });
});
