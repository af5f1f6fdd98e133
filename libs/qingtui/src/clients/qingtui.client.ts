import type { AxiosInstance, Method } from 'axios';
import type {
  QingtuiFollowersPage,
  QingtuiFollowersQuery,
  QingtuiMediaType,
  QingtuiMediaUploadResult,
  QingtuiMessage,
  QingtuiMessageBody,
  QingtuiMessageStatus,
  QingtuiNewsArticle,
  QingtuiRawRequestOptions,
  QingtuiSendResult,
  QingtuiTargetFor,
} from '../interfaces/messages.interface.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import type { QingtuiAxiosConfig } from '../http/qingtui-request.js';
import { QINGTUI_MESSAGE_LIMITS } from './qingtui-api.limits.js';
import {
  QINGTUI_API_PARAMS as P,
  QINGTUI_API_PATHS,
  messageSendPath,
} from './qingtui-api.paths.js';
import { guessMediaContentType } from './media-content-type.js';
import { toSendBody } from './message-wire.js';
import {
  readFollowers,
  readMediaUpload,
  readMessageStatus,
  readOpenId,
  readSendResult,
} from './qingtui-answers.js';
import {
  validateApiPath,
  validateId,
  validateInteger,
  validateMessage,
  validateUpload,
} from './validate-message.js';

/**
 * Typed client of the Qingtui open platform for one app. Every call goes through the module's
 * axios instance, whose interceptor adds the app's `access_token`, turns a non-zero `errcode`
 * into a `QingtuiApiError` and heals token errors with one refresh and one re-send.
 *
 * Message sends are never re-sent after an unknown outcome (they are not idempotent): a send
 * that may have reached the platform without a readable answer fails with
 * `QingtuiOutcomeUnknownError`. Reads, status queries and uploads may be re-sent once. Arguments
 * are validated first: a `QingtuiValidationError` means nothing was sent.
 *
 * Get one with `@InjectQingtuiClient('app')` or `QingtuiClients.get('app')`.
 */
export class QingtuiClient {
  constructor(
    private readonly http: AxiosInstance,
    /** Name of the app whose token signs every call. */
    readonly app: string,
    /**
     * Set when there is no Qingtui app to call for (the default client of a module that manages
     * WeChat or WeCom apps only): every call fails with this reason, nothing is sent.
     */
    private readonly unavailable?: string,
  ) {}

  /**
   * Sends a message.
   *
   * ```ts
   * await client.send({ type: 'text', content: 'hello' }, { toUser: openId });
   * await client.send(card, { toUsers: [a, b] });
   * await client.send(news, { allFollowers: true });
   * ```
   *
   * @returns the message id(s): one per recipient for a process mass send
   * @throws QingtuiValidationError before sending, for a rule of `validateMessage`
   * @throws QingtuiApiError when the platform refuses the message, or answers without an id
   * @throws QingtuiOutcomeUnknownError when it may have been delivered but no answer was read
   *   (time-out or reset after sending, HTTP 5xx): not re-sent
   */
  async send<M extends QingtuiMessage>(
    message: M,
    target: QingtuiTargetFor<M['type']>,
  ): Promise<QingtuiSendResult> {
    const kind = validateMessage(message, target);
    const path = messageSendPath(message.type, kind);
    const answer = await this.call('POST', path, {
      data: toSendBody(message, target),
      idempotent: false,
    });
    return readSendResult(answer, path);
  }

  /** Sends plain text. */
  sendText(target: QingtuiTargetFor<'text'>, content: string): Promise<QingtuiSendResult> {
    return this.send({ type: 'text', content }, target);
  }

  /** Sends an image uploaded with `uploadMedia('image', …)`. */
  sendImage(target: QingtuiTargetFor<'image'>, mediaId: string): Promise<QingtuiSendResult> {
    return this.send({ type: 'image', mediaId }, target);
  }

  /** Sends a file uploaded with `uploadMedia('file', …)`. */
  sendFile(target: QingtuiTargetFor<'file'>, mediaId: string): Promise<QingtuiSendResult> {
    return this.send({ type: 'file', mediaId }, target);
  }

  /** Sends a rich message. */
  sendRich(
    target: QingtuiTargetFor<'rich'>,
    rich: QingtuiMessageBody<'rich'>,
  ): Promise<QingtuiSendResult> {
    return this.send({ type: 'rich', ...rich }, target);
  }

  /** Sends a text card (single, mass or channel: there is no all-followers variant). */
  sendTextCard(
    target: QingtuiTargetFor<'textCard'>,
    card: QingtuiMessageBody<'textCard'>,
  ): Promise<QingtuiSendResult> {
    return this.send({ type: 'textCard', ...card }, target);
  }

  /** Sends a key-value card (single, mass or channel: there is no all-followers variant). */
  sendKeyValue(
    target: QingtuiTargetFor<'keyValue'>,
    card: QingtuiMessageBody<'keyValue'>,
  ): Promise<QingtuiSendResult> {
    return this.send({ type: 'keyValue', ...card }, target);
  }

  /** Sends an interactive card, given as an object (serialized for you) or as its JSON text. */
  sendCard(
    target: QingtuiTargetFor<'card'>,
    content: string | Record<string, unknown>,
  ): Promise<QingtuiSendResult> {
    return this.send({ type: 'card', content }, target);
  }

