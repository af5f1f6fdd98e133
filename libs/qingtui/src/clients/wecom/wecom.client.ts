import type { AxiosInstance } from 'axios';
import { callApp } from '../app-call.js';
import { validateId } from '../validate-message.js';
import { QingtuiError } from '../../errors/qingtui.error.js';
import { messages } from '../../qingtui.messages.js';
import { WECOM_MESSAGE_PATHS } from './wecom-api.limits.js';
import { readWeComSendResult } from './wecom-answers.js';
import type {
  WeComMessage,
  WeComMessageBody,
  WeComMpNewsArticle,
  WeComNewsArticle,
  WeComSendOptions,
  WeComSendResult,
  WeComTarget,
  WeComTemplateCard,
} from './wecom-message.interface.js';
import { validateWeComSend } from './wecom-validate.js';
import { takesAgentId, toWeComSendBody } from './wecom-wire.js';

/**
 * Typed client of WeCom's application messages (`/cgi-bin/message/send`, `/recall`) for one
 * WeCom app. The `agentid` comes from the app's configuration; the token from the module's
 * interceptor, which heals a rejected token with one re-send (the platform refuses such a call
 * before acting on it).
 *
 * Nothing is sent twice by the library: a send that may have reached WeCom without a readable
 * answer (time-out or reset after sending, HTTP 5xx) fails with `QingtuiOutcomeUnknownError`.
 * To make your own retry safe, pass `duplicateCheck`: WeCom then drops the same request JSON
 * within the interval. Arguments are validated first: a `QingtuiValidationError` means nothing
 * was sent.
 *
 * Get one with `@InjectQingtuiClient('oa')` or `QingtuiClients.wecom('oa')`.
 */
export class WeComClient {
  constructor(
    private readonly http: AxiosInstance,
    /** Name of the app whose token signs every call. */
    readonly app: string,
    /** The app's agentid (digits), from its configuration; undefined when not known here. */
    readonly agentId: string | undefined,
  ) {}

  /**
   * Sends a message of any msgtype.
   *
   * ```ts
   * await wecom.send({ type: 'text', content: 'hi' }, { toUser: ['lisi'] }, {
   *   duplicateCheck: { intervalSeconds: 600 },
   * });
   * ```
   *
   * @returns the msgid and the recipients WeCom refused (a partial success is errcode 0)
   * @throws QingtuiValidationError before sending
   * @throws QingtuiApiError when WeCom refuses the message (81013: every recipient invalid)
   * @throws QingtuiOutcomeUnknownError when it may have been delivered but no answer was read
   */
  async send(
    message: WeComMessage,
    target: WeComTarget,
    options: WeComSendOptions = {},
  ): Promise<WeComSendResult> {
    const type = validateWeComSend(message, target, options);
    if (takesAgentId(type) && this.agentId === undefined) {
      throw new QingtuiError(messages.noAgentId(this.app));
    }
    const path = WECOM_MESSAGE_PATHS.send;
    const answer = await callApp(this.http, this.app, {
      method: 'POST',
      url: path,
      data: toWeComSendBody(message, target, options, this.agentId ?? ''),
      idempotent: false,
    });
    return readWeComSendResult(answer, path);
  }

  /** Plain text, at most 2048 bytes. */
  sendText(
    target: WeComTarget,
    content: string,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'text', content }, target, options);
  }

  /** An image uploaded to WeCom's media. */
  sendImage(
    target: WeComTarget,
    mediaId: string,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'image', mediaId }, target, options);
  }

  /** A voice message (AMR) uploaded to WeCom's media. */
  sendVoice(
    target: WeComTarget,
    mediaId: string,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'voice', mediaId }, target, options);
  }

  /** A video uploaded to WeCom's media, with an optional title and description. */
  sendVideo(
    target: WeComTarget,
    video: WeComMessageBody<'video'>,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'video', ...video }, target, options);
  }

  /** A file uploaded to WeCom's media. */
  sendFile(
    target: WeComTarget,
    mediaId: string,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'file', mediaId }, target, options);
  }

  /** A text card: title, description, link and button text. */
  sendTextCard(
    target: WeComTarget,
    card: WeComMessageBody<'textcard'>,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'textcard', ...card }, target, options);
  }

  /** 1 to 8 link (or mini program) articles. */
  sendNews(
    target: WeComTarget,
    articles: readonly WeComNewsArticle[],
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'news', articles }, target, options);
  }

  /** 1 to 8 articles stored by WeCom (`mpnews`). */
  sendMpNews(
    target: WeComTarget,
    articles: readonly WeComMpNewsArticle[],
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'mpnews', articles }, target, options);
  }

  /** WeCom's markdown subset, at most 2048 bytes. */
  sendMarkdown(
    target: WeComTarget,
    content: string,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'markdown', content }, target, options);
  }

  /** A mini program notice (sent without `agentid`). */
  sendMiniprogramNotice(
    target: WeComTarget,
    notice: WeComMessageBody<'miniprogram_notice'>,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'miniprogram_notice', ...notice }, target, options);
  }

  /** A template card, given in the platform's wire naming (`card_type`, `main_title`...). */
  sendTemplateCard(
    target: WeComTarget,
    card: WeComTemplateCard,
    options?: WeComSendOptions,
  ): Promise<WeComSendResult> {
    return this.send({ type: 'template_card', card }, target, options);
  }

  /**
   * Recalls a message sent within the last 24 hours (`POST /cgi-bin/message/recall`). Not
   * re-sent by the library either: a second recall of a recalled message is refused, which
   * would hide that the first one worked.
   * @throws QingtuiApiError when WeCom refuses (too old, unknown msgid)
   * @throws QingtuiOutcomeUnknownError when no answer was read after sending
   */
  async recall(msgId: string): Promise<void> {
    validateId(msgId, 'msgid');
    await callApp(this.http, this.app, {
      method: 'POST',
      url: WECOM_MESSAGE_PATHS.recall,
      data: { msgid: msgId },
      idempotent: false,
    });
  }
}
