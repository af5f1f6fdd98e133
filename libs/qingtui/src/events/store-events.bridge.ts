import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { QINGTUI_RESOLVED_OPTIONS, QINGTUI_TOKEN_BACKEND } from '../qingtui.constants.js';
import { redactCredentials } from '../store/redact-credentials.js';
import type { BackendState, TokenBackend } from '../core/store.js';
import { QINGTUI_EVENTS } from './qingtui-event-names.js';
import { QingtuiEvents } from './qingtui-events.service.js';

/**
 * Turns the shared store's changes of health into `qingtui.store.degraded` and
 * `qingtui.store.recovered` events, one per app the store serves. A store that was already
 * unreachable at start-up (`redisOptional`) is reported once the application has started, so
 * that listeners registered during the start-up hear of it.
 */
@Injectable()
export class StoreEventsBridge implements OnApplicationBootstrap {
  /** Since when the store is degraded, as far as events told. */
  private downSince?: number;

  constructor(
    @Inject(QINGTUI_TOKEN_BACKEND) private readonly backend: TokenBackend,
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    private readonly events: QingtuiEvents,
  ) {
    backend.onStateChange?.((state, reason) => this.changed(state, reason));
  }

  onApplicationBootstrap(): void {
    if (this.backend.kind === 'redis' && this.backend.state() === 'degraded') {
      this.changed('degraded', 'unreachable at start-up');
    }
  }

  private changed(state: BackendState, reason?: string): void {
    if (this.backend.kind !== 'redis') return;
    if (state === 'degraded') {
      if (this.downSince !== undefined) return;
      this.downSince = Date.now();
      for (const app of this.options.apps) {
        this.events.emit(QINGTUI_EVENTS.storeDegraded, {
          app: app.name,
          store: 'redis',
          reason: redactCredentials(reason ?? 'unreachable'),
        });
      }
      return;
    }
    if (this.downSince === undefined) return;
    const downForMs = Date.now() - this.downSince;
    this.downSince = undefined;
    for (const app of this.options.apps) {
      this.events.emit(QINGTUI_EVENTS.storeRecovered, { app: app.name, store: 'redis', downForMs });
    }
  }
}
