import { describe, expect, it } from 'vitest';
import { QingtuiValidationError } from '../../errors/qingtui-validation.error.js';
import type {
  WeComMessage,
  WeComSendOptions,
  WeComTarget,
  WeComTemplateCard,
} from './wecom-message.interface.js';
import { validateTemplateCard, validateWeComSend } from './wecom-validate.js';

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

const ONE: WeComTarget = { toUser: ['a'] };
const check = (message: unknown, target: unknown = ONE, options: unknown = {}) =>
  fieldOf(() =>
    validateWeComSend(message as WeComMessage, target as WeComTarget, options as WeComSendOptions),
  );
const bytes = (n: number) => 'a'.repeat(n);
/** 3 bytes each in UTF-8. */
const han = (n: number) => '字'.repeat(n);

describe('validateWeComSend: message fields', () => {
  it('accepts a minimal message of each msgtype', () => {
    const minimal: WeComMessage[] = [
      { type: 'text', content: 'x' },
      { type: 'image', mediaId: 'm' },
      { type: 'voice', mediaId: 'm' },
      { type: 'video', mediaId: 'm' },
      { type: 'file', mediaId: 'm' },
      { type: 'textcard', title: 't', description: 'd', url: 'https://x' },
      { type: 'news', articles: [{ title: 't', url: 'https://x' }] },
      { type: 'mpnews', articles: [{ title: 't', thumbMediaId: 'm', content: 'c' }] },
      { type: 'markdown', content: 'x' },
      { type: 'miniprogram_notice', appId: 'wx1', title: '会议通知' },
      {
        type: 'template_card',
        card: { card_type: 'text_notice', sub_title_text: 's', card_action: { type: 1 } },
      },
    ];
    for (const message of minimal) {
      expect(validateWeComSend(message, ONE)).toBe(message.type);
    }
  });

  it.each([
    ['an unknown msgtype', { type: 'sms' }, 'msgtype'],
    ['a message that is not an object', 'hi', 'message'],
    ['text without content', { type: 'text' }, 'text.content'],
    ['text of 2049 bytes', { type: 'text', content: bytes(2049) }, 'text.content'],
    [
      'text of 683 Chinese characters (2049 bytes)',
      { type: 'text', content: han(683) },
      'text.content',
    ],
    ['image without media_id', { type: 'image' }, 'image.media_id'],
    ['voice with a blank media_id', { type: 'voice', mediaId: ' ' }, 'voice.media_id'],
    ['video without media_id', { type: 'video', title: 't' }, 'video.media_id'],
    ['video title of 129 bytes', { type: 'video', mediaId: 'm', title: bytes(129) }, 'video.title'],
    [
      'video description of 513 bytes',
      { type: 'video', mediaId: 'm', description: bytes(513) },
      'video.description',
    ],
    ['file without media_id', { type: 'file' }, 'file.media_id'],
    ['textcard without title', { type: 'textcard', description: 'd', url: 'u' }, 'textcard.title'],
    [
      'textcard without description',
      { type: 'textcard', title: 't', url: 'u' },
      'textcard.description',
    ],
    ['textcard without url', { type: 'textcard', title: 't', description: 'd' }, 'textcard.url'],
    [
      'textcard title of 129 bytes',
      { type: 'textcard', title: bytes(129), description: 'd', url: 'u' },
      'textcard.title',
    ],
    [
      'textcard url of 2049 bytes',
      { type: 'textcard', title: 't', description: 'd', url: bytes(2049) },
      'textcard.url',
    ],
    [
      'textcard btntxt of 5 characters',
      { type: 'textcard', title: 't', description: 'd', url: 'u', btnTxt: '五个字按钮' },
      'textcard.btntxt',
    ],
    ['news without articles', { type: 'news' }, 'news.articles'],
    ['news with no article', { type: 'news', articles: [] }, 'news.articles'],
    [
      'news with 9 articles',
      { type: 'news', articles: Array.from({ length: 9 }, () => ({ title: 't', url: 'u' })) },
      'news.articles',
    ],
    [
      'a news article without title',
      { type: 'news', articles: [{ url: 'u' }] },
      'news.articles[0].title',
    ],
    [
      'a news article with neither url nor mini program',
      { type: 'news', articles: [{ title: 't' }] },
      'news.articles[0].url',
    ],
    [
      'a news article with appid but no pagepath',
      { type: 'news', articles: [{ title: 't', appId: 'wx' }] },
      'news.articles[0].pagepath',
    ],
    [
      'a news description of 513 bytes',
      { type: 'news', articles: [{ title: 't', url: 'u', description: bytes(513) }] },
      'news.articles[0].description',
    ],
    [
      'an mpnews article without thumb_media_id',
      { type: 'mpnews', articles: [{ title: 't', content: 'c' }] },
      'mpnews.articles[0].thumb_media_id',
    ],
    [
      'an mpnews article without content',
      { type: 'mpnews', articles: [{ title: 't', thumbMediaId: 'm' }] },
      'mpnews.articles[0].content',
    ],
    [
      'an mpnews author of 65 bytes',
      {
        type: 'mpnews',
        articles: [{ title: 't', thumbMediaId: 'm', content: 'c', author: bytes(65) }],
      },
      'mpnews.articles[0].author',
    ],
    [
      'an mpnews digest of 513 bytes',
      {
        type: 'mpnews',
        articles: [{ title: 't', thumbMediaId: 'm', content: 'c', digest: bytes(513) }],
      },
      'mpnews.articles[0].digest',
    ],
    ['markdown of 2049 bytes', { type: 'markdown', content: bytes(2049) }, 'markdown.content'],
    [
      'a notice without appid',
      { type: 'miniprogram_notice', title: '会议通知' },
      'miniprogram_notice.appid',
    ],
    [
      'a notice without title',
      { type: 'miniprogram_notice', appId: 'wx' },
      'miniprogram_notice.title',
    ],
    [
      'a notice title of 3 characters',
      { type: 'miniprogram_notice', appId: 'wx', title: '会议室' },
      'miniprogram_notice.title',
    ],
    [
      'a notice title of 13 characters',
      { type: 'miniprogram_notice', appId: 'wx', title: han(13) },
      'miniprogram_notice.title',
    ],
    [
      'a notice description of 3 characters',
      { type: 'miniprogram_notice', appId: 'wx', title: '会议通知', description: 'abc' },
      'miniprogram_notice.description',
    ],
    [
      'a notice with 11 items',
      {
        type: 'miniprogram_notice',
        appId: 'wx',
        title: '会议通知',
        contentItem: Array.from({ length: 11 }, () => ({ key: 'k', value: 'v' })),
      },
      'miniprogram_notice.content_item',
    ],
    [
      'a notice item key of 11 characters',
      {
        type: 'miniprogram_notice',
        appId: 'wx',
        title: '会议通知',
        contentItem: [{ key: han(11), value: 'v' }],
      },
      'miniprogram_notice.content_item[0].key',
    ],
    [
      'a notice item value of 31 characters',
      {
        type: 'miniprogram_notice',
        appId: 'wx',
        title: '会议通知',
        contentItem: [{ key: 'k', value: han(31) }],
      },
      'miniprogram_notice.content_item[0].value',
    ],
    [
      'emphasis_first_item that is not a boolean',
      { type: 'miniprogram_notice', appId: 'wx', title: '会议通知', emphasisFirstItem: 1 },
      'miniprogram_notice.emphasis_first_item',
    ],
    ['a template card that is missing', { type: 'template_card' }, 'template_card'],
  ])('refuses %s', (_what, message, field) => {
    expect(check(message)).toBe(field);
  });

  it('counts bytes, not characters: 682 Chinese characters (2046 bytes) pass', () => {
    expect(validateWeComSend({ type: 'text', content: han(682) }, ONE)).toBe('text');
  });
});

