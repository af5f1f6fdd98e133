/**
 * Names of the lifecycle events of `QingtuiEvents` (and of `@nestjs/event-emitter`, when the
 * application has it: `@OnEvent(QINGTUI_EVENTS.tokenRenewed)`). Dotted, so that an EventEmitter2
 * with `wildcard: true` can listen to `qingtui.**` or `qingtui.token.*`.
 */
export const QINGTUI_EVENTS = {
  /** A new token was obtained (from the platform, or from the central server in consumer mode). */
  tokenRenewed: 'qingtui.token.renewed',
  /** A renewal failed (every failed attempt; calls are then held back for a while). */
  renewalFailed: 'qingtui.token.renewal-failed',
  /** A caller (or the library's own interceptor) reported the token as rejected. */
  staleTokenReported: 'qingtui.token.stale-reported',
  /** A new JS-SDK ticket was obtained (`kind`: `jsapi`, `wx_card`, `agent_config`). */
  ticketRenewed: 'qingtui.ticket.renewed',
  /** A ticket renewal failed (calls for that ticket are then held back for a while). */
  ticketRenewalFailed: 'qingtui.ticket.renewal-failed',
  /** The platform refused the app's credentials (AppID/AppSecret, or the client key in consumer mode). */
  credentialsRejected: 'qingtui.credentials.rejected',
  /** An app used 80% of its daily quota (once per app and platform day). */
  quotaWarning: 'qingtui.quota.warning',
  /** An app's daily quota is used up, by count or because the platform said so (once per day). */
  quotaExhausted: 'qingtui.quota.exhausted',
  /** The shared store became unreachable: tokens are served from memory, renewed locally. */
  storeDegraded: 'qingtui.store.degraded',
  /** The shared store answers again. */
  storeRecovered: 'qingtui.store.recovered',
  /** One HTTP call to the platform and how it ended (for metrics). */
  platformCall: 'qingtui.platform.call',
} as const;

/** One of the event names of `QINGTUI_EVENTS`. */
export type QingtuiEventName = (typeof QINGTUI_EVENTS)[keyof typeof QINGTUI_EVENTS];
