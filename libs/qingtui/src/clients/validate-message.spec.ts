import { describe, expect, it } from 'vitest';
import { QingtuiError } from '../errors/qingtui.error.js';
import { QingtuiValidationError } from '../errors/qingtui-validation.error.js';
import type {
  QingtuiKeyValueMessage,
  QingtuiMessage,
  QingtuiNewsMessage,
  QingtuiTarget,
  QingtuiTextCardMessage,
} from '../interfaces/messages.interface.js';
import {
  validateApiPath,
  validateMessage,
  validateTarget,
  validateUpload,
} from './validate-message.js';

const one: QingtuiTarget = { toUser: 'oid-1' };
const s = (n: number, ch = 'a') => ch.repeat(n);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `oid-${i}`);

/** Runs `fn` and returns the validation error it throws. */
function failure(fn: () => unknown): QingtuiValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(QingtuiValidationError);
    return error as QingtuiValidationError;
  }
  throw new Error('expected a QingtuiValidationError');
}

function expectField(fn: () => unknown, field: string, problem?: RegExp): void {
  const error = failure(fn);
  expect(error.field).toBe(field);
  if (problem) expect(error.problem).toMatch(problem);
}

const textCard = (over: Partial<QingtuiTextCardMessage> = {}): QingtuiTextCardMessage => ({
  type: 'textCard',
  title: 'Leave request',
  contentList: [{ text: 'from Li Lei' }],
  ...over,
});
const keyValue = (over: Partial<QingtuiKeyValueMessage> = {}): QingtuiKeyValueMessage => ({
  type: 'keyValue',
  title: 'Order',
  content: [{ key: 'No.', value: '42' }],
  ...over,
});
const news = (over: Partial<QingtuiNewsMessage['articleList'][0]> = {}): QingtuiNewsMessage => ({
  type: 'news',
  articleList: [{ title: 'Release', ...over }],
});

describe('QingtuiValidationError', () => {
  it('is a QingtuiError whose message names the field and the problem', () => {
    const error = failure(() => validateMessage({ type: 'text', content: '' }, one));
    expect(error).toBeInstanceOf(QingtuiError);
    expect(error.name).toBe('QingtuiValidationError');
    expect(error.message).toBe(`Invalid Qingtui request: message.content ${error.problem}`);
  });
});

describe('validateTarget', () => {
  it('returns the kind of each target', () => {
    expect(validateTarget({ toUser: 'a' })).toBe('single');
    expect(validateTarget({ toUsers: ['a'] })).toBe('mass');
    expect(validateTarget({ channelId: 'c' })).toBe('channel');
    expect(validateTarget({ allFollowers: true })).toBe('service');
  });

  it('accepts a mass send of 1 and of 50 openids', () => {
    expect(validateTarget({ toUsers: ids(1) })).toBe('mass');
    expect(validateTarget({ toUsers: ids(50) })).toBe('mass');
  });

  it('refuses a mass send of 0 or 51 openids, naming to_users and the limit', () => {
    expectField(() => validateTarget({ toUsers: [] }), 'to_users', /at least 1/);
    expectField(() => validateTarget({ toUsers: ids(51) }), 'to_users', /51 openids; at most 50/);
  });

  it('refuses an empty, blank or non-string openid with its index', () => {
    expectField(() => validateTarget({ toUsers: ['a', ''] }), 'to_users[1]', /required/);
    expectField(() => validateTarget({ toUsers: ['a', '  '] }), 'to_users[1]', /required/);
    expectField(() => validateTarget({ toUsers: [1] as never }), 'to_users[0]', /string/);
    expectField(() => validateTarget({ toUser: '' }), 'to_user', /required/);
    expectField(() => validateTarget({ toUser: 42 as never }), 'to_user', /string/);
    expectField(() => validateTarget({ channelId: '' }), 'channel_id', /required/);
  });

  it('refuses a repeated openid in a mass send', () => {
    expectField(() => validateTarget({ toUsers: ['a', 'b', 'a'] }), 'to_users[2]', /index 0/);
  });

  it('refuses no target, two targets and allFollowers other than true', () => {
    expectField(() => validateTarget({} as never), 'target', /no recipient/);
    expectField(() => validateTarget(null as never), 'target');
    expectField(
      () => validateTarget({ toUser: 'a', channelId: 'c' } as never),
      'channel_id',
      /cannot be combined with to_user/,
    );
    expectField(() => validateTarget({ allFollowers: false } as never), 'target.allFollowers');
  });
});

