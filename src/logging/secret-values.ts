import type { ServerConfig } from '../config/server-config.interface.js';

/**
 * The secret values of the server's environment, for the logger's redactor: AppSecrets (of
 * `QINGTUI_APP_SECRET` and of the apps file), client keys of `API_KEYS`, `METRICS_KEY`,
 * `QINGTUI_ENCRYPTION_KEY`, and the Redis password. The raw environment is read (the validated
 * configuration keeps client keys as digests only).
 */
export function secretValuesOf(env: Record<string, unknown>, config: ServerConfig): string[] {
  const text = (name: string) => (typeof env[name] === 'string' ? env[name].trim() : undefined);
  const values: (string | undefined)[] = [
    text('QINGTUI_APP_SECRET'),
    text('METRICS_KEY'),
    text('QINGTUI_ENCRYPTION_KEY'),
    config.store.encryptionKey,
  ];
  for (const entry of (text('API_KEYS') ?? '').split(',')) {
    values.push(entry.split(':')[0].trim());
  }
  if (config.platform.mode === 'platform') {
    for (const app of config.platform.apps) values.push(app.appSecret);
  }
  if (config.store.redisUrl !== undefined) {
    try {
      const url = new URL(config.store.redisUrl);
      values.push(decodeURIComponent(url.password));
    } catch {
      // Validated already; nothing else to learn.
    }
  }
  return values.filter((v): v is string => v !== undefined && v !== '');
}
