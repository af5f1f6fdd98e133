export { QingtuiSandbox } from './sandbox.js';
export {
  DEFAULT_DAILY_QUOTA,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_INTERVAL_MS,
  DEFAULT_TOKEN_LENGTH,
  DEFAULT_TOKEN_TTL_SECONDS,
  DEFAULT_WECHAT_RULES,
  DEFAULT_WECOM_RULES,
  type Edition,
  SANDBOX_DEMO_APP,
  SANDBOX_DEMO_WECHAT_APP,
  SANDBOX_DEMO_WECOM_APP,
  type SandboxApp,
  type SandboxOptions,
  type SandboxPlatform,
  type WechatRules,
  type WechatSandboxApp,
  type WecomRules,
  type WecomSandboxApp,
  wecomAppKey,
} from './sandbox.options.js';
export type { SandboxFault, SandboxFaultKind } from './shared/faults.js';
export type {
  AppCounters,
  GrantKind,
  SandboxCounters,
  TicketKindCounters,
} from './shared/counters.js';
export type { TicketKind, TicketRepeat, TicketStatus } from './shared/ticket-book.js';
export { DEFAULT_TICKET_REPEAT, DEFAULT_TICKET_TTL_SECONDS } from './shared/ticket-options.js';
export {
  type JsapiSignatureCheck,
  type JsapiSignatureClaim,
  type JsapiSignatureInput,
  jsapiSignature,
} from './shared/jsapi-signature.js';
export type { PlatformError } from './shared/platform-error.js';
export type { Delivery, DeliveryTarget, MessageType } from './platforms/qingtui/delivery-log.js';
export { PLATFORM_ERRORS, PLATFORM_OK } from './platforms/qingtui/qingtui-errors.js';
export { WECHAT_ERRORS } from './platforms/wechat-mp/wechat-mp-errors.js';
export { WECHAT_PATHS } from './platforms/wechat-mp/wechat-mp-emulator.js';
export { WECOM_ERRORS, WECOM_OK } from './platforms/wecom/wecom-errors.js';
export { WECOM_PATHS } from './platforms/wecom/wecom-emulator.js';
export type { PushControl } from './push-control.js';
export type {
  PushApi,
  PushDelivery,
  PushDrop,
  PushDropReason,
  PushPlatform,
  PushQuery,
} from './shared/push-log.js';
export type { WecomDirectory } from './platforms/wecom/wecom-directory.js';
