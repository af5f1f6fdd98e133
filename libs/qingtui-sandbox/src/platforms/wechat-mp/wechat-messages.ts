import { PushLog } from '../../shared/push-log.js';
import { WechatAudience } from './wechat-audience.js';
import { checkCustomSend, checkMassSend, checkTemplateSend } from './wechat-message-checks.js';
import { WECHAT_ERRORS as E } from './wechat-mp-errors.js';

/** Template `client_msg_id`: one message per openid and id within this (10 minutes). */
export const TEMPLATE_DEDUPE_MS = 10 * 60 * 1000;
/** Customer-service messages: allowed this long after the user's last interaction (48 h). */
export const CUSTOM_WINDOW_MS = 48 * 3600 * 1000;
/** Mass send `clientmsgid`: checked over this (24 h). */
export const MASS_DEDUPE_MS = 24 * 3600 * 1000;
/** Mass send: a same-`clientmsgid` retry sooner than this after the previous answered one gets 45066 (1 minute). */
export const MASS_RETRY_INTERVAL_MS = 60 * 1000;

/** The four send APIs, by path. */
export type WechatSendApi = 'template' | 'subscribe' | 'custom' | 'mass';

interface TemplateEntry {
  readonly until: number;
  readonly msgid: number;
}

interface MassEntry {
  readonly firstAt: number;
  readonly msgId: number;
  /** The last attempt answered other than 45066. */
  lastAnsweredAt: number;
}

/**
 * WeChat's message pushes: template (`client_msg_id` dedupe), subscribe
 * (one consent per send, else 43101), customer service (48 h after the last
 * interaction, else 45015) and mass send (`clientmsgid`: 45066, 45065), with
 * the record of what was delivered and silently not.
 */
export class WechatMessages {
  readonly log = new PushLog('wechat-mp');
  readonly audience = new WechatAudience();
  /** `app\nopenid\nclient_msg_id` → the first message. */
  private readonly templates = new Map<string, TemplateEntry>();
  /** `app\nclientmsgid` → the first mass send. */
  private readonly masses = new Map<string, MassEntry>();

  constructor(private readonly now: () => number) {}

  /** Answers a send of the app (its token already judged valid). */
  send(api: WechatSendApi, appKey: string, json: Record<string, unknown>): object {
    switch (api) {
      case 'template':
        return this.template(appKey, json);
      case 'subscribe':
        return this.subscribe(appKey, json);
      case 'custom':
        return this.custom(appKey, json);
      case 'mass':
        return this.mass(appKey, json);
    }
  }

  reset(): void {
    this.log.clear();
    this.audience.reset();
    this.templates.clear();
    this.masses.clear();
  }

  /**
   * A second send with the same openid and `client_msg_id` within 10 minutes
   * is not delivered; the platform documents no answer for it, so the sandbox
   * answers errcode 0 with the first msgid (and records a drop).
   */
  private template(appKey: string, json: Record<string, unknown>): object {
    const checked = checkTemplateSend(json, 'template');
    if ('errcode' in checked) return checked;
    const at = this.now();
    const key =
      checked.clientMsgId === undefined
        ? undefined
        : `${appKey}\n${checked.touser}\n${checked.clientMsgId}`;
    const first = key === undefined ? undefined : this.templates.get(key);
    if (first !== undefined && at < first.until) {
      this.log.drop({
        appKey,
        msgId: String(first.msgid),
        api: 'template',
        reason: 'client-msg-id',
        recipients: [checked.touser],
        at,
      });
      return { errcode: 0, errmsg: 'ok', msgid: first.msgid };
    }
    const msgid = PushLog.newNumericId();
    this.deliver(appKey, String(msgid), 'template', checked.templateId, [checked.touser], json);
    if (key !== undefined) this.templates.set(key, { until: at + TEMPLATE_DEDUPE_MS, msgid });
    return { errcode: 0, errmsg: 'ok', msgid };
  }

  /** Each send uses one of the user's consents to the template; none left: 43101. */
  private subscribe(appKey: string, json: Record<string, unknown>): object {
    const checked = checkTemplateSend(json, 'subscribe');
    if ('errcode' in checked) return checked;
    if (!this.audience.takeConsent(appKey, checked.touser, checked.templateId)) {
      return E.userRefused;
    }
    const id = PushLog.newStringId();
    this.deliver(appKey, id, 'subscribe', checked.templateId, [checked.touser], json);
    return { errcode: 0, errmsg: 'ok' };
  }

  /** Only within 48 h of the user's last interaction (none known: never): else 45015. */
  private custom(appKey: string, json: Record<string, unknown>): object {
    const checked = checkCustomSend(json);
    if ('errcode' in checked) return checked;
    const [openid] = checked.touser;
    const last = this.audience.lastInteraction(appKey, openid);
    if (last === undefined || this.now() - last > CUSTOM_WINDOW_MS) return E.outOfTimeLimit;
    this.deliver(appKey, PushLog.newStringId(), 'custom', checked.msgtype, [openid], json);
    return { errcode: 0, errmsg: 'ok' };
  }

  /**
   * `clientmsgid` over 24 h: a retry less than a minute after the previous
   * answered attempt gets 45066 (the window does not restart on a 45066);
   * later ones 45065 with the first `msg_id`. `msg_data_id` only for mpnews,
   * as on the platform.
   */
  private mass(appKey: string, json: Record<string, unknown>): object {
    const checked = checkMassSend(json);
    if ('errcode' in checked) return checked;
    const at = this.now();
    const key = checked.clientMsgId === undefined ? undefined : `${appKey}\n${checked.clientMsgId}`;
    const first = key === undefined ? undefined : this.masses.get(key);
    if (first !== undefined && at - first.firstAt < MASS_DEDUPE_MS) {
      if (at - first.lastAnsweredAt < MASS_RETRY_INTERVAL_MS) return E.clientMsgIdTooFast;
      first.lastAnsweredAt = at;
      return { ...E.clientMsgIdExists, msg_id: first.msgId };
    }
    const msgId = PushLog.newNumericId();
    const msgDataId = checked.msgtype === 'mpnews' ? PushLog.newNumericId() : undefined;
    this.deliver(appKey, String(msgId), 'mass', checked.msgtype, checked.touser, json);
    if (key !== undefined) {
      this.masses.set(key, { firstAt: at, msgId, lastAnsweredAt: at });
    }
    return {
      errcode: 0,
      errmsg: 'send job submission success',
      msg_id: msgId,
      ...(msgDataId === undefined ? {} : { msg_data_id: msgDataId }),
    };
  }

  private deliver(
    appKey: string,
    msgId: string,
    api: WechatSendApi,
    msgtype: string,
    recipients: string[],
    body: Record<string, unknown>,
  ): void {
    this.log.record({ appKey, msgId, api, msgtype, recipients, body, at: this.now() });
  }
}
