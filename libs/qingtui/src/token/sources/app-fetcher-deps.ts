import type { AxiosInstance } from 'axios';
import type { ResolvedApp } from '../../core/resolved-options.js';
import type { TokenBackend } from '../../core/store.js';
import { appKey } from '../../core/store-keys.js';
import type { QingtuiApiError } from '../../errors/qingtui-api.error.js';
import type { QingtuiEvents } from '../../events/qingtui-events.service.js';
import type { TokenFetcherDeps } from '../../platforms/platform.interface.js';
import { messages } from '../../qingtui.messages.js';
import { CallWindows } from '../../quotas/call-window.js';
import type { PlatformCallCounter } from '../../core/platform-calls.js';

/** What every app's fetcher shares: one object for all of them. */
export interface SharedFetcherDeps {
  http: AxiosInstance;
  timeoutMs: number;
  usage: PlatformCallCounter;
  backend: TokenBackend;
  keyPrefix: string;
  encryptionKey?: string;
  events?: QingtuiEvents;
  warn(message: string): void;
}

/**
 * The dependencies of one app's token fetcher: the shared ones, plus the app's own token-call
 * gate and call windows. A class rather than an object of closures: at ten thousand apps, four
 * closures, their context and a copied object per app were a few hundred bytes each (measured
 * with heap snapshots), where this is one small object; the call windows are shared by every app
 * of a key namespace (their keys carry the scope id).
 */
export class AppFetcherDeps implements TokenFetcherDeps {
  readonly now = Date.now;
  private readonly gate: string;

  constructor(
    private readonly shared: SharedFetcherDeps,
    private readonly app: ResolvedApp,
    private readonly windows: CallWindows,
  ) {
    this.gate = appKey(shared.keyPrefix, app, 'token-call');
  }

  /** One `CallWindows` per key namespace, for `AppFetcherDeps` of that namespace. */
  static windowsByNamespace(shared: SharedFetcherDeps): (namespace: string) => CallWindows {
    const windows = new Map<string, CallWindows>();
    return (namespace) => {
      let found = windows.get(namespace);
      if (found === undefined) {
        found = new CallWindows(shared.backend, shared.keyPrefix, namespace);
        windows.set(namespace, found);
      }
      return found;
    };
  }

  get http(): AxiosInstance {
    return this.shared.http;
  }

  get timeoutMs(): number {
    return this.shared.timeoutMs;
  }

  get usage(): PlatformCallCounter {
    return this.shared.usage;
  }

  get encryptionKey(): string | undefined {
    return this.shared.encryptionKey;
  }

  get events(): QingtuiEvents | undefined {
    return this.shared.events;
  }

  reserveTokenCall(intervalMs: number): Promise<number> {
    return this.shared.backend.reserveCall(this.gate, intervalMs);
  }

  takeFromWindow(scopeId: string, what: string, limit: number, windowMs: number): Promise<number> {
    return this.windows.take(scopeId, what, limit, windowMs);
  }

  giveBackToWindow(scopeId: string, what: string, windowMs: number): Promise<void> {
    return this.windows.giveBack(scopeId, what, windowMs);
  }

  onRefreshTokenRejected(error: QingtuiApiError): void {
    this.shared.warn(messages.refreshTokenRejected(this.app.name, error.errcode));
  }
}
