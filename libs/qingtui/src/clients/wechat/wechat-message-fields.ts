import {
  type FieldsOf,
  flag,
  list,
  optionalTextField as optionalText,
  text,
} from '../message-schema.js';
import type {
  WeChatCustomMessage,
  WeChatCustomMessageType,
  WeChatCustomNewsArticle,
  WeChatMassMessage,
  WeChatMassMessageType,
  WeChatMenuItem,
} from './wechat-message.interface.js';
import { WECHAT_MESSAGE_LIMITS as L } from './wechat-api.limits.js';

/*
 * The `<msgtype>` object of each customer-service and mass-send message, once: typed name,
 * wire name, presence. Encoding, decoding and validation come from these tables
 * (`../message-schema.ts`).
 */

const NEWS_ARTICLE: FieldsOf<WeChatCustomNewsArticle> = {
  title: text('title'),
  description: optionalText('description'),
  url: text('url'),
  picUrl: optionalText('picurl'),
};

const MENU_ITEM: FieldsOf<WeChatMenuItem> = {
  id: text('id'),
  content: text('content'),
};

/** The `<msgtype>` object of each customer-service message. */
export const WECHAT_CUSTOM_FIELDS: {
  readonly [T in WeChatCustomMessageType]: FieldsOf<Extract<WeChatCustomMessage, { type: T }>>;
} = {
  text: { content: text('content') },
  image: { mediaId: text('media_id') },
  voice: { mediaId: text('media_id') },
  video: {
    mediaId: text('media_id'),
    thumbMediaId: optionalText('thumb_media_id', undefined, false),
    title: optionalText('title'),
    description: optionalText('description'),
  },
  music: {
    title: optionalText('title'),
    description: optionalText('description'),
    musicUrl: text('musicurl'),
    hqMusicUrl: text('hqmusicurl'),
    thumbMediaId: text('thumb_media_id'),
  },
  news: {
    articles: list('articles', 'articles', NEWS_ARTICLE, {
      required: true,
      min: L.customNewsArticles,
      max: L.customNewsArticles,
    }),
  },
  mpnews: { mediaId: text('media_id') },
  msgmenu: {
    headContent: optionalText('head_content'),
    list: list('list', 'choices', MENU_ITEM, { required: true, min: 1 }),
    tailContent: optionalText('tail_content'),
  },
  wxcard: { cardId: text('card_id') },
  miniprogrampage: {
    title: text('title'),
    appId: text('appid'),
    pagePath: text('pagepath'),
    thumbMediaId: text('thumb_media_id'),
  },
};

/** Mass-send image lists are checked by `validateWeChatMass` (a list of strings, not objects). */
export type WeChatMassTabledType = Exclude<WeChatMassMessageType, 'image'>;

/** The `<msgtype>` object of each mass-send message but `image` (`images` on the wire). */
export const WECHAT_MASS_FIELDS: {
  readonly [T in WeChatMassTabledType]: FieldsOf<Extract<WeChatMassMessage, { type: T }>>;
} = {
  mpnews: { mediaId: text('media_id') },
  text: { content: text('content') },
  voice: { mediaId: text('media_id') },
  mpvideo: {
    mediaId: text('media_id'),
    title: optionalText('title'),
    description: optionalText('description'),
  },
  wxcard: { cardId: text('card_id') },
};

/** The mass-send `images` object but its `media_ids` list. */
export const WECHAT_MASS_IMAGE_FIELDS = {
  recommend: optionalText('recommend'),
  needOpenComment: flag('need_open_comment'),
  onlyFansCanComment: flag('only_fans_can_comment'),
} as const;
