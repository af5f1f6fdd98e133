import type {
  QingtuiColorText,
  QingtuiMessage,
  QingtuiMessageType,
  QingtuiRichMedia,
  QingtuiTarget,
} from '../interfaces/messages.interface.js';

/*
 * Typed messages → the platform's snake_case JSON. The only place that spells message field
 * names on the wire. Where sources disagree (reference §7) we send: lowercase `color`,
 * `value_color`, `sub_title`/`footer` as `{text, color}`, news `thumb_media_id` and
 * `show_cover_pic` (1/0).
 */

type Wire = Record<string, unknown>;

/** Drops undefined members so that absent optional fields are not sent. */
function compact(object: Wire): Wire {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

function colorText(text: QingtuiColorText | undefined): Wire | undefined {
  return text && compact({ text: text.text, color: text.color });
}

function richMedia(media: QingtuiRichMedia | undefined): Wire | undefined {
  return media && compact({ name: media.name, media_id: media.mediaId });
}

type Builders = {
  [T in QingtuiMessageType]: (message: Extract<QingtuiMessage, { type: T }>) => Wire;
};

const BUILDERS: Builders = {
  text: (m) => ({ content: m.content }),
  image: (m) => ({ media_id: m.mediaId }),
  file: (m) => ({ media_id: m.mediaId }),
  rich: (m) =>
    compact({
      title: m.title,
      xtime: m.xtime,
      body: m.body,
      img_list: m.imgList?.map(richMedia),
      url_list: m.urlList?.map((link) => compact({ name: link.name, url: link.url })),
      attachment: richMedia(m.attachment),
    }),
  textCard: (m) =>
    compact({
      title: m.title,
      url: m.url,
      button_text: m.buttonText,
      content_list: m.contentList.map((line) =>
        compact({
          text: line.text,
          attr: line.attr && compact({ color: line.attr.color }),
        }),
      ),
    }),
  keyValue: (m) =>
    compact({
      title: m.title,
      sub_title: colorText(m.subTitle),
      url: m.url,
      content: m.content.map((pair) =>
        compact({ key: pair.key, value: pair.value, value_color: pair.valueColor }),
      ),
      footer: colorText(m.footer),
      button_text: m.buttonText,
    }),
  card: (m) => ({
    content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
  }),
  news: (m) => ({
    article_list: m.articleList.map((article) =>
      compact({
        title: article.title,
        url: article.url,
        content: article.content,
        thumb_media_id: article.thumbMediaId,
        author: article.author,
        time: article.time,
        show_cover_pic:
          article.showCoverPic === undefined ? undefined : article.showCoverPic ? 1 : 0,
      }),
    ),
  }),
  process: (m) => compact({ title: m.title, body: m.body, url: m.url }),
};

/** The `message` object of a send body, in wire naming. */
export function toWireMessage(message: QingtuiMessage): Wire {
  const build = BUILDERS[message.type] as (message: QingtuiMessage) => Wire;
  return build(message);
}

/** A whole send body: `{to_user | to_users | channel_id, message}`, or `{message}` for all followers. */
export function toSendBody(message: QingtuiMessage, target: QingtuiTarget): Wire {
  const wire = toWireMessage(message);
  if (target.toUser !== undefined) return { to_user: target.toUser, message: wire };
  if (target.toUsers !== undefined) return { to_users: [...target.toUsers], message: wire };
  if (target.channelId !== undefined) return { channel_id: target.channelId, message: wire };
  return { message: wire };
}
