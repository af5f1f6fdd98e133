import {
  bytesText,
  type FieldsOf,
  bool,
  list,
  optionalTextField as optionalText,
  text,
} from '../message-schema.js';
import type {
  WeComMessage,
  WeComMessageType,
  WeComMiniprogramNoticeItem,
  WeComMpNewsArticle,
  WeComNewsArticle,
} from './wecom-message.interface.js';
import { WECOM_MESSAGE_LIMITS as L } from './wecom-api.limits.js';

/*
 * The `<msgtype>` object of each WeCom message, once: typed name, wire name (the only place that
 * spells them), presence and limits (bytes where WeCom counts bytes). Encoding, decoding and
 * validation come from these tables (`../message-schema.ts`); the rules that span fields
 * (a news article's url or mini program, the template card's kinds) are `wecom-validate.ts`'s.
 */

const NEWS_ARTICLE: FieldsOf<WeComNewsArticle> = {
  title: bytesText('title', L.titleMaxBytes),
  description: bytesText('description', L.descriptionMaxBytes, 'optional'),
  url: bytesText('url', L.urlMaxBytes, 'optional'),
  picUrl: optionalText('picurl'),
  appId: optionalText('appid', undefined, false),
  pagePath: optionalText('pagepath', undefined, false),
};

const MPNEWS_ARTICLE: FieldsOf<WeComMpNewsArticle> = {
  title: bytesText('title', L.titleMaxBytes),
  thumbMediaId: text('thumb_media_id'),
  author: bytesText('author', L.mpnewsAuthorMaxBytes, 'optional'),
  contentSourceUrl: optionalText('content_source_url'),
  content: bytesText('content', L.mpnewsContentMaxBytes),
  digest: bytesText('digest', L.descriptionMaxBytes, 'optional'),
};

const NOTICE_ITEM: FieldsOf<WeComMiniprogramNoticeItem> = {
  key: text('key', L.noticeKeyMaxChars),
  value: text('value', L.noticeValueMaxChars),
};

/** Types whose `<msgtype>` object is described by a table (the template card is sent as given). */
export type WeComTabledType = Exclude<WeComMessageType, 'template_card'>;

/** The `<msgtype>` object of each type but `template_card`. */
export const WECOM_MESSAGE_FIELDS: {
  readonly [T in WeComTabledType]: FieldsOf<Extract<WeComMessage, { type: T }>>;
} = {
  text: { content: bytesText('content', L.contentMaxBytes) },
  image: { mediaId: text('media_id') },
  voice: { mediaId: text('media_id') },
  video: {
    mediaId: text('media_id'),
    title: bytesText('title', L.titleMaxBytes, 'optional'),
    description: bytesText('description', L.descriptionMaxBytes, 'optional'),
  },
  file: { mediaId: text('media_id') },
  textcard: {
    title: bytesText('title', L.titleMaxBytes),
    description: bytesText('description', L.descriptionMaxBytes),
    url: bytesText('url', L.urlMaxBytes),
    btnTxt: optionalText('btntxt', L.buttonTextMaxChars, false),
  },
  news: {
    articles: list('articles', 'articles', NEWS_ARTICLE, {
      required: true,
      min: 1,
      max: L.maxArticles,
    }),
  },
  mpnews: {
    articles: list('articles', 'articles', MPNEWS_ARTICLE, {
      required: true,
      min: 1,
      max: L.maxArticles,
    }),
  },
  markdown: { content: bytesText('content', L.contentMaxBytes) },
  miniprogram_notice: {
    appId: text('appid'),
    page: optionalText('page'),
    title: text('title', L.noticeTitleMaxChars),
    description: optionalText('description', L.noticeTitleMaxChars),
    emphasisFirstItem: bool('emphasis_first_item'),
    contentItem: list('content_item', 'items', NOTICE_ITEM, { max: L.noticeMaxItems }),
  },
};
