import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { beforeEach, describe, expect, it } from 'vitest';
import { QingtuiValidationError } from '../../errors/qingtui-validation.error.js';
import type { WeChatCustomMessage, WeChatMassMessage } from './wechat-message.interface.js';
import { WeChatClient } from './wechat.client.js';
import { fromWeChatWire } from './wechat-wire.js';

/*
 * Wire format and answers, with an axios adapter that records each request and answers as told
 * (the module's interceptor, 45065 through it, token and retries: `../typed-clients.module.spec.ts`).
 */

interface Sent {
  url?: string;
  body: Record<string, unknown>;
  qingtui: InternalAxiosRequestConfig['qingtui'];
}

let sent: Sent[];
let answer: Record<string, unknown>;
let client: WeChatClient;

beforeEach(() => {
  sent = [];
  answer = { errcode: 0, errmsg: 'ok', msgid: 200228332 };
  const adapter: AxiosAdapter = async (config) => {
    sent.push({
      url: config.url,
      body: JSON.parse(config.data as string),
      qingtui: config.qingtui,
    });
    return { data: answer, status: 200, statusText: 'OK', headers: {}, config };
  };
  client = new WeChatClient(axios.create({ adapter }), 'mp');
});

const last = () => sent[sent.length - 1];

describe('WeChatClient.sendTemplate', () => {
  it('sends the platform JSON with client_msg_id and answers the msgid', async () => {
    const result = await client.sendTemplate({
      toUser: 'o1',
      templateId: 'tpl',
      url: 'https://x',
      miniprogram: { appId: 'wxa', pagePath: 'index?foo=bar' },
      data: { thing1: { value: 'Shipped', color: '#173177' }, time2: { value: '' } },
      clientMsgId: 'order-42',
    });
    expect(result).toEqual({ msgId: '200228332' });
    expect(last()).toMatchObject({
      url: '/cgi-bin/message/template/send',
      qingtui: { app: 'mp', idempotent: false },
    });
    expect(last().body).toEqual({
      touser: 'o1',
      template_id: 'tpl',
      url: 'https://x',
      miniprogram: { appid: 'wxa', pagepath: 'index?foo=bar' },
      data: { thing1: { value: 'Shipped', color: '#173177' }, time2: { value: '' } },
      client_msg_id: 'order-42',
    });
  });

  it('a success without msgid is a non-retryable QingtuiApiError', async () => {
    answer = { errcode: 0, errmsg: 'ok' };
    await expect(
      client.sendTemplate({ toUser: 'o1', templateId: 't', data: { a: { value: 'x' } } }),
    ).rejects.toMatchObject({ name: 'QingtuiApiError', kind: 'request', platform: 'WeChat' });
  });
});

describe('WeChatClient.sendSubscribe', () => {
  it('sends bizsend with page and mini program, no msgid needed', async () => {
    answer = { errcode: 0, errmsg: 'ok' };
    await expect(
      client.sendSubscribe({
        toUser: 'o1',
        templateId: 'tpl',
        page: 'https://x',
        miniprogram: { appId: 'wxa', pagePath: 'p' },
        data: { name1: { value: 'Li' } },
      }),
    ).resolves.toEqual({});
    expect(last()).toMatchObject({ url: '/cgi-bin/message/subscribe/bizsend' });
    expect(last().body).toEqual({
      touser: 'o1',
      template_id: 'tpl',
      page: 'https://x',
      miniprogram: { appid: 'wxa', pagepath: 'p' },
      data: { name1: { value: 'Li' } },
    });
    answer = { errcode: 0, errmsg: 'ok', msgid: 7 };
    await expect(
      client.sendSubscribe({ toUser: 'o1', templateId: 'tpl', data: { a: { value: 'x' } } }),
    ).resolves.toEqual({ msgId: '7' });
  });
});

