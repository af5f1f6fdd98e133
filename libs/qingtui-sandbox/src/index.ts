export { QingtuiSandbox } from './sandbox.js';
export {
  DEFAULT_DAILY_QUOTA,
  DEFAULT_REFRESH_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_INTERVAL_MS,
  DEFAULT_TOKEN_LENGTH,
  DEFAULT_TOKEN_TTL_SECONDS,
  type Edition,
  SANDBOX_DEMO_APP,
  type SandboxApp,
  type SandboxOptions,
} from './sandbox.options.js';
export type { SandboxFault, SandboxFaultKind } from './faults.js';
export type { AppCounters, SandboxCounters } from './counters.js';
export type { Delivery, DeliveryTarget, MessageType } from './delivery-log.js';
export { PLATFORM_ERRORS, PLATFORM_OK, type PlatformError } from './platform-errors.js';
