import { describe, expect, it } from 'vitest';
import { QingtuiValidationError } from '../../errors/qingtui-validation.error.js';
import {
  validateWeChatCustom,
  validateWeChatMass,
  validateWeChatSubscribe,
  validateWeChatTemplate,
} from './wechat-validate.js';

/** The field of the QingtuiValidationError thrown by `run`. */
function fieldOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QingtuiValidationError);
    return (error as QingtuiValidationError).field;
  }
  throw new Error('no QingtuiValidationError');
}

const DATA = { thing1: { value: 'x' } };
const TEMPLATE = { toUser: 'o1', templateId: 't', data: DATA };

describe('validateWeChatTemplate', () => {
  it('accepts a complete template message', () => {
    expect(() =>
      validateWeChatTemplate({
        ...TEMPLATE,
        url: 'https://x',
        miniprogram: { appId: 'wxa', pagePath: 'p' },
        data: { a: { value: '', color: '#FF0000' } },
        clientMsgId: 'c1',
      }),
    ).not.toThrow();
  });

  it.each([
    ['no argument', undefined, 'body'],
    ['no touser', { templateId: 't', data: DATA }, 'touser'],
    ['a blank touser', { ...TEMPLATE, toUser: ' ' }, 'touser'],
    ['no template_id', { toUser: 'o', data: DATA }, 'template_id'],
    ['no data', { toUser: 'o', templateId: 't' }, 'data'],
    ['empty data', { ...TEMPLATE, data: {} }, 'data'],
    ['a keyword without value', { ...TEMPLATE, data: { a: {} } }, 'data.a.value'],
    ['a keyword that is not an object', { ...TEMPLATE, data: { a: 'x' } }, 'data.a'],
    [
      'a color that is not #RRGGBB',
      { ...TEMPLATE, data: { a: { value: 'x', color: 'red' } } },
      'data.a.color',
    ],
    ['a url that is not a string', { ...TEMPLATE, url: 1 }, 'url'],
    [
      'a mini program without appid',
      { ...TEMPLATE, miniprogram: { pagePath: 'p' } },
      'miniprogram.appid',
    ],
    ['a blank client_msg_id', { ...TEMPLATE, clientMsgId: ' ' }, 'client_msg_id'],
  ])('refuses %s', (_what, send, field) => {
    expect(fieldOf(() => validateWeChatTemplate(send as never))).toBe(field);
  });
});

describe('validateWeChatSubscribe', () => {
  it.each([
    ['no touser', { templateId: 't', data: DATA }, 'touser'],
    ['no template_id', { toUser: 'o', data: DATA }, 'template_id'],
    ['empty data', { toUser: 'o', templateId: 't', data: {} }, 'data'],
    [
      'a color (bizsend keywords have values only)',
      { toUser: 'o', templateId: 't', data: { a: { value: 'x', color: '#000000' } } },
      'data.a.color',
    ],
    ['a page that is not a string', { ...TEMPLATE, page: 3 }, 'page'],
  ])('refuses %s', (_what, send, field) => {
    expect(fieldOf(() => validateWeChatSubscribe(send as never))).toBe(field);
  });
});

