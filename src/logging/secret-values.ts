import type { ServerConfig } from '../config/server-config.interface.js';

/**
 * The secret values of the raw environment, for the logger's redactor: `QINGTUI_APP_SECRET`, the
 * client keys of `API_KEYS`, `METRICS_KEY`, `QINGTUI_ENCRYPTION_KEY` and the password of
 * `REDIS_URL`, `REDIS_PASSWORD` and `REDIS_SENTINEL_PASSWORD`. Never throws (it also serves before the environment is validated).
 */
export function environmentSecrets(env: Record<string, unknown>): string[] {
  const text = (name: string) => (typeof env[name] === 'string' ? env[name].trim() : undefined);
  const values: (string | undefined)[] = [
    text('QINGTUI_APP_SECRET'),
    text('METRICS_KEY'),
    text('QINGTUI_ENCRYPTION_KEY'),
    text('REDIS_PASSWORD'),
    text('REDIS_SENTINEL_PASSWORD'),
  ];
  for (const entry of (text('API_KEYS') ?? '').split(',')) values.push(entry.split(':')[0].trim());
  const redisUrl = text('REDIS_URL');
  if (redisUrl !== undefined) {
    try {
      values.push(decodeURIComponent(new URL(redisUrl).password));
    } catch {
      // A malformed URL is reported by the validation, without its password.
    }
  }
  return values.filter((v): v is string => v !== undefined && v !== '');
}

/** The secrets of the environment and of the validated configuration (the apps file's AppSecrets). */
export function secretValuesOf(env: Record<string, unknown>, config: ServerConfig): string[] {
  const values = environmentSecrets(env);
  if (config.platform.mode === 'platform') {
    values.push(...config.platform.secrets.values());
  }
  return values;
}
