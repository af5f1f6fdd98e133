import { describe, expect, it } from 'vitest';
import { QingtuiValidationError } from '../errors/qingtui-validation.error.js';
import type { QingtuiMessage } from '../interfaces/messages.interface.js';
import { fromWireMessage, toWireMessage } from './message-wire.js';

const SAMPLES: QingtuiMessage[] = [
  { type: 'text', content: 'hello' },
  { type: 'image', mediaId: 'img-1' },
  { type: 'file', mediaId: 'file-1' },
  {
    type: 'rich',
    title: 't',
    xtime: 1700000000000,
    body: 'b',
    imgList: [{ name: 'n', mediaId: 'm1' }, { mediaId: 'm2' }],
    urlList: [{ url: 'https://x' }],
    attachment: { mediaId: 'a' },
  },
  {
    type: 'textCard',
    title: 't',
    url: 'https://x',
    buttonText: '详情',
    contentList: [{ text: 'line', attr: { color: 'gray' } }, { text: '' }],
  },
  {
    type: 'keyValue',
    title: 't',
    subTitle: { text: 's', color: 'highlight' },
    content: [{ key: 'k', value: 'v', valueColor: 'black' }],
    footer: { text: 'f' },
    buttonText: 'go',
  },
  { type: 'card', content: '{"a":1}' },
  {
    type: 'news',
    articleList: [
      { title: 'a', thumbMediaId: 'th', showCoverPic: true, time: 1 },
      { title: 'b', showCoverPic: false },
    ],
  },
  { type: 'process', title: 't', url: 'https://x' },
];

function failure(run: () => unknown): QingtuiValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QingtuiValidationError);
    return error as QingtuiValidationError;
  }
  throw new Error('expected a QingtuiValidationError');
}

describe('message wire tables', () => {
  it('encodes in wire naming, flags as 1/0, cards as JSON text', () => {
    expect(toWireMessage(SAMPLES[4])).toEqual({
      title: 't',
      url: 'https://x',
      button_text: '详情',
      content_list: [{ text: 'line', attr: { color: 'gray' } }, { text: '' }],
    });
    expect(toWireMessage(SAMPLES[7])).toEqual({
      article_list: [
        { title: 'a', thumb_media_id: 'th', show_cover_pic: 1, time: 1 },
        { title: 'b', show_cover_pic: 0 },
      ],
    });
    expect(toWireMessage({ type: 'card', content: { a: 1 } })).toEqual({ content: '{"a":1}' });
  });

  it.each(SAMPLES.map((m) => [m.type, m] as const))(
    'decodes what it encodes (%s)',
    (type, message) => {
      expect(fromWireMessage(type, toWireMessage(message))).toEqual(message);
    },
  );

  it('reads null as absent, 0/1 flags, colors in any case', () => {
    expect(
      fromWireMessage('keyValue', {
        title: 't',
        sub_title: null,
        content: [{ key: 'k', value: 'v', value_color: 'HIGHLIGHT' }],
      }),
    ).toEqual({
      type: 'keyValue',
      title: 't',
      content: [{ key: 'k', value: 'v', valueColor: 'highlight' }],
    });
    expect(fromWireMessage('news', { article_list: [{ title: 'a', show_cover_pic: 1 }] })).toEqual({
      type: 'news',
      articleList: [{ title: 'a', showCoverPic: true }],
    });
  });

  it('refuses unknown fields at every level, listing the known ones', () => {
    const top = failure(() => fromWireMessage('textCard', { title: 't', colour: 'x' }));
    expect(top.field).toBe('message.colour');
    expect(top.message).toMatch(/expected title, url, button_text, content_list/);
    const nested = failure(() =>
      fromWireMessage('rich', { title: 't', img_list: [{ media_id: 'm', size: 1 }] }),
    );
    expect(nested.field).toBe('message.img_list[0].size');
    expect(nested.message).toMatch(/expected name, media_id/);
  });

  it('refuses wrong JSON types, naming the wire field', () => {
    expect(failure(() => fromWireMessage('text', { content: 3 })).field).toBe('message.content');
    expect(failure(() => fromWireMessage('rich', { title: 't', xtime: '1' })).field).toBe(
      'message.xtime',
    );
    expect(
      failure(() => fromWireMessage('news', { article_list: [{ title: 'a', show_cover_pic: 2 }] }))
        .field,
    ).toBe('message.article_list[0].show_cover_pic');
    expect(failure(() => fromWireMessage('news', { article_list: [3] })).field).toBe(
      'message.article_list[0]',
    );
    expect(failure(() => fromWireMessage('keyValue', { content: {} })).field).toBe(
      'message.content',
    );
    expect(failure(() => fromWireMessage('text', 'hi')).field).toBe('message');
    expect(failure(() => fromWireMessage('voice' as never, {})).field).toBe('type');
  });

  it('leaves presence to validateMessage: a missing required field reads as absent', () => {
    expect(fromWireMessage('process', { title: 't' })).toEqual({ type: 'process', title: 't' });
    expect(fromWireMessage('card', { content: null })).toEqual({ type: 'card', content: null });
  });
});