describe('validateTemplateCard', () => {
  const base = { card_action: { type: 1, url: 'u' }, main_title: { title: 't' } };
  it.each([
    [{ card_type: 'poll' }, 'template_card.card_type'],
    [{ card_type: 'text_notice', card_action: { type: 1 } }, 'template_card.main_title.title'],
    [{ card_type: 'text_notice', main_title: { title: 't' } }, 'template_card.card_action'],
    [{ card_type: 'news_notice', card_action: { type: 1 } }, 'template_card.main_title'],
    [{ ...base, card_type: 'button_interaction' }, 'template_card.task_id'],
    [{ ...base, card_type: 'button_interaction', task_id: 'bad id!' }, 'template_card.task_id'],
    [
      { ...base, card_type: 'button_interaction', task_id: 'x'.repeat(129) },
      'template_card.task_id',
    ],
    [{ ...base, card_type: 'button_interaction', task_id: 't1' }, 'template_card.button_list'],
    [
      { ...base, card_type: 'button_interaction', task_id: 't1', button_list: Array(7).fill({}) },
      'template_card.button_list',
    ],
    [{ ...base, card_type: 'vote_interaction', task_id: 't1' }, 'template_card.checkbox'],
    [
      { ...base, card_type: 'vote_interaction', task_id: 't1', checkbox: {} },
      'template_card.submit_button',
    ],
    [
      { ...base, card_type: 'multiple_interaction', task_id: 't1', select_list: [] },
      'template_card.select_list',
    ],
    [
      { ...base, card_type: 'multiple_interaction', task_id: 't1', select_list: [{}] },
      'template_card.submit_button',
    ],
  ])('refuses %j naming %s', (card, field) => {
    expect(fieldOf(() => validateTemplateCard(card as WeComTemplateCard))).toBe(field);
  });

  it('accepts a complete interactive card', () => {
    expect(() =>
      validateTemplateCard({
        card_type: 'button_interaction',
        task_id: 'task-1@x_y',
        main_title: { title: 'Approve?' },
        button_list: [{ text: 'OK', key: 'ok' }],
      }),
    ).not.toThrow();
  });
});

