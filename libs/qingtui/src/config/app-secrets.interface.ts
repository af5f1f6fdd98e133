import type { ResolvedQingtuiOptions, SecretReader } from '../core/resolved-options.js';

/**
 * What only the token fetchers may hold: each app's secret reader and the refresh_token
 * encryption key. Provided behind a private injection token, never exported by the module.
 */
export interface AppSecrets {
  /** The secret reader of each central-mode app, by app name (none in consumer mode). */
  readers: ReadonlyMap<string, SecretReader>;
  /** The refresh_token encryption key, when configured. */
  encryptionKey?: string;
}

/** The module options validated once: what the library shares, and the secrets apart. */
export interface QingtuiSetup {
  options: ResolvedQingtuiOptions;
  secrets: AppSecrets;
}
