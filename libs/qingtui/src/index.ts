export * from './qingtui.module.js';
export { QINGTUI_MODULE_OPTIONS } from './qingtui.module-definition.js';
export * from './interfaces/qingtui-module-options.interface.js';
export * from './errors/index.js';
export { TokenService, type TokenInfo, type AppTokenStatus } from './token/token.service.js';
export type { PlatformUsageSnapshot } from './token/platform-usage.js';
export type { BackendState } from './store/token-backend.interface.js';
export {
  QINGTUI_DEFAULT_BASE_URL,
  QINGTUI_ERRCODES,
  QINGTUI_TOKEN_INVALID_ERRCODES,
} from './platform/qingtui-platform.constants.js';