describe('WeChatClient.sendCustom', () => {
  const cases: [WeChatCustomMessage, Record<string, unknown>][] = [
    [{ type: 'text', content: 'hi' }, { text: { content: 'hi' } }],
    [{ type: 'image', mediaId: 'm' }, { image: { media_id: 'm' } }],
    [{ type: 'voice', mediaId: 'm' }, { voice: { media_id: 'm' } }],
    [
      { type: 'video', mediaId: 'm', thumbMediaId: 't', title: 'T', description: 'D' },
      { video: { media_id: 'm', thumb_media_id: 't', title: 'T', description: 'D' } },
    ],
    [
      { type: 'music', title: 'T', musicUrl: 'u', hqMusicUrl: 'h', thumbMediaId: 't' },
      { music: { title: 'T', musicurl: 'u', hqmusicurl: 'h', thumb_media_id: 't' } },
    ],
    [
      { type: 'news', articles: [{ title: 'T', url: 'u', picUrl: 'p' }] },
      { news: { articles: [{ title: 'T', url: 'u', picurl: 'p' }] } },
    ],
    [{ type: 'mpnews', mediaId: 'm' }, { mpnews: { media_id: 'm' } }],
    [
      {
        type: 'msgmenu',
        headContent: 'H',
        list: [{ id: '101', content: 'Yes' }],
        tailContent: 'T',
      },
      { msgmenu: { head_content: 'H', list: [{ id: '101', content: 'Yes' }], tail_content: 'T' } },
    ],
    [{ type: 'wxcard', cardId: 'c' }, { wxcard: { card_id: 'c' } }],
    [
      { type: 'miniprogrampage', title: 'T', appId: 'wxa', pagePath: 'p', thumbMediaId: 't' },
      { miniprogrampage: { title: 'T', appid: 'wxa', pagepath: 'p', thumb_media_id: 't' } },
    ],
  ];

  it.each(cases)('sends %j', async (message, object) => {
    answer = { errcode: 0, errmsg: 'ok' };
    await expect(client.sendCustom({ toUser: 'o1', message })).resolves.toBeUndefined();
    expect(last().url).toBe('/cgi-bin/message/custom/send');
    expect(last().body).toEqual({ touser: 'o1', msgtype: message.type, ...object });
  });

  it('sends as a customer-service account', async () => {
    answer = { errcode: 0, errmsg: 'ok' };
    await client.sendCustom({
      toUser: 'o1',
      message: { type: 'text', content: 'x' },
      kfAccount: 'kf@x',
    });
    expect(last().body.customservice).toEqual({ kf_account: 'kf@x' });
  });
});

describe('WeChatClient.sendMass', () => {
  const cases: [WeChatMassMessage, Record<string, unknown>][] = [
    [{ type: 'mpnews', mediaId: 'm' }, { mpnews: { media_id: 'm' } }],
    [{ type: 'text', content: 'hi' }, { text: { content: 'hi' } }],
    [{ type: 'voice', mediaId: 'm' }, { voice: { media_id: 'm' } }],
    [
      {
        type: 'image',
        mediaIds: ['a', 'b'],
        recommend: 'r',
        needOpenComment: true,
        onlyFansCanComment: false,
      },
      {
        images: {
          media_ids: ['a', 'b'],
          recommend: 'r',
          need_open_comment: 1,
          only_fans_can_comment: 0,
        },
      },
    ],
    [{ type: 'mpvideo', mediaId: 'm', title: 'T' }, { mpvideo: { media_id: 'm', title: 'T' } }],
    [{ type: 'wxcard', cardId: 'c' }, { wxcard: { card_id: 'c' } }],
  ];

  it.each(cases)('sends %j', async (message, object) => {
    answer = {
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: 34182,
      msg_data_id: 206227730,
    };
    await expect(
      client.sendMass({
        toUser: ['o1', 'o2'],
        message,
        clientMsgId: 'batch-1',
        sendIgnoreReprint: true,
      }),
    ).resolves.toEqual({ msgId: '34182', msgDataId: '206227730', alreadySent: false });
    expect(last()).toMatchObject({
      url: '/cgi-bin/message/mass/send',
      qingtui: { app: 'mp', idempotent: false, answerErrcodes: [45065] },
    });
    expect(last().body).toEqual({
      touser: ['o1', 'o2'],
      msgtype: message.type,
      ...object,
      send_ignore_reprint: 1,
      clientmsgid: 'batch-1',
    });
  });

  it('reads 45065 (already sent within 24 h) as success with the first msg_id', async () => {
    answer = { errcode: 45065, errmsg: 'clientmsgid exist', msg_id: 1000000001 };
    await expect(
      client.sendMass({
        toUser: ['o1', 'o2'],
        message: { type: 'text', content: 'x' },
        clientMsgId: 'b',
      }),
    ).resolves.toEqual({ msgId: '1000000001', alreadySent: true });
  });

  it('keeps errcode 45065 when its answer carries no msg_id', async () => {
    answer = { errcode: 45065, errmsg: 'clientmsgid exist' };
    await expect(
      client.sendMass({
        toUser: ['o1', 'o2'],
        message: { type: 'text', content: 'x' },
        clientMsgId: 'b',
      }),
    ).rejects.toMatchObject({ name: 'QingtuiApiError', errcode: 45065, platform: 'WeChat' });
  });

  it('sends nothing when validation fails', async () => {
    await expect(
      client.sendMass({ toUser: ['o1'], message: { type: 'text', content: 'x' } }),
    ).rejects.toBeInstanceOf(QingtuiValidationError);
    expect(sent).toHaveLength(0);
  });
});

