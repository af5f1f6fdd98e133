export * from './qingtui.module.js';
export { QINGTUI_MODULE_OPTIONS } from './qingtui.module-definition.js';
export * from './interfaces/qingtui-module-options.interface.js';
export * from './errors/index.js';
export {
  TokenService,
  type TokenInfo,
  type AppTokenStatus,
  type HoldReason,
  type StaleReportOptions,
} from './token/token.service.js';
export type { PlatformUsageSnapshot, QuotaState } from './token/platform-usage.js';
export type { BackendState } from './store/token-backend.interface.js';
export {
  QINGTUI_DEFAULT_BASE_URL,
  QINGTUI_ERRCODES,
  QINGTUI_TOKEN_INVALID_ERRCODES,
} from './platform/qingtui-platform.constants.js';
export * from './interfaces/messages.interface.js';
export { QingtuiClient } from './clients/qingtui.client.js';
export { QingtuiClients } from './clients/qingtui-clients.service.js';
export { validateMessage, validateTarget, validateUpload } from './clients/validate-message.js';
export { parseQingtuiSendRequest } from './clients/parse-send-request.js';
export { readSendResult } from './clients/qingtui-answers.js';
export {
  QINGTUI_COLORS,
  QINGTUI_MEDIA_SIZE_LIMITS,
  QINGTUI_MESSAGE_LIMITS,
} from './clients/qingtui-api.limits.js';
export {
  QINGTUI_MESSAGE_SEND_TARGETS,
  QINGTUI_MESSAGE_TYPES,
  QINGTUI_NEWS_API_VERSION,
} from './clients/qingtui-api.paths.js';
export { InjectQingtuiClient, getQingtuiClientToken } from './clients/qingtui-client.tokens.js';
export { InjectQingtuiHttp, QINGTUI_HTTP } from './http/inject-qingtui-http.decorator.js';
export type { QingtuiRequestOptions } from './http/qingtui-request.js';