  /** Sends one or more articles. */
  sendNews(
    target: QingtuiTargetFor<'news'>,
    articles: readonly QingtuiNewsArticle[],
  ): Promise<QingtuiSendResult> {
    return this.send({ type: 'news', articleList: articles }, target);
  }

  /**
   * Sends a to-do (single or mass only). Keep the returned ids: `completeProcess` needs the id
   * of each recipient's copy (`msgIds[i].openId` / `msgIds[i].msgId` for a mass send).
   */
  sendProcess(
    target: QingtuiTargetFor<'process'>,
    process: QingtuiMessageBody<'process'>,
  ): Promise<QingtuiSendResult> {
    return this.send({ type: 'process', ...process }, target);
  }

  /**
   * Marks a to-do done for one recipient (`POST /v1/message/process/complete`). Completing
   * twice leaves the same state, so this call may be re-sent after an unknown outcome.
   */
  async completeProcess(msgId: string, openId: string): Promise<void> {
    validateId(msgId, 'msg_id');
    validateId(openId, 'open_id');
    await this.call('POST', QINGTUI_API_PATHS.processComplete, {
      data: { msg_id: msgId, open_id: openId },
      idempotent: true,
    });
  }

  /** Delivery status of a sent message (`POST /v1/message/status/get`). */
  async getMessageStatus(msgId: string): Promise<QingtuiMessageStatus> {
    validateId(msgId, 'msg_id');
    const path = QINGTUI_API_PATHS.messageStatus;
    const answer = await this.call('POST', path, { data: { msg_id: msgId }, idempotent: true });
    return readMessageStatus(answer, msgId, path);
  }

  /**
   * Uploads an image (≤300 KB) or a file (≤30 MB) and returns its `mediaId`, for image, file,
   * rich and news messages. Sent as multipart field `media`; the body is built in memory so that
   * the interceptor can re-send it after a token refresh.
   *
   * @param contentType MIME type; guessed from the filename's extension when omitted
   */
  async uploadMedia(
    type: QingtuiMediaType,
    data: Buffer | Uint8Array,
    filename: string,
    contentType?: string,
  ): Promise<QingtuiMediaUploadResult> {
    validateUpload(type, data, filename, contentType);
    // Node's FormData, serialised once in memory (boundary included) by a Fetch `Response`, so
    // that the interceptor can re-send the very same bytes after a token refresh.
    const form = new FormData();
    const part = new Blob([new Uint8Array(data.buffer, data.byteOffset, data.byteLength)], {
      type: contentType ?? guessMediaContentType(filename),
    });
    form.append(P.mediaField, part, filename);
    const multipart = new Response(form);
    const body = Buffer.from(await multipart.arrayBuffer());
    const path = QINGTUI_API_PATHS.mediaUpload;
    const answer = await this.call('POST', path, {
      params: { [P.mediaType]: type },
      data: body,
      headers: { 'Content-Type': multipart.headers.get('content-type') },
      // A second upload only leaves an unused media_id behind.
      idempotent: true,
    });
    return readMediaUpload(answer, type, path);
  }

  /** One page of the app's followers (openids), `GET /v1/app/followers`. */
  async getFollowers(query: QingtuiFollowersQuery = {}): Promise<QingtuiFollowersPage> {
    const pageSize = query.pageSize ?? QINGTUI_MESSAGE_LIMITS.followersMaxPageSize;
    const page = query.page ?? 1;
    validateInteger(pageSize, P.pageSize, 1, QINGTUI_MESSAGE_LIMITS.followersMaxPageSize);
    validateInteger(page, P.page, 1);
    const path = QINGTUI_API_PATHS.followers;
    const answer = await this.call('GET', path, {
      params: { [P.pageSize]: pageSize, [P.page]: page },
    });
    return readFollowers(answer, path);
  }

  /** The openid, for this app, of a member of the organisation (`GET /team/member/openid/get`). */
  async getOpenIdByUserId(userId: string): Promise<string> {
    validateId(userId, P.userId);
    const path = QINGTUI_API_PATHS.openIdByUserId;
    const answer = await this.call('GET', path, { params: { [P.userId]: userId } });
    return readOpenId(answer, path);
  }

  /**
   * Calls an endpoint this client does not wrap, with the same token handling and errcode check.
   * `path` must be a platform path starting with `/` (never a full URL: the access_token must not
   * leave for another host).
   *
   * @returns the parsed JSON answer, unchecked beyond its errcode
   */
  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: QingtuiRawRequestOptions = {},
  ): Promise<T> {
    validateApiPath(path);
    return (await this.call(method, path, {
      params: options.query,
      data: options.body,
      idempotent: options.idempotent,
    })) as T;
  }

  private async call(
    method: Method,
    url: string,
    options: Pick<QingtuiAxiosConfig, 'params' | 'data' | 'headers'> & { idempotent?: boolean },
  ): Promise<unknown> {
    if (this.unavailable !== undefined) throw new QingtuiError(this.unavailable);
    const { idempotent, ...rest } = options;
    const config: QingtuiAxiosConfig = {
      method,
      url,
      ...rest,
      qingtui: idempotent === undefined ? { app: this.app } : { app: this.app, idempotent },
    };
    const response = await this.http.request<unknown>(config);
    return response.data;
  }
}
