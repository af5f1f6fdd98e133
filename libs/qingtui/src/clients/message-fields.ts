import type {
  QingtuiColorText,
  QingtuiKeyValuePair,
  QingtuiMessage,
  QingtuiMessageType,
  QingtuiNewsArticle,
  QingtuiRichLink,
  QingtuiRichMedia,
  QingtuiTextCardLine,
} from '../interfaces/messages.interface.js';
import {
  card,
  color,
  flag,
  type FieldsOf,
  list,
  maybeEmptyText,
  numberField,
  object,
  optionalTextField as optionalText,
  text,
} from './message-schema.js';
import { QINGTUI_MESSAGE_LIMITS as L } from './qingtui-api.limits.js';

/*
 * The fields of each message type, once: typed name, wire name (the only place that spells
 * them), presence, limits. Encoding, decoding and validation are derived from these tables
 * (`message-schema.ts`); the compiler checks that each table covers its message interface.
 * Where sources disagree (reference §7) we send: lowercase `color`, `value_color`,
 * `sub_title`/`footer` as `{text, color}`, news `thumb_media_id` and `show_cover_pic` (1/0).
 * Validation follows the table order and reports the first problem.
 */

const RICH_MEDIA: FieldsOf<QingtuiRichMedia> = {
  name: optionalText('name'),
  mediaId: text('media_id'),
};

const RICH_LINK: FieldsOf<QingtuiRichLink> = {
  name: optionalText('name'),
  url: text('url'),
};

const TEXT_CARD_LINE: FieldsOf<QingtuiTextCardLine> = {
  text: maybeEmptyText('text', L.textCardLineMaxChars),
  attr: object<NonNullable<QingtuiTextCardLine['attr']>>('attr', { color: color('color') }),
};

const COLOR_TEXT: FieldsOf<QingtuiColorText> = {
  text: maybeEmptyText('text'),
  color: color('color'),
};

const KEY_VALUE_PAIR: FieldsOf<QingtuiKeyValuePair> = {
  key: text('key', L.keyMaxChars),
  value: maybeEmptyText('value', L.valueMaxChars),
  valueColor: color('value_color'),
};

const NEWS_ARTICLE: FieldsOf<QingtuiNewsArticle> = {
  title: text('title', L.titleMaxChars),
  url: optionalText('url'),
  content: optionalText('content', L.newsSummaryMaxChars),
  thumbMediaId: optionalText('thumb_media_id'),
  author: optionalText('author'),
  time: numberField('time'),
  showCoverPic: flag('show_cover_pic'),
};

/** The `message` object of each type. */
export const MESSAGE_FIELDS: {
  readonly [T in QingtuiMessageType]: FieldsOf<Extract<QingtuiMessage, { type: T }>>;
} = {
  text: { content: text('content') },
  image: { mediaId: text('media_id') },
  file: { mediaId: text('media_id') },
  rich: {
    title: text('title'),
    xtime: numberField('xtime'),
    body: optionalText('body'),
    imgList: list('img_list', 'images', RICH_MEDIA),
    urlList: list('url_list', 'links', RICH_LINK),
    attachment: object('attachment', RICH_MEDIA),
  },
  textCard: {
    title: text('title', L.titleMaxChars),
    url: optionalText('url'),
    buttonText: optionalText('button_text', L.buttonTextMaxChars, false),
    contentList: list('content_list', 'lines', TEXT_CARD_LINE, { required: true }),
  },
  keyValue: {
    title: text('title', L.titleMaxChars),
    subTitle: object('sub_title', COLOR_TEXT),
    url: optionalText('url'),
    content: list('content', 'pairs', KEY_VALUE_PAIR, {
      required: true,
      min: 1,
      max: L.keyValueMaxPairs,
    }),
    footer: object('footer', COLOR_TEXT),
    buttonText: optionalText('button_text', L.buttonTextMaxChars, false),
  },
  card: { content: card('content') },
  news: {
    articleList: list('article_list', 'articles', NEWS_ARTICLE, { required: true, min: 1 }),
  },
  process: {
    title: text('title'),
    body: optionalText('body'),
    url: text('url'),
  },
};
