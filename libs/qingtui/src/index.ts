/*
 * The public surface of nestjs-qingtui: what an application author uses. Everything else
 * (validators, answer readers, token sources and backends, internal injection tokens) is
 * internal and may change in any release.
 */

// The module and its options
export { QingtuiModule } from './qingtui.module.js';
export type { QingtuiModuleExtras } from './qingtui.module-definition.js';
export type {
  QingtuiAnyAppConfig,
  QingtuiCentralServerOptions,
  QingtuiDailyQuota,
  QingtuiModuleOptions,
  QingtuiRedisNode,
  QingtuiRedisOptions,
  QingtuiRefreshOptions,
  QingtuiRetryOptions,
  QingtuiSecret,
} from './interfaces/qingtui-module-options.interface.js';
export type { QingtuiOptionsFactory } from './interfaces/qingtui-options-factory.interface.js';
export { encryptionKeyProblem, QINGTUI_OPTION_RULES } from './config/option-rules.js';

// The platforms: their app shapes, names, rules and production hosts
export type { QingtuiPlatformName } from './platforms/platforms.registry.js';
export type { QingtuiAppConfig } from './platforms/qingtui/qingtui-app-config.interface.js';
export type { WechatMpAppConfig } from './platforms/wechat-mp/wechat-mp-app-config.interface.js';
export type { WechatMpRules } from './platforms/wechat-mp/wechat-mp.platform.js';
export type { WecomAppConfig } from './platforms/wecom/wecom-app-config.interface.js';
export { QINGTUI_DEFAULT_BASE_URL } from './platforms/qingtui/qingtui-platform.constants.js';
export { WECHAT_MP_DEFAULT_BASE_URL } from './platforms/wechat-mp/wechat-mp.constants.js';
export { WECOM_DEFAULT_BASE_URL } from './platforms/wecom/wecom.constants.js';
export { isTokenRejection } from './platforms/token-rejection.js';

// JS-SDK tickets
export {
  TicketService,
  type AgentConfigSignature,
  type AppTicketStatus,
  type JsapiConfigSignature,
  type TicketInfo,
} from './tickets/ticket.service.js';
export { jsapiSignature } from './tickets/jsapi-signature.js';

// Tokens
export {
  TokenService,
  type AppTokenStatus,
  type BusinessCallDone,
  type ForceRefreshOptions,
  type HoldReason,
  type PlatformEndpoint,
  type StaleReportOptions,
  type TokenInfo,
} from './token/token.service.js';
export type {
  PlatformCallKind,
  PlatformUsageSnapshot,
  QuotaState,
} from './quotas/platform-usage.js';
export type { BackendState } from './core/store.js';
export type { SharedValueStore } from './core/shared-values.js';
export {
  fingerprintOf,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  IDEMPOTENCY_TTL_MS,
  IDEMPOTENCY_WAIT_MS,
  idempotencyKeyProblem,
  IdempotencyLedger,
  type IdempotentResult,
  type IdempotentSend,
  type SendFailure,
} from './idempotency/idempotency-ledger.js';
export {
  type IdempotencyErrorCode,
  QingtuiIdempotencyError,
} from './idempotency/idempotency.error.js';
export {
  isMemberRefusal,
  MemberMessageLimits,
  type MemberRefusal,
  type MemberReservation,
} from './quotas/member-message-limits.js';

// Lifecycle events and Prometheus metrics
export { QingtuiEvents } from './events/qingtui-events.service.js';
export type {
  QingtuiAnyEventListener,
  QingtuiEventListener,
} from './events/qingtui-events.service.js';
export { QINGTUI_EVENTS, type QingtuiEventName } from './events/qingtui-event-names.js';
export type {
  QingtuiCredentialsRejectedEvent,
  QingtuiEventBase,
  QingtuiEventError,
  QingtuiEventMap,
  QingtuiPlatformCallEvent,
  QingtuiPlatformEndpointKind,
  QingtuiQuotaEvent,
  QingtuiRenewalFailedEvent,
  QingtuiStaleTokenReportedEvent,
  QingtuiStoreEvent,
  QingtuiTokenRenewedEvent,
} from './events/qingtui-events.interface.js';
export { QINGTUI_METRICS } from './metrics/qingtui-metric-names.js';
export type {
  QingtuiMetricsOptions,
  QingtuiMetricsRegistry,
} from './metrics/qingtui-metrics-options.interface.js';
export type { RenewalReason } from './core/credential-source.js';
export type { TokenOrigin } from './core/credential-record.js';

// Clients, decorators and raw calls
export { QingtuiClient } from './clients/qingtui.client.js';
export { QingtuiClients, type QingtuiAnyClient } from './clients/qingtui-clients.service.js';
export { WeComClient } from './clients/wecom/wecom.client.js';
export { WeChatClient } from './clients/wechat/wechat.client.js';
export { InjectQingtuiClient, getQingtuiClientToken } from './clients/qingtui-client.tokens.js';
export { InjectQingtuiHttp, QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
export type { QingtuiRequestOptions } from './http/qingtui-request.js';

// Messages: types, the platform's documented limits, the check the client runs before sending,
// and the reader of a message in wire naming (for an HTTP front)
export * from './interfaces/messages.interface.js';
export {
  QINGTUI_COLORS,
  QINGTUI_MEDIA_SIZE_LIMITS,
  QINGTUI_MESSAGE_LIMITS,
} from './clients/qingtui-api.limits.js';
export {
  QINGTUI_MESSAGE_SEND_TARGETS,
  QINGTUI_MESSAGE_TYPES,
} from './clients/qingtui-api.paths.js';
export { validateMessage } from './clients/validate-message.js';
export { fromWireMessage } from './clients/message-wire.js';

// WeCom application messages: types, limits, the checks run before sending, the reader of the
// platform's own message/send JSON (for an HTTP front)
export * from './clients/wecom/wecom-message.interface.js';
export { WECOM_MESSAGE_LIMITS, WECOM_MESSAGE_PATHS } from './clients/wecom/wecom-api.limits.js';
export { validateWeComSend } from './clients/wecom/wecom-validate.js';
export { fromWeComWire } from './clients/wecom/wecom-wire.js';

// WeChat Official Account message sends: types, limits, errcodes, checks, the wire reader
export * from './clients/wechat/wechat-message.interface.js';
export {
  WECHAT_MESSAGE_ERRCODES,
  WECHAT_MESSAGE_LIMITS,
  WECHAT_MESSAGE_PATHS,
} from './clients/wechat/wechat-api.limits.js';
export {
  validateWeChatCustom,
  validateWeChatMass,
  validateWeChatSubscribe,
  validateWeChatTemplate,
} from './clients/wechat/wechat-validate.js';
export { fromWeChatWire } from './clients/wechat/wechat-wire.js';

// Errors
export * from './errors/index.js';
export { QINGTUI_ERRCODES } from './platforms/qingtui/qingtui-platform.constants.js';
export { WECHAT_MP_ERRCODES } from './platforms/wechat-mp/wechat-mp.constants.js';
export { WECOM_ERRCODES } from './platforms/wecom/wecom.constants.js';