describe('validateMessage: types and targets', () => {
  it('refuses an unknown type, naming the allowed ones', () => {
    expectField(() => validateMessage({ type: 'voice' } as never, one), 'type', /text, image/);
    expectField(() => validateMessage('hi' as never, one), 'message', /object/);
  });

  it.each([
    ['textCard', textCard(), { allFollowers: true }, 'target'],
    ['keyValue', keyValue(), { allFollowers: true }, 'target'],
    ['process', { type: 'process', title: 't', url: 'u' }, { allFollowers: true }, 'target'],
    ['process', { type: 'process', title: 't', url: 'u' }, { channelId: 'c' }, 'channel_id'],
  ])('refuses a %s message sent to a target it has no variant for', (_, message, target, field) => {
    expectField(
      () => validateMessage(message as QingtuiMessage, target as QingtuiTarget),
      field,
      /no .* variant; allowed targets are to_user, to_users/,
    );
  });

  it('accepts every type on every target it has a variant for', () => {
    const targets: QingtuiTarget[] = [
      { toUser: 'a' },
      { toUsers: ['a', 'b'] },
      { channelId: 'c' },
      { allFollowers: true },
    ];
    for (const target of targets) {
      expect(validateMessage({ type: 'text', content: 'x' }, target)).toBe(validateTarget(target));
      expect(() => validateMessage(news(), target)).not.toThrow();
    }
    expect(() => validateMessage(textCard(), { channelId: 'c' })).not.toThrow();
  });
});