describe('validateWeChatCustom', () => {
  const custom = (message: unknown, extra: object = {}) => ({ toUser: 'o1', message, ...extra });
  it('accepts each msgtype and returns it', () => {
    expect(validateWeChatCustom(custom({ type: 'text', content: 'x' }) as never)).toBe('text');
    expect(validateWeChatCustom(custom({ type: 'wxcard', cardId: 'c' }) as never)).toBe('wxcard');
  });

  it.each([
    ['no touser', { message: { type: 'text', content: 'x' } }, 'touser'],
    ['no message', { toUser: 'o' }, 'message'],
    ['an unknown msgtype', custom({ type: 'sms' }), 'msgtype'],
    ['text without content', custom({ type: 'text' }), 'text.content'],
    ['image without media_id', custom({ type: 'image' }), 'image.media_id'],
    ['voice without media_id', custom({ type: 'voice' }), 'voice.media_id'],
    ['video without media_id', custom({ type: 'video' }), 'video.media_id'],
    [
      'music without musicurl',
      custom({ type: 'music', hqMusicUrl: 'h', thumbMediaId: 't' }),
      'music.musicurl',
    ],
    [
      'music without hqmusicurl',
      custom({ type: 'music', musicUrl: 'u', thumbMediaId: 't' }),
      'music.hqmusicurl',
    ],
    [
      'music without thumb_media_id',
      custom({ type: 'music', musicUrl: 'u', hqMusicUrl: 'h' }),
      'music.thumb_media_id',
    ],
    [
      'news with two articles (one allowed)',
      custom({
        type: 'news',
        articles: [
          { title: 'a', url: 'u' },
          { title: 'b', url: 'u' },
        ],
      }),
      'news.articles',
    ],
    [
      'a news article without url',
      custom({ type: 'news', articles: [{ title: 'a' }] }),
      'news.articles[0].url',
    ],
    ['mpnews without media_id', custom({ type: 'mpnews' }), 'mpnews.media_id'],
    ['msgmenu without list', custom({ type: 'msgmenu' }), 'msgmenu.list'],
    [
      'a menu choice without content',
      custom({ type: 'msgmenu', list: [{ id: '1' }] }),
      'msgmenu.list[0].content',
    ],
    ['wxcard without card_id', custom({ type: 'wxcard' }), 'wxcard.card_id'],
    [
      'miniprogrampage without pagepath',
      custom({ type: 'miniprogrampage', title: 't', appId: 'a', thumbMediaId: 'm' }),
      'miniprogrampage.pagepath',
    ],
    [
      'a blank kf_account',
      custom({ type: 'text', content: 'x' }, { kfAccount: '' }),
      'customservice.kf_account',
    ],
  ])('refuses %s', (_what, send, field) => {
    expect(fieldOf(() => validateWeChatCustom(send as never))).toBe(field);
  });
});

describe('validateWeChatMass', () => {
  const mass = (extra: object = {}) => ({
    toUser: ['o1', 'o2'],
    message: { type: 'text', content: 'x' },
    ...extra,
  });
  it('accepts 2 and 10,000 openids and a clientmsgid of 64 bytes', () => {
    expect(() => validateWeChatMass(mass({ clientMsgId: 'c'.repeat(64) }) as never)).not.toThrow();
    const many = Array.from({ length: 10_000 }, (_, i) => `o${i}`);
    expect(() => validateWeChatMass(mass({ toUser: many }) as never)).not.toThrow();
  });

  it.each([
    ['one openid', mass({ toUser: ['o1'] }), 'touser'],
    [
      '10,001 openids',
      mass({ toUser: Array.from({ length: 10_001 }, (_, i) => `o${i}`) }),
      'touser',
    ],
    ['a repeated openid', mass({ toUser: ['o1', 'o2', 'o1'] }), 'touser[2]'],
    ['a blank openid', mass({ toUser: ['o1', ''] }), 'touser[1]'],
    ['a clientmsgid of 65 bytes', mass({ clientMsgId: 'c'.repeat(65) }), 'clientmsgid'],
    [
      'a clientmsgid of 22 Chinese characters (66 bytes)',
      mass({ clientMsgId: '字'.repeat(22) }),
      'clientmsgid',
    ],
    ['a blank clientmsgid', mass({ clientMsgId: ' ' }), 'clientmsgid'],
    ['an unknown msgtype', mass({ message: { type: 'news' } }), 'msgtype'],
    ['mpnews without media_id', mass({ message: { type: 'mpnews' } }), 'mpnews.media_id'],
    ['images without media_ids', mass({ message: { type: 'image' } }), 'images.media_ids'],
    ['an empty image list', mass({ message: { type: 'image', mediaIds: [] } }), 'images.media_ids'],
    [
      'a blank image id',
      mass({ message: { type: 'image', mediaIds: [' '] } }),
      'images.media_ids[0]',
    ],
    ['mpvideo without media_id', mass({ message: { type: 'mpvideo' } }), 'mpvideo.media_id'],
    ['wxcard without card_id', mass({ message: { type: 'wxcard' } }), 'wxcard.card_id'],
    [
      'send_ignore_reprint that is not a boolean',
      mass({ sendIgnoreReprint: 1 }),
      'send_ignore_reprint',
    ],
  ])('refuses %s', (_what, send, field) => {
    expect(fieldOf(() => validateWeChatMass(send as never))).toBe(field);
  });
});
