import type { ResolvedApp } from '../core/resolved-options.js';
import { QingtuiError } from '../errors/qingtui.error.js';
import { messages } from '../qingtui.messages.js';

/**
 * The configured apps, by name, with the default one: the single answer to "which apps are
 * there, and what is this one", shared by the token service, the interceptor, the clients and
 * the events. Public facts only (no secret is ever part of a `ResolvedApp`).
 */
export class AppCatalogue {
  private readonly byName: ReadonlyMap<string, ResolvedApp>;

  constructor(
    apps: readonly ResolvedApp[],
    private readonly defaultName: string,
  ) {
    this.byName = new Map(apps.map((app) => [app.name, app]));
  }

  /** Names of the configured apps; the first is the default. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Every configured app, in configuration order. */
  apps(): ResolvedApp[] {
    return [...this.byName.values()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The app named `name` (the default app when omitted), or undefined. */
  find(name?: string): ResolvedApp | undefined {
    return this.byName.get(name ?? this.defaultName);
  }

  /** The app named `name` (the default app when omitted). @throws QingtuiError naming the known apps */
  get(name?: string): ResolvedApp {
    const app = this.find(name);
    if (app === undefined) throw this.unknown(name);
    return app;
  }

  /** The error for a name that is not configured. */
  unknown(name: string | undefined): QingtuiError {
    return new QingtuiError(messages.unknownApp(name, this.names()));
  }
}