describe('validateMessage: text, image, file, process, rich, card', () => {
  it('requires non-empty text content', () => {
    expect(() => validateMessage({ type: 'text', content: 'a' }, one)).not.toThrow();
    expectField(() => validateMessage({ type: 'text', content: '' }, one), 'message.content');
    expectField(() => validateMessage({ type: 'text', content: ' \n' }, one), 'message.content');
    expectField(() => validateMessage({ type: 'text' } as never, one), 'message.content');
  });

  it('requires the media_id of image and file messages', () => {
    expect(() => validateMessage({ type: 'image', mediaId: 'm' }, one)).not.toThrow();
    expectField(() => validateMessage({ type: 'image', mediaId: '' }, one), 'message.media_id');
    expectField(() => validateMessage({ type: 'file' } as never, one), 'message.media_id');
  });

  it('requires the title and url of a process message', () => {
    const ok = { type: 'process', title: 'Approve', url: 'https://x' } as const;
    expect(() => validateMessage(ok, one)).not.toThrow();
    expectField(() => validateMessage({ ...ok, title: '' }, one), 'message.title');
    expectField(() => validateMessage({ ...ok, url: undefined } as never, one), 'message.url');
  });

  it('requires the title of a rich message and the media_id of its images', () => {
    const ok = { type: 'rich', title: 'Report', imgList: [{ mediaId: 'm' }] } as const;
    expect(() => validateMessage(ok, one)).not.toThrow();
    expectField(() => validateMessage({ ...ok, title: '' }, one), 'message.title');
    expectField(
      () => validateMessage({ ...ok, imgList: [{ mediaId: 'm' }, { name: 'n' }] } as never, one),
      'message.img_list[1].media_id',
    );
    expectField(
      () => validateMessage({ ...ok, urlList: [{ url: '' }] }, one),
      'message.url_list[0].url',
    );
  });

  it('accepts a card as an object or as JSON text, and nothing else', () => {
    expect(() => validateMessage({ type: 'card', content: { a: 1 } }, one)).not.toThrow();
    expect(() => validateMessage({ type: 'card', content: '{"a":1}' }, one)).not.toThrow();
    expectField(
      () => validateMessage({ type: 'card', content: '{a:1' }, one),
      'message.content',
      /JSON/,
    );
    expectField(() => validateMessage({ type: 'card', content: '[1]' }, one), 'message.content');
    expectField(
      () => validateMessage({ type: 'card', content: 3 } as never, one),
      'message.content',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectField(() => validateMessage({ type: 'card', content: cyclic }, one), 'message.content');
  });
});

describe('validateMessage: textCard', () => {
  it('accepts a 45-character title and refuses 46', () => {
    expect(() => validateMessage(textCard({ title: s(45) }), one)).not.toThrow();
    expectField(
      () => validateMessage(textCard({ title: s(46) }), one),
      'message.title',
      /46 characters; at most 45/,
    );
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    expect(() => validateMessage(textCard({ title: s(45, '请') }), one)).not.toThrow();
    expect(() => validateMessage(textCard({ title: s(45, '😀') }), one)).not.toThrow();
    expectField(() => validateMessage(textCard({ title: s(46, '😀') }), one), 'message.title');
  });

  it('accepts a 6-character button_text and refuses 7 or an empty one', () => {
    expect(() => validateMessage(textCard({ buttonText: '立即查看详情' }), one)).not.toThrow();
    expectField(
      () => validateMessage(textCard({ buttonText: s(7) }), one),
      'message.button_text',
      /at most 6/,
    );
    expectField(() => validateMessage(textCard({ buttonText: '' }), one), 'message.button_text');
  });

  it('accepts 200-character lines and refuses 201, naming the line', () => {
    const lines = (n: number) => [{ text: 'first' }, { text: s(n) }];
    expect(() => validateMessage(textCard({ contentList: lines(200) }), one)).not.toThrow();
    expectField(
      () => validateMessage(textCard({ contentList: lines(201) }), one),
      'message.content_list[1].text',
      /at most 200/,
    );
  });

  it('accepts the three colors and refuses any other', () => {
    for (const color of ['black', 'highlight', 'gray'] as const) {
      expect(() =>
        validateMessage(textCard({ contentList: [{ text: 't', attr: { color } }] }), one),
      ).not.toThrow();
    }
    expectField(
      () =>
        validateMessage(
          textCard({ contentList: [{ text: 't', attr: { color: 'red' as never } }] }),
          one,
        ),
      'message.content_list[0].attr.color',
      /black, highlight, gray/,
    );
    expectField(
      () =>
        validateMessage(
          textCard({ contentList: [{ text: 't', attr: { color: 'BLACK' as never } }] }),
          one,
        ),
      'message.content_list[0].attr.color',
    );
  });

  it('requires the title and the content_list', () => {
    expectField(() => validateMessage(textCard({ title: '' }), one), 'message.title');
    expectField(
      () => validateMessage(textCard({ contentList: undefined }), one),
      'message.content_list',
    );
  });
});

describe('validateMessage: keyValue', () => {
  const pairs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));

  it('accepts 1 to 6 pairs and refuses 0 or 7', () => {
    expect(() => validateMessage(keyValue({ content: pairs(1) }), one)).not.toThrow();
    expect(() => validateMessage(keyValue({ content: pairs(6) }), one)).not.toThrow();
    expectField(
      () => validateMessage(keyValue({ content: pairs(7) }), one),
      'message.content',
      /7 pairs; at most 6/,
    );
    expectField(
      () => validateMessage(keyValue({ content: [] }), one),
      'message.content',
      /at least 1/,
    );
  });

  it('accepts an 8-character key and refuses 9', () => {
    expect(() =>
      validateMessage(keyValue({ content: [{ key: s(8), value: 'v' }] }), one),
    ).not.toThrow();
    expectField(
      () => validateMessage(keyValue({ content: [{ key: s(9), value: 'v' }] }), one),
      'message.content[0].key',
      /at most 8/,
    );
  });

  it('accepts a 45-character value and refuses 46', () => {
    expect(() =>
      validateMessage(keyValue({ content: [{ key: 'k', value: s(45) }] }), one),
    ).not.toThrow();
    expectField(
      () => validateMessage(keyValue({ content: [{ key: 'k', value: s(46) }] }), one),
      'message.content[0].value',
      /at most 45/,
    );
  });

  it('checks the title, button_text and every color', () => {
    expect(() => validateMessage(keyValue({ title: s(45), buttonText: s(6) }), one)).not.toThrow();
    expectField(() => validateMessage(keyValue({ title: s(46) }), one), 'message.title');
    expectField(() => validateMessage(keyValue({ buttonText: s(7) }), one), 'message.button_text');
    expectField(
      () =>
        validateMessage(
          keyValue({ content: [{ key: 'k', value: 'v', valueColor: 'blue' as never }] }),
          one,
        ),
      'message.content[0].value_color',
    );
    expectField(
      () => validateMessage(keyValue({ subTitle: { text: 't', color: 'pink' as never } }), one),
      'message.sub_title.color',
    );
    expectField(
      () => validateMessage(keyValue({ footer: { text: 't', color: 'grey' as never } }), one),
      'message.footer.color',
    );
    expect(() =>
      validateMessage(
        keyValue({
          subTitle: { text: 't', color: 'highlight' },
          footer: { text: 'f', color: 'gray' },
        }),
        one,
      ),
    ).not.toThrow();
  });
});

