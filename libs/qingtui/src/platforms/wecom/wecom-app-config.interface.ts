import type { QingtuiSecret } from '../../core/app-config.js';

/**
 * One WeCom app (企业微信 自建应用, or a basic app with API access) whose token the module manages.
 * Each app of a company has its own secret and its own token: two agents of one corpId never
 * share a token, a lock or a rate gate.
 */
export interface WecomAppConfig {
  /** Name used to address the app in code and URLs (`getToken('oa')`). Unique. */
  name: string;
  platform: 'wecom';
  /** The company's corpid (我的企业 → 企业信息). */
  corpId: string;
  /** The app's agentid (a number, or a string of digits). With the corpId, the app's identity. */
  agentId: number | string;
  /**
   * The app's secret (corpsecret), or a function returning it (read at every credential fetch).
   * Never logged, never put in an error, a store key or a status.
   */
  secret: QingtuiSecret;
  /**
   * Hosts whose pages may be signed for the JS-SDK (the platform's 接口安全域名): `example.com`,
   * `*.example.com` for its subdomains. Absent: any page.
   */
  jsSafeDomains?: string[];
}
