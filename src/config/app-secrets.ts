import { inspect } from 'node:util';
import {
  type AppSecretVault,
  type ServerApp,
  type ServerAppEntry,
  secretOf,
} from './server-config.interface.js';

/**
 * The apps' secrets (AppSecrets, WeCom corpsecrets), kept out of the configuration object that
 * `ConfigService` hands to every provider: the validated `ServerConfig` lists the apps without
 * them (`ServerApp`) and holds this vault, whose values live in an ECMAScript private field, so
 * that no `JSON.stringify`, `util.inspect`, `console.log` or `ConfigService.get` of the
 * configuration can show one. Only `AppsFileReloader` (the library's secret readers) and the log
 * redactor read it.
 */
export class ServerAppSecrets implements AppSecretVault {
  readonly #byName = new Map<string, string>();

  static of(entries: readonly ServerAppEntry[]): ServerAppSecrets {
    const vault = new ServerAppSecrets();
    for (const entry of entries) vault.#byName.set(entry.name, secretOf(entry));
    return vault;
  }

  /** The secret of the app named `name`, if configured. */
  get(name: string): string | undefined {
    return this.#byName.get(name);
  }

  /** Every secret, for the log redactor. */
  values(): string[] {
    return [...this.#byName.values()];
  }

  toJSON(): string {
    return '[app secrets]';
  }

  [inspect.custom](): string {
    return `ServerAppSecrets(${this.#byName.size} apps)`;
  }
}

/** An app as the configuration lists it: without its secret. */
export function publicApp(entry: ServerAppEntry): ServerApp {
  if (entry.platform === 'wecom') {
    const { secret: _secret, ...app } = entry;
    return app;
  }
  const { appSecret: _appSecret, ...app } = entry;
  return app;
}

/** The entry of `app` with its secret again (to compare a reloaded apps file with it). */
export function withSecret(app: ServerApp, secret: string): ServerAppEntry {
  return app.platform === 'wecom' ? { ...app, secret } : { ...app, appSecret: secret };
}