describe('validateWeComSend: targets', () => {
  const text = { type: 'text', content: 'x' };
  it.each([
    ['no target at all', {}, 'touser'],
    ['a target that is not an object', 'a', 'touser'],
    ['an empty touser', { toUser: [] }, 'touser'],
    ['1001 userids', { toUser: Array.from({ length: 1001 }, (_, i) => `u${i}`) }, 'touser'],
    ['a blank userid', { toUser: ['a', ' '] }, 'touser[1]'],
    ['a userid with |', { toUser: ['a|b'] }, 'touser[0]'],
    ['a touser string other than @all', { toUser: 'a|b' }, 'touser'],
    ['101 departments', { toParty: Array.from({ length: 101 }, (_, i) => i) }, 'toparty'],
    ['a department id that is not digits', { toParty: ['x'] }, 'toparty[0]'],
    ['a negative tag id', { toTag: [-1] }, 'totag[0]'],
    ['101 tags', { toTag: Array.from({ length: 101 }, (_, i) => i) }, 'totag'],
  ])('refuses %s', (_what, target, field) => {
    expect(check(text, target)).toBe(field);
  });

  it('accepts 1000 userids, @all, or departments and tags alone', () => {
    const users = Array.from({ length: 1000 }, (_, i) => `u${i}`);
    const message: WeComMessage = { type: 'text', content: 'x' };
    expect(() => validateWeComSend(message, { toUser: users })).not.toThrow();
    expect(() => validateWeComSend(message, { toUser: '@all' })).not.toThrow();
    expect(() => validateWeComSend(message, { toParty: ['1', 2] })).not.toThrow();
    expect(() => validateWeComSend(message, { toTag: [3] })).not.toThrow();
  });
});

describe('validateWeComSend: options', () => {
  const text = { type: 'text', content: 'x' };
  it.each([
    [
      'a duplicate-check interval of 0 s',
      text,
      { duplicateCheck: { intervalSeconds: 0 } },
      'duplicate_check_interval',
    ],
    [
      'a duplicate-check interval over 4 h',
      text,
      { duplicateCheck: { intervalSeconds: 14_401 } },
      'duplicate_check_interval',
    ],
    [
      'a fractional interval',
      text,
      { duplicateCheck: { intervalSeconds: 1.5 } },
      'duplicate_check_interval',
    ],
    [
      'a duplicate check that is not an object',
      text,
      { duplicateCheck: true },
      'enable_duplicate_check',
    ],
    ['safe 2 on text', text, { safe: 2 }, 'safe'],
    ['safe on markdown', { type: 'markdown', content: 'x' }, { safe: 1 }, 'safe'],
    ['enableIdTrans that is not a boolean', text, { enableIdTrans: 1 }, 'enable_id_trans'],
    ['options that are not an object', text, 'safe', 'options'],
  ])('refuses %s', (_what, message, options, field) => {
    expect(check(message, ONE, options)).toBe(field);
  });

  it('accepts the interval bounds and safe 2 on mpnews', () => {
    const message: WeComMessage = { type: 'text', content: 'x' };
    for (const intervalSeconds of [1, 1800, 14_400]) {
      expect(() =>
        validateWeComSend(message, ONE, { duplicateCheck: { intervalSeconds } }),
      ).not.toThrow();
    }
    const mpnews: WeComMessage = {
      type: 'mpnews',
      articles: [{ title: 't', thumbMediaId: 'm', content: 'c' }],
    };
    expect(() => validateWeComSend(mpnews, ONE, { safe: 2 })).not.toThrow();
  });
});