describe('validateMessage: news', () => {
  it('accepts a 120-character summary and refuses 121', () => {
    expect(() => validateMessage(news({ content: s(120) }), one)).not.toThrow();
    expectField(
      () => validateMessage(news({ content: s(121) }), one),
      'message.article_list[0].content',
      /121 characters; at most 120/,
    );
  });

  it('accepts a 45-character article title and refuses 46', () => {
    expect(() => validateMessage(news({ title: s(45) }), one)).not.toThrow();
    expectField(
      () => validateMessage(news({ title: s(46) }), one),
      'message.article_list[0].title',
    );
  });

  it('requires at least one article', () => {
    expectField(
      () => validateMessage({ type: 'news', articleList: [] }, one),
      'message.article_list',
      /at least 1/,
    );
  });
});

describe('validateUpload', () => {
  const KB = 1024;
  const MB = 1024 * KB;

  it('accepts an image of 300 KB and refuses one byte more', () => {
    expect(() => validateUpload('image', Buffer.alloc(300 * KB), 'a.png')).not.toThrow();
    expectField(
      () => validateUpload('image', Buffer.alloc(300 * KB + 1), 'a.png'),
      'media',
      /307201 bytes; image uploads may be at most 307200 bytes \(300 KB\)/,
    );
  });

  it('accepts a file of 30 MB and refuses one byte more', () => {
    expect(() => validateUpload('file', Buffer.alloc(30 * MB), 'a.zip')).not.toThrow();
    expectField(() => validateUpload('file', Buffer.alloc(30 * MB + 1), 'a.zip'), 'media', /30 MB/);
  });

  it('refuses empty data, a bad type, a missing filename and header-breaking names', () => {
    expectField(() => validateUpload('image', Buffer.alloc(0), 'a.png'), 'media', /empty/);
    expectField(() => validateUpload('voice' as never, Buffer.alloc(1), 'a'), 'type');
    expectField(() => validateUpload('file', 'text' as never, 'a'), 'media');
    expectField(() => validateUpload('file', Buffer.alloc(1), ''), 'filename');
    expectField(
      () => validateUpload('file', Buffer.alloc(1), 'a\r\nX: y'),
      'filename',
      /line breaks/,
    );
    expectField(
      () => validateUpload('file', Buffer.alloc(1), 'a', 'text/plain\nX: y'),
      'content_type',
    );
  });
});

describe('validateApiPath', () => {
  it('accepts platform paths and refuses anything that could leave the platform host', () => {
    expect(() => validateApiPath('/team/org/list')).not.toThrow();
    for (const path of ['http://evil.example/x', '//evil.example/x', 'team/x', '/\\evil', '']) {
      expectField(() => validateApiPath(path), 'path');
    }
  });
});
