/** Injection token of the validated options (`ResolvedQingtuiOptions`). */
export const QINGTUI_RESOLVED_OPTIONS = Symbol('QINGTUI_RESOLVED_OPTIONS');
/** Injection token of the `TokenBackend` (in-memory or Redis). */
export const QINGTUI_TOKEN_BACKEND = Symbol('QINGTUI_TOKEN_BACKEND');
/** Injection token of the `TokenSource` (the platform, or a central control server). */
export const QINGTUI_TOKEN_SOURCE = Symbol('QINGTUI_TOKEN_SOURCE');
/** Injection token of the per-app, per-day `PlatformUsage` counters. */
export const QINGTUI_PLATFORM_USAGE = Symbol('QINGTUI_PLATFORM_USAGE');
/** Injection token of the `AppCatalogue` (the configured apps, by name). */
export const QINGTUI_APP_CATALOGUE = Symbol('QINGTUI_APP_CATALOGUE');
