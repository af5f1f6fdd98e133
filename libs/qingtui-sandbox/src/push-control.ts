import type { WechatMpEmulator } from './platforms/wechat-mp/wechat-mp-emulator.js';
import type { WecomDirectory } from './platforms/wecom/wecom-directory.js';
import type { WecomEmulator } from './platforms/wecom/wecom-emulator.js';
import type { SandboxPlatform } from './sandbox.options.js';
import type { PushDelivery, PushDrop, PushQuery } from './shared/push-log.js';

/**
 * WeChat and WeCom message push, as tests see it: what was delivered, what
 * was silently not, and the platform state that decides it (the WeCom member
 * directory, WeChat subscribe consents and users' last interactions).
 * `sandbox.push`; `reset()` forgets all of it.
 */
export class PushControl {
  constructor(
    private readonly wecom: WecomEmulator,
    private readonly wechat: WechatMpEmulator,
    /** The platform of an app key, undefined for an unknown one. */
    private readonly platformOf: (appKey: string) => SandboxPlatform | undefined,
    private readonly corpIds: ReadonlySet<string>,
    private readonly now: () => number,
  ) {}

  /**
   * The WeChat and WeCom messages delivered (to at least one recipient), in
   * order, filtered by platform, app key, msgId, recipient and API.
   */
  deliveries(query: PushQuery = {}): PushDelivery[] {
    return byTime([
      ...this.wecom.messages.log.deliveries(query),
      ...this.wechat.messages.log.deliveries(query),
    ]);
  }

  /**
   * Sends answered errcode 0 that did not reach some recipients, in order:
   * WeCom per-member limits (`minute-limit`, `hour-limit`) and duplicate
   * check (`duplicate-check`), WeChat template `client_msg_id` (`client-msg-id`).
   */
  drops(query: PushQuery = {}): PushDrop[] {
    return byTime([
      ...this.wecom.messages.log.drops(query),
      ...this.wechat.messages.log.drops(query),
    ]);
  }

  /**
   * WeCom: the company's member directory; `message/send` recipients outside
   * it are invalid. `undefined` goes back to the open directory of a fresh
   * sandbox, where every userid is a member.
   * @throws RangeError for a corpId no configured app has; TypeError for a malformed directory
   */
  setWecomDirectory(corpId: string, directory: WecomDirectory | undefined): void {
    if (!this.corpIds.has(corpId)) throw new RangeError(`unknown WeCom corpId "${corpId}"`);
    this.wecom.messages.directories.set(corpId, directory);
  }

  /**
   * WeChat: the user accepts the subscribe-message template `count` more
   * times (one `bizsend` each).
   * @returns the consents now left
   * @throws RangeError for an app that is not a WeChat app, or a count that is not a positive integer
   */
  grantSubscribeConsent(appId: string, openid: string, templateId: string, count = 1): number {
    this.checkWechat(appId);
    checkId('openid', openid);
    checkId('templateId', templateId);
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError('count must be a positive integer');
    }
    return this.wechat.messages.audience.grantConsent(appId, openid, templateId, count);
  }

  /** WeChat: the user's consents to the template not used yet. @throws RangeError as {@link grantSubscribeConsent} */
  subscribeConsents(appId: string, openid: string, templateId: string): number {
    this.checkWechat(appId);
    return this.wechat.messages.audience.consentsLeft(appId, openid, templateId);
  }

  /**
   * WeChat: when the user last interacted with the account (a message, a
   * menu click...): customer-service messages may reach them for 48 h after.
   * @param atMs epoch ms on the sandbox clock; default now; `null` forgets it
   * @throws RangeError for an app that is not a WeChat app
   */
  setLastInteraction(appId: string, openid: string, atMs?: number | null): void {
    this.checkWechat(appId);
    checkId('openid', openid);
    if (atMs !== undefined && atMs !== null && !Number.isFinite(atMs)) {
      throw new RangeError('atMs must be an epoch time in ms');
    }
    const at = atMs === null ? undefined : (atMs ?? this.now());
    this.wechat.messages.audience.setLastInteraction(appId, openid, at);
  }

  /** Whether the app key names a WeChat or WeCom app. */
  isPushApp(appKey: string): boolean {
    const platform = this.platformOf(appKey);
    return platform === 'wecom' || platform === 'wechat-mp';
  }

  private checkWechat(appId: string): void {
    const platform = this.platformOf(appId);
    if (platform === undefined) throw new RangeError(`unknown appId "${appId}"`);
    if (platform !== 'wechat-mp') {
      throw new RangeError(`"${appId}" is a ${platform} app, not a WeChat Official Account`);
    }
  }
}

function checkId(name: string, value: unknown): void {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`${name} must be a non-empty string`);
  }
}

function byTime<T extends { at: number }>(entries: T[]): T[] {
  return entries.sort((a, b) => a.at - b.at);
}
