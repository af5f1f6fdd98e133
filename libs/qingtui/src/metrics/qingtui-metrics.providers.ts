import type { Provider } from '@nestjs/common';
import type { Registry } from 'prom-client';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { EventEmitterBridge } from '../events/event-emitter.bridge.js';
import { eventPlatformOf } from '../events/event-platform.js';
import { QingtuiEvents } from '../events/qingtui-events.service.js';
import { StoreEventsBridge } from '../events/store-events.bridge.js';
import type { QingtuiModuleOptions } from '../interfaces/qingtui-module-options.interface.js';
import { QINGTUI_RESOLVED_OPTIONS } from '../qingtui.constants.js';
import { QINGTUI_MODULE_OPTIONS } from '../qingtui.module-definition.js';
import { TicketService } from '../tickets/ticket.service.js';
import { TokenService } from '../token/token.service.js';
import { loadPromClient } from './load-prom-client.js';
import { QingtuiMetrics } from './qingtui-metrics.service.js';

/**
 * The events (`QingtuiEvents`, its bridges to `@nestjs/event-emitter` and from the store) and,
 * with the `metrics` option, the Prometheus metrics that follow them.
 */
export const qingtuiObservabilityProviders: Provider[] = [
  {
    provide: QingtuiEvents,
    inject: [QINGTUI_RESOLVED_OPTIONS],
    useFactory: (options: ResolvedQingtuiOptions) =>
      new QingtuiEvents((app) => eventPlatformOf(options, app)),
  },
  EventEmitterBridge,
  StoreEventsBridge,
  {
    provide: QingtuiMetrics,
    inject: [QINGTUI_MODULE_OPTIONS, QingtuiEvents, TokenService, TicketService],
    useFactory: async (
      raw: QingtuiModuleOptions,
      events: QingtuiEvents,
      tokens: TokenService,
      tickets: TicketService,
    ) => {
      if (raw.metrics === undefined) return null;
      const prom = await loadPromClient();
      const registry = (raw.metrics.registry as Registry | undefined) ?? prom.register;
      return new QingtuiMetrics(prom, registry, events, tokens, tickets, raw.metrics.perAppLimit);
    },
  },
];
