import { describe, expect, it } from 'vitest';
import { QingtuiValidationError } from 'nestjs-qingtui';
import { parseQingtuiSendRequest } from './parse-send-request.js';

function expectField(body: unknown, field: string, problem?: RegExp): void {
  let caught: unknown;
  try {
    parseQingtuiSendRequest(body);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(QingtuiValidationError);
  expect((caught as QingtuiValidationError).field).toBe(field);
  if (problem) expect((caught as QingtuiValidationError).problem).toMatch(problem);
}

describe('parseQingtuiSendRequest: targets', () => {
  const message = { content: 'hi' };

  it('maps to_user, to_users and channel_id to typed targets', () => {
    expect(parseQingtuiSendRequest({ type: 'text', to_user: 'o1', message }).target).toEqual({
      toUser: 'o1',
    });
    expect(
      parseQingtuiSendRequest({ type: 'text', to_users: ['o1', 'o2'], message }).target,
    ).toEqual({
      toUsers: ['o1', 'o2'],
    });
    expect(parseQingtuiSendRequest({ type: 'text', channel_id: 'c1', message }).target).toEqual({
      channelId: 'c1',
    });
  });

  it('reads no target as every follower', () => {
    expect(parseQingtuiSendRequest({ type: 'text', message }).target).toEqual({
      allFollowers: true,
    });
  });

  it('refuses a null target instead of reading it as every follower', () => {
    expectField({ type: 'text', to_user: null, message }, 'to_user', /required/);
    expectField({ type: 'text', to_users: null, message }, 'to_users', /required/);
  });

  it('refuses a target the type has no variant for', () => {
    const card = { title: 't', content_list: [{ text: 'x' }] };
    expectField(
      { type: 'textCard', message: card },
      'target',
      /no service \(all followers\) variant/,
    );
    expectField(
      { type: 'keyValue', message: { title: 't', content: [{ key: 'k', value: 'v' }] } },
      'target',
    );
    expectField(
      { type: 'process', channel_id: 'c', message: { title: 't', url: 'u' } },
      'channel_id',
      /no channel variant/,
    );
  });

  it('refuses targets of the wrong JSON type, naming the field', () => {
    expectField({ type: 'text', to_user: 5, message }, 'to_user', /string/);
    expectField({ type: 'text', to_users: 'o1', message }, 'to_users', /array/);
    expectField({ type: 'text', to_users: ['o1', 7], message }, 'to_users[1]', /string/);
    expectField({ type: 'text', channel_id: {}, message }, 'channel_id', /string/);
  });

  it('refuses two targets, too many openids and empty ones', () => {
    expectField({ type: 'text', to_user: 'a', to_users: ['b'], message }, 'to_users', /combined/);
    const ids = Array.from({ length: 51 }, (_, i) => `o${i}`);
    expectField({ type: 'text', to_users: ids, message }, 'to_users', /at most 50/);
    expectField({ type: 'text', to_users: [], message }, 'to_users', /at least 1/);
    expectField({ type: 'text', to_user: '', message }, 'to_user', /required/);
  });
});

describe('parseQingtuiSendRequest: request shape', () => {
  it('refuses a body that is not an object, an unknown type and a missing message', () => {
    expectField('text', 'body', /object/);
    expectField([], 'body');
    expectField(
      { type: 'voice', to_user: 'o', message: {} },
      'type',
      /"voice"; allowed message types are text/,
    );
    expectField({ to_user: 'o', message: {} }, 'type');
    expectField({ type: 'text', to_user: 'o' }, 'message', /required/);
    expectField({ type: 'text', to_user: 'o', message: 'hi' }, 'message', /object/);
  });

  it('refuses unknown fields at every level, listing the known ones', () => {
    expectField({ type: 'text', to_user: 'o', message: { content: 'x' }, touser: 'o' }, 'touser');
    expectField(
      {
        type: 'textCard',
        to_user: 'o',
        message: { title: 't', content_list: [], buttonText: 'Go' },
      },
      'message.buttonText',
      /expected title, url, button_text, content_list/,
    );
    expectField(
      {
        type: 'keyValue',
        to_user: 'o',
        message: { title: 't', content: [{ key: 'k', value: 'v', valueColor: 'gray' }] },
      },
      'message.content[0].valueColor',
    );
  });

  it('refuses fields of the wrong JSON type, naming their path', () => {
    expectField(
      { type: 'text', to_user: 'o', message: { content: 5 } },
      'message.content',
      /string/,
    );
    expectField(
      { type: 'textCard', to_user: 'o', message: { title: 't', content_list: {} } },
      'message.content_list',
      /array/,
    );
    expectField(
      { type: 'textCard', to_user: 'o', message: { title: 't', content_list: ['x'] } },
      'message.content_list[0]',
      /object/,
    );
    expectField(
      { type: 'news', to_user: 'o', message: { article_list: [{ title: 't', time: '2024' }] } },
      'message.article_list[0].time',
      /number/,
    );
    expectField(
      {
        type: 'news',
        to_user: 'o',
        message: { article_list: [{ title: 't', show_cover_pic: 'yes' }] },
      },
      'message.article_list[0].show_cover_pic',
      /boolean/,
    );
  });

  it('applies the message rules with wire field names', () => {
    expectField(
      { type: 'textCard', to_user: 'o', message: { title: 'x'.repeat(46), content_list: [] } },
      'message.title',
      /at most 45/,
    );
    expectField(
      {
        type: 'news',
        to_user: 'o',
        message: { article_list: [{ title: 't', content: 'x'.repeat(121) }] },
      },
      'message.article_list[0].content',
    );
    expectField({ type: 'image', to_user: 'o', message: {} }, 'message.media_id', /required/);
  });
});

describe('parseQingtuiSendRequest: messages', () => {
  it('maps every wire field of a textCard to the typed message', () => {
    const { message } = parseQingtuiSendRequest({
      type: 'textCard',
      to_user: 'o',
      message: {
        title: 'Leave',
        url: 'https://x',
        button_text: 'Open',
        content_list: [{ text: 'a', attr: { color: 'HIGHLIGHT' } }, { text: 'b' }],
      },
    });
    expect(message).toEqual({
      type: 'textCard',
      title: 'Leave',
      url: 'https://x',
      buttonText: 'Open',
      contentList: [{ text: 'a', attr: { color: 'highlight' } }, { text: 'b' }],
    });
  });

  it('maps a keyValue message, lower-casing colors', () => {
    const { message } = parseQingtuiSendRequest({
      type: 'keyValue',
      channel_id: 'c',
      message: {
        title: 'Order',
        sub_title: { text: 'new', color: 'GRAY' },
        url: 'https://x',
        content: [{ key: 'No.', value: '42', value_color: 'highlight' }],
        footer: { text: 'end' },
        button_text: 'See',
      },
    });
    expect(message).toEqual({
      type: 'keyValue',
      title: 'Order',
      subTitle: { text: 'new', color: 'gray' },
      url: 'https://x',
      content: [{ key: 'No.', value: '42', valueColor: 'highlight' }],
      footer: { text: 'end' },
      buttonText: 'See',
    });
  });

  it('maps news articles, reading show_cover_pic as 0/1 or a boolean', () => {
    const { message } = parseQingtuiSendRequest({
      type: 'news',
      message: {
        article_list: [
          {
            title: 'A',
            url: 'u',
            content: 'sum',
            thumb_media_id: 'm',
            author: 'me',
            time: 1,
            show_cover_pic: 1,
          },
          { title: 'B', show_cover_pic: false },
        ],
      },
    });
    expect(message).toEqual({
      type: 'news',
      articleList: [
        {
          title: 'A',
          url: 'u',
          content: 'sum',
          thumbMediaId: 'm',
          author: 'me',
          time: 1,
          showCoverPic: true,
        },
        { title: 'B', showCoverPic: false },
      ],
    });
  });

  it('maps rich, process, image, file and card messages', () => {
    expect(
      parseQingtuiSendRequest({
        type: 'rich',
        to_user: 'o',
        message: {
          title: 'R',
          xtime: 5,
          body: 'b',
          img_list: [{ name: 'i', media_id: 'm1' }],
          url_list: [{ name: 'l', url: 'https://x' }],
          attachment: { name: 'f', media_id: 'm2' },
        },
      }).message,
    ).toEqual({
      type: 'rich',
      title: 'R',
      xtime: 5,
      body: 'b',
      imgList: [{ name: 'i', mediaId: 'm1' }],
      urlList: [{ name: 'l', url: 'https://x' }],
      attachment: { name: 'f', mediaId: 'm2' },
    });
    expect(
      parseQingtuiSendRequest({
        type: 'process',
        to_users: ['a'],
        message: { title: 't', url: 'u', body: 'b' },
      }).message,
    ).toEqual({ type: 'process', title: 't', url: 'u', body: 'b' });
    expect(
      parseQingtuiSendRequest({ type: 'image', to_user: 'o', message: { media_id: 'm' } }).message,
    ).toEqual({
      type: 'image',
      mediaId: 'm',
    });
    expect(
      parseQingtuiSendRequest({ type: 'file', to_user: 'o', message: { media_id: 'm' } }).message,
    ).toEqual({
      type: 'file',
      mediaId: 'm',
    });
    const card = { header: { title: 'x' }, elements: [1, { a: null }] };
    expect(
      parseQingtuiSendRequest({ type: 'card', to_user: 'o', message: { content: card } }).message,
    ).toEqual({
      type: 'card',
      content: card,
    });
    expect(
      parseQingtuiSendRequest({ type: 'card', to_user: 'o', message: { content: '{"a":1}' } })
        .message,
    ).toEqual({ type: 'card', content: '{"a":1}' });
  });

  it('treats null optional fields as absent', () => {
    const { message } = parseQingtuiSendRequest({
      type: 'textCard',
      to_user: 'o',
      message: {
        title: 't',
        url: null,
        button_text: null,
        content_list: [{ text: 'a', attr: null }],
      },
    });
    expect(message).toEqual({ type: 'textCard', title: 't', contentList: [{ text: 'a' }] });
  });
});
