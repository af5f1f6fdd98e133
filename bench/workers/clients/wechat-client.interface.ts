import type { WechatWorkerConfig } from '../wechat-loop.protocol.js';

/** One library, configured as its README says, making `getcallbackip` calls for the loop. */
export interface WechatClient {
  /** One business call; resolves only when the caller got an `ip_list`, throws otherwise. */
  callbackIp(): Promise<void>;
  /** Releases its connections (the section deletes the run's Redis keys and files afterwards). */
  close(): Promise<void>;
}

export type WechatClientFactory = (config: WechatWorkerConfig) => Promise<WechatClient>;
