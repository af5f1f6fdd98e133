import type { QingtuiDailyQuota, QingtuiSecret } from '../../core/app-config.js';

/** One Qingtui app (轻应用 or 订阅号) whose token the module manages. */
export interface QingtuiAppConfig {
  /** Name used to address the app in code and URLs (`getToken('crm')`). Unique. */
  name: string;
  /** The platform; Qingtui when omitted. */
  platform?: 'qingtui';
  /** The app's AppID, from the Qingtui admin console. Unique among the Qingtui apps. */
  appId: string;
  /**
   * The app's AppSecret, or a function returning it (read at every credential fetch). Never
   * logged, never put in an error, a store key or a status.
   */
  appSecret: QingtuiSecret;
  /**
   * Daily call quota (platform day: Beijing time): every Qingtui call counts (token, refresh,
   * business calls through the module). Counted across instances through the store; a warning
   * at 80%; the last 10% kept for scheduled and cold-start renewals.
   * @default unlimited (calls are still counted)
   */
  dailyQuota?: QingtuiDailyQuota;
  /**
   * Hosts whose pages may be signed for the JS-SDK (the platform's 接口安全域名): `example.com`,
   * `*.example.com` for its subdomains. Absent: any page.
   */
  jsSafeDomains?: string[];
}
