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
export { QingtuiClients } from './clients/qingtui-clients.service.js';
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

// Errors
export * from './errors/index.js';
export { QINGTUI_ERRCODES } from './platforms/qingtui/qingtui-platform.constants.js';
export { WECHAT_MP_ERRCODES } from './platforms/wechat-mp/wechat-mp.constants.js';
export { WECOM_ERRCODES } from './platforms/wecom/wecom.constants.js';
