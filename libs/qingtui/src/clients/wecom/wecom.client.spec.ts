import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { beforeEach, describe, expect, it } from 'vitest';
import { QingtuiError } from '../../errors/qingtui.error.js';
import { QingtuiValidationError } from '../../errors/qingtui-validation.error.js';
import type { WeComMessage, WeComTemplateCard } from './wecom-message.interface.js';
import { WeComClient } from './wecom.client.js';
import { fromWeComWire } from './wecom-wire.js';

/*
 * Wire format and answers, with an axios adapter that records each request and answers as told
 * (the module's interceptor, token and retries are covered by `../typed-clients.module.spec.ts`).
 */

interface Sent {
  method?: string;
  url?: string;
  body: Record<string, unknown>;
  qingtui: InternalAxiosRequestConfig['qingtui'];
}

let sent: Sent[];
let answer: Record<string, unknown>;
let client: WeComClient;

beforeEach(() => {
  sent = [];
  answer = { errcode: 0, errmsg: 'ok', msgid: 'msg-1', invaliduser: '' };
  const adapter: AxiosAdapter = async (config) => {
    sent.push({
      method: config.method,
      url: config.url,
      body: JSON.parse(config.data as string),
      qingtui: config.qingtui,
    });
    return { data: answer, status: 200, statusText: 'OK', headers: {}, config };
  };
  client = new WeComClient(axios.create({ adapter }), 'oa', '1000002');
});

const last = () => sent[sent.length - 1];

describe('WeComClient: wire format', () => {
  it('sends text as the platform JSON, agentid filled from the configuration', async () => {
    await client.sendText({ toUser: ['lisi', 'wangwu'], toParty: [1, '2'], toTag: [7] }, 'hi');
    expect(last()).toMatchObject({
      method: 'post',
      url: '/cgi-bin/message/send',
      qingtui: { app: 'oa', idempotent: false },
    });
    expect(last().body).toEqual({
      touser: 'lisi|wangwu',
      toparty: '1|2',
      totag: '7',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: 'hi' },
    });
  });

  it('sends the options that were set: safe, enable_id_trans, the duplicate check', async () => {
    await client.sendText({ toUser: '@all' }, 'hi', {
      safe: 1,
      enableIdTrans: true,
      duplicateCheck: { intervalSeconds: 600 },
    });
    expect(last().body).toEqual({
      touser: '@all',
      msgtype: 'text',
      agentid: 1000002,
      text: { content: 'hi' },
      safe: 1,
      enable_id_trans: 1,
      enable_duplicate_check: 1,
      duplicate_check_interval: 600,
    });
    await client.sendText({ toUser: ['a'] }, 'hi', { duplicateCheck: {} });
    expect(last().body).toMatchObject({ enable_duplicate_check: 1 });
    expect(last().body).not.toHaveProperty('duplicate_check_interval');
  });

  const card: WeComTemplateCard = {
    card_type: 'text_notice',
    main_title: { title: 'Leave', desc: 'approved' },
    card_action: { type: 1, url: 'https://example.com' },
  };
  const cases: [string, () => Promise<unknown>, string, Record<string, unknown>][] = [
    ['image', () => client.sendImage({ toUser: ['a'] }, 'm1'), 'image', { media_id: 'm1' }],
    ['voice', () => client.sendVoice({ toUser: ['a'] }, 'm2'), 'voice', { media_id: 'm2' }],
    [
      'video',
      () => client.sendVideo({ toUser: ['a'] }, { mediaId: 'm3', title: 't', description: 'd' }),
      'video',
      { media_id: 'm3', title: 't', description: 'd' },
    ],
    ['file', () => client.sendFile({ toUser: ['a'] }, 'm4'), 'file', { media_id: 'm4' }],
    [
      'textcard',
      () =>
        client.sendTextCard(
          { toUser: ['a'] },
          { title: 'T', description: 'D', url: 'https://x', btnTxt: '更多' },
        ),
      'textcard',
      { title: 'T', description: 'D', url: 'https://x', btntxt: '更多' },
    ],
    [
      'news',
      () =>
        client.sendNews({ toUser: ['a'] }, [
          { title: 'N', description: 'd', url: 'https://x', picUrl: 'https://p' },
          { title: 'M', appId: 'wx1', pagePath: 'pages/a' },
        ]),
      'news',
      {
        articles: [
          { title: 'N', description: 'd', url: 'https://x', picurl: 'https://p' },
          { title: 'M', appid: 'wx1', pagepath: 'pages/a' },
        ],
      },
    ],
    [
      'mpnews',
      () =>
        client.sendMpNews({ toUser: ['a'] }, [
          {
            title: 'T',
            thumbMediaId: 't1',
            author: 'me',
            contentSourceUrl: 'https://s',
            content: '<p>x</p>',
            digest: 'd',
          },
        ]),
      'mpnews',
      {
        articles: [
          {
            title: 'T',
            thumb_media_id: 't1',
            author: 'me',
            content_source_url: 'https://s',
            content: '<p>x</p>',
            digest: 'd',
          },
        ],
      },
    ],
    [
      'markdown',
      () => client.sendMarkdown({ toUser: ['a'] }, '**x**'),
      'markdown',
      { content: '**x**' },
    ],
    [
      'template_card',
      () => client.sendTemplateCard({ toUser: ['a'] }, card),
      'template_card',
      card,
    ],
  ];

  it.each(cases)('sends %s with its object in wire naming', async (_name, run, key, object) => {
    await run();
    expect(last().body).toEqual({ touser: 'a', msgtype: key, agentid: 1000002, [key]: object });
  });

  it('sends a mini program notice without agentid', async () => {
    await client.sendMiniprogramNotice(
      { toUser: ['a'] },
      {
        appId: 'wx123',
        page: 'pages/index?x=1',
        title: '会议室预订成功',
        description: '4月27日 16:16',
        emphasisFirstItem: true,
        contentItem: [{ key: '会议室', value: '402' }],
      },
    );
    expect(last().body).toEqual({
      touser: 'a',
      msgtype: 'miniprogram_notice',
      miniprogram_notice: {
        appid: 'wx123',
        page: 'pages/index?x=1',
        title: '会议室预订成功',
        description: '4月27日 16:16',
        emphasis_first_item: true,
        content_item: [{ key: '会议室', value: '402' }],
      },
    });
  });

  it('recalls by msgid', async () => {
    answer = { errcode: 0, errmsg: 'ok' };
    await expect(client.recall('msg-9')).resolves.toBeUndefined();
    expect(last()).toMatchObject({ url: '/cgi-bin/message/recall', body: { msgid: 'msg-9' } });
    await expect(client.recall(' ')).rejects.toMatchObject({ field: 'msgid' });
  });

  it('sends nothing when validation fails', async () => {
    await expect(client.sendText({}, 'hi')).rejects.toBeInstanceOf(QingtuiValidationError);
    expect(sent).toHaveLength(0);
  });

  it('refuses to send without an agentId (an app not configured here), sending nothing', async () => {
    const blind = new WeComClient(
      axios.create({ adapter: () => Promise.reject(new Error('sent')) }),
      'oa',
      undefined,
    );
    await expect(blind.sendText({ toUser: ['a'] }, 'hi')).rejects.toThrow(QingtuiError);
    await expect(blind.sendText({ toUser: ['a'] }, 'hi')).rejects.toThrow(/no agentId/);
  });
});

