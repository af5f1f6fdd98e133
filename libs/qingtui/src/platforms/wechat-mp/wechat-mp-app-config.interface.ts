import type { QingtuiSecret } from '../../core/app-config.js';

/** One WeChat Official Account (公众号) whose token the module manages. */
export interface WechatMpAppConfig {
  /** Name used to address the app in code and URLs (`getToken('wechat')`). Unique. */
  name: string;
  platform: 'wechat-mp';
  /** The account's AppID (developer settings of mp.weixin.qq.com). */
  appId: string;
  /**
   * The account's AppSecret, or a function returning it (read at every credential fetch). Never
   * logged, never put in an error, a store key or a status.
   */
  appSecret: QingtuiSecret;
  /**
   * Use `POST /cgi-bin/stable_token` (normal mode) instead of `/cgi-bin/token`: its tokens are a
   * namespace of their own, a fetch returns the current token while it is valid, and the
   * platform rotates it itself 5 minutes before expiry. `TokenService.forceRefresh()` is offered
   * for these apps only. The same AppID may be configured twice, once with each.
   * @default false
   */
  stableToken?: boolean;
  /**
   * Token calls a day (Beijing time): `/cgi-bin/token` calls (2000 a day; test accounts 200), or
   * `/cgi-bin/stable_token` calls with `stableToken` (500,000). Counted across instances; a
   * warning at 80%; the last 10% kept for scheduled and cold-start renewals. Business calls have
   * quotas of their own, per API, and are not counted here.
   * @default 2000 (500000 with `stableToken`)
   */
  dailyQuota?: number;
  /**
   * Hosts whose pages may be signed for the JS-SDK (the platform's 接口安全域名): `example.com`,
   * `*.example.com` for its subdomains. Absent: any page.
   */
  jsSafeDomains?: string[];
}
