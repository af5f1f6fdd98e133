import type { AxiosInstance } from 'axios';
import { callApp } from '../app-call.js';
import { fail } from '../field-checks.js';
import { validationMessages as m } from '../qingtui-validation.messages.js';
import { WECHAT_MESSAGE_ERRCODES as E, WECHAT_MESSAGE_PATHS as P } from './wechat-api.limits.js';
import { readMassResult, readSubscribeResult, readTemplateResult } from './wechat-answers.js';
import {
  WECHAT_SEND_KINDS,
  type WeChatCustomSend,
  type WeChatMassResult,
  type WeChatMassSend,
  type WeChatSendAnswer,
  type WeChatSendRequest,
  type WeChatSubscribeMessage,
  type WeChatSubscribeResult,
  type WeChatTemplateMessage,
  type WeChatTemplateResult,
} from './wechat-message.interface.js';
import {
  validateWeChatCustom,
  validateWeChatMass,
  validateWeChatSubscribe,
  validateWeChatTemplate,
} from './wechat-validate.js';
import { toCustomBody, toMassBody, toSubscribeBody, toTemplateBody } from './wechat-wire.js';

/**
 * Typed client of the WeChat Official Account's message sends for one WeChat app: template,
 * subscribe (bizsend), customer-service and mass messages. The token comes from the module's
 * interceptor, which heals a rejected token with one re-send (the platform refuses such a call
 * before acting on it).
 *
 * Nothing is sent twice by the library: a send that may have reached WeChat without a readable
 * answer (time-out or reset after sending, HTTP 5xx) fails with `QingtuiOutcomeUnknownError`.
 * To make your own retry safe, pass `clientMsgId` (template: one message per openid and id
 * within 10 minutes; mass: one send per id within 24 h, a repeat answered as `alreadySent`).
 * Arguments are validated first: a `QingtuiValidationError` means nothing was sent.
 *
 * Get one with `@InjectQingtuiClient('mp')` or `QingtuiClients.wechat('mp')`.
 */
export class WeChatClient {
  constructor(
    private readonly http: AxiosInstance,
    /** Name of the app whose token signs every call. */
    readonly app: string,
  ) {}

  /**
   * A template message (`POST /cgi-bin/message/template/send`).
   *
   * ```ts
   * await wechat.sendTemplate({
   *   toUser: openId,
   *   templateId: 'ngqIpbwh8bUfcSsECmogfXcV14J0tQlEpBO27izEYtY',
   *   data: { thing1: { value: 'Order shipped' } },
   *   clientMsgId: orderId,
   * });
   * ```
   *
   * @throws QingtuiValidationError before sending
   * @throws QingtuiApiError when WeChat refuses it (43004 not a follower, 40037 bad template...)
   * @throws QingtuiOutcomeUnknownError when it may have been delivered but no answer was read
   */
  async sendTemplate(send: WeChatTemplateMessage): Promise<WeChatTemplateResult> {
    validateWeChatTemplate(send);
    const answer = await this.post(P.template, toTemplateBody(send));
    return readTemplateResult(answer, P.template);
  }

  /**
   * A subscribe message (`POST /cgi-bin/message/subscribe/bizsend`): one send per consent; a
   * second one is `QingtuiApiError` errcode 43101. Never re-sent by the library, so a consent is
   * never burnt by a retry it did not ask for.
   */
  async sendSubscribe(send: WeChatSubscribeMessage): Promise<WeChatSubscribeResult> {
    validateWeChatSubscribe(send);
    return readSubscribeResult(await this.post(P.subscribe, toSubscribeBody(send)));
  }

  /**
   * A customer-service message (`POST /cgi-bin/message/custom/send`): only within 48 h of the
   * user's last interaction, otherwise `QingtuiApiError` errcode 45015.
   */
  async sendCustom(send: WeChatCustomSend): Promise<void> {
    validateWeChatCustom(send);
    await this.post(P.custom, toCustomBody(send));
  }

  /**
   * A mass send to a list of 2 to 10,000 openids (`POST /cgi-bin/message/mass/send`). With
   * `clientMsgId`, a repeat within 24 h is answered 45065 by WeChat, returned here as success
   * `{ msgId: <the first send's>, alreadySent: true }`; 45066 (the same id retried within a
   * minute) stays a `QingtuiApiError`.
   */
  async sendMass(send: WeChatMassSend): Promise<WeChatMassResult> {
    validateWeChatMass(send);
    const answer = await this.post(P.mass, toMassBody(send), [E.clientMsgIdExists]);
    return readMassResult(answer, P.mass);
  }

  /**
   * One send of any of the four APIs, as `fromWeChatWire(kind, body)` reads it: the method of
   * that kind, its answer tagged with the kind.
   */
  async send(request: WeChatSendRequest): Promise<WeChatSendAnswer> {
    switch (request.kind) {
      case 'template':
        return { kind: request.kind, ...(await this.sendTemplate(request.send)) };
      case 'subscribe':
        return { kind: request.kind, ...(await this.sendSubscribe(request.send)) };
      case 'custom':
        await this.sendCustom(request.send);
        return { kind: request.kind };
      case 'mass':
        return { kind: request.kind, ...(await this.sendMass(request.send)) };
      default:
        return fail('kind', m.notOneOf((request as { kind: unknown }).kind, WECHAT_SEND_KINDS));
    }
  }

  private post(
    url: string,
    data: Record<string, unknown>,
    answerErrcodes?: readonly number[],
  ): Promise<Record<string, unknown>> {
    return callApp(this.http, this.app, {
      method: 'POST',
      url,
      data,
      idempotent: false,
      answerErrcodes,
    });
  }
}