describe('WeComClient: answers', () => {
  it('splits the a|b lists of a partial success, never drops them', async () => {
    answer = {
      errcode: 0,
      errmsg: 'ok',
      invaliduser: 'ghost|gone',
      invalidparty: '9',
      invalidtag: '3|4',
      unlicenseduser: 'nolicence',
      msgid: 'MSGID1',
      response_code: 'RC1',
    };
    await expect(client.sendText({ toUser: ['a', 'ghost', 'gone'] }, 'hi')).resolves.toEqual({
      msgId: 'MSGID1',
      invalidUsers: ['ghost', 'gone'],
      invalidParties: ['9'],
      invalidTags: ['3', '4'],
      unlicensedUsers: ['nolicence'],
      responseCode: 'RC1',
    });
  });

  it('answers empty lists when every recipient was valid', async () => {
    answer = { errcode: 0, errmsg: 'ok', msgid: 'M2' };
    await expect(client.sendText({ toUser: ['a'] }, 'hi')).resolves.toEqual({
      msgId: 'M2',
      invalidUsers: [],
      invalidParties: [],
      invalidTags: [],
      unlicensedUsers: [],
    });
  });

  it('a success without msgid is a non-retryable QingtuiApiError (it may have been sent)', async () => {
    answer = { errcode: 0, errmsg: 'ok' };
    await expect(client.sendText({ toUser: ['a'] }, 'hi')).rejects.toMatchObject({
      name: 'QingtuiApiError',
      kind: 'request',
      platform: 'WeCom',
      retryable: false,
    });
  });
});

describe('fromWeComWire', () => {
  const roundTrip = async (message: WeComMessage) => {
    await client.send(message, { toUser: ['a'], toParty: ['5'] }, { safe: 0 });
    const { agentid: _agentId, ...wire } = last().body;
    const read = fromWeComWire(wire);
    expect(read.message).toEqual(message);
    await client.send(read.message, read.target, read.options);
    expect(sent[sent.length - 1].body).toEqual(sent[sent.length - 2].body);
  };

  it('reads back what the client sends, each msgtype', async () => {
    await roundTrip({ type: 'text', content: 'hi' });
    await roundTrip({ type: 'textcard', title: 'T', description: 'D', url: 'https://x' });
    await roundTrip({ type: 'news', articles: [{ title: 'N', url: 'https://x' }] });
    await roundTrip({
      type: 'template_card',
      card: { card_type: 'text_notice', sub_title_text: 's', card_action: { type: 1, url: 'u' } },
    });
  });

  it('reads targets, options and the duplicate check', () => {
    expect(
      fromWeComWire({
        touser: 'a|b',
        totag: '1',
        msgtype: 'markdown',
        markdown: { content: 'x' },
        enable_id_trans: 1,
        enable_duplicate_check: 1,
        duplicate_check_interval: 60,
      }),
    ).toEqual({
      message: { type: 'markdown', content: 'x' },
      target: { toUser: ['a', 'b'], toTag: ['1'] },
      options: { enableIdTrans: true, duplicateCheck: { intervalSeconds: 60 } },
    });
  });

  it.each([
    [{ msgtype: 'sms', sms: {} }, 'msgtype'],
    [{ touser: 'a', msgtype: 'text', text: { content: 'x' }, agentid: 1 }, 'agentid'],
    [{ touser: 'a', msgtype: 'text' }, 'text'],
    [{ touser: 'a', msgtype: 'text', text: { content: 'x', extra: 1 } }, 'text.extra'],
    [{ touser: 3, msgtype: 'text', text: { content: 'x' } }, 'touser'],
    [
      { touser: 'a', msgtype: 'text', text: { content: 'x' }, duplicate_check_interval: 5 },
      'duplicate_check_interval',
    ],
  ])('refuses %j naming %s', (wire, field) => {
    expect(() => fromWeComWire(wire)).toThrow(expect.objectContaining({ field }));
  });
});
