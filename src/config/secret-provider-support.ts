/**
 * Whether the linked `nestjs-qingtui` accepts an AppSecret given as a function, read at every
 * credential fetch (`QingtuiSecret`). The server then passes a provider backed by the reloaded
 * apps file, so that a replaced AppSecret is used without a restart. Library versions that only
 * take strings get the AppSecret read at start-up, and a replaced one is logged as needing a
 * restart.
 *
 * Turn on together with the library's secret providers (issue 7, point 3); the test
 * "a replaced AppSecret takes effect without a restart" runs only when this is on.
 */
export const LIBRARY_READS_SECRET_PROVIDERS = false as boolean;