describe('WeChatClient.send: one send of any API, as fromWeChatWire reads it', () => {
  it('calls the API of the kind and tags the answer with it', async () => {
    answer = { errcode: 0, errmsg: 'ok', msgid: 11, msg_id: 12 };
    const template = fromWeChatWire('template', {
      touser: 'o1',
      template_id: 't',
      data: { a: { value: 'x' } },
    });
    await expect(client.send(template)).resolves.toEqual({ kind: 'template', msgId: '11' });
    expect(last().url).toBe('/cgi-bin/message/template/send');
    const custom = fromWeChatWire('custom', {
      touser: 'o1',
      msgtype: 'text',
      text: { content: 'x' },
    });
    await expect(client.send(custom)).resolves.toEqual({ kind: 'custom' });
    expect(last().url).toBe('/cgi-bin/message/custom/send');
    const mass = fromWeChatWire('mass', {
      touser: ['a', 'b'],
      msgtype: 'text',
      text: { content: 'x' },
    });
    await expect(client.send(mass)).resolves.toEqual({
      kind: 'mass',
      msgId: '12',
      alreadySent: false,
    });
    await expect(client.send({ kind: 'sms' } as never)).rejects.toMatchObject({ field: 'kind' });
  });

  it('validates what the wire reader let through, sending nothing', async () => {
    const empty = fromWeChatWire('subscribe', { touser: 'o1', template_id: 't', data: {} });
    await expect(client.send(empty)).rejects.toMatchObject({ field: 'data' });
    expect(sent).toHaveLength(0);
  });
});

describe('fromWeChatWire', () => {
  it('reads back what each method sends', async () => {
    answer = { errcode: 0, errmsg: 'ok', msgid: 1, msg_id: 2 };
    await client.sendTemplate({
      toUser: 'o1',
      templateId: 't',
      miniprogram: { appId: 'wxa' },
      data: { a: { value: 'x' } },
      clientMsgId: 'c',
    });
    const template = fromWeChatWire('template', last().body);
    expect(template).toEqual({
      kind: 'template',
      send: {
        toUser: 'o1',
        templateId: 't',
        miniprogram: { appId: 'wxa' },
        data: { a: { value: 'x' } },
        clientMsgId: 'c',
      },
    });
    await client.sendSubscribe({ toUser: 'o1', templateId: 't', data: { a: { value: 'x' } } });
    expect(fromWeChatWire('subscribe', last().body).send).toEqual({
      toUser: 'o1',
      templateId: 't',
      data: { a: { value: 'x' } },
    });
    const custom = {
      toUser: 'o1',
      message: { type: 'text', content: 'hi' },
      kfAccount: 'kf',
    } as const;
    await client.sendCustom(custom);
    expect(fromWeChatWire('custom', last().body)).toEqual({ kind: 'custom', send: custom });
    const mass = {
      toUser: ['o1', 'o2'],
      message: { type: 'image', mediaIds: ['m'], needOpenComment: true },
      clientMsgId: 'c',
      sendIgnoreReprint: false,
    } as const;
    await client.sendMass(mass);
    expect(fromWeChatWire('mass', last().body)).toEqual({ kind: 'mass', send: mass });
  });

  it.each([
    ['template', { touser: 'o', template_id: 't', data: {}, kind: 'x' }, 'kind'],
    ['custom', { touser: 'o', msgtype: 'sms' }, 'msgtype'],
    ['custom', { touser: 'o', msgtype: 'text' }, 'text'],
    ['custom', { touser: 'o', msgtype: 'text', text: { content: 'x', extra: 1 } }, 'text.extra'],
    [
      'mass',
      { touser: ['a', 'b'], msgtype: 'mpnews', mpnews: { media_id: 'm' }, send_ignore_reprint: 2 },
      'send_ignore_reprint',
    ],
    ['mass', { touser: ['a', 'b'], msgtype: 'image', image: { media_ids: ['m'] } }, 'image'],
    ['broadcast', {}, 'kind'],
  ] as const)('%s: refuses %j naming %s', (kind, wire, field) => {
    expect(() => fromWeChatWire(kind as 'template', wire)).toThrow(
      expect.objectContaining({ field }),
    );
  });
});
