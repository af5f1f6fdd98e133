import { Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpMetrics } from './http-metrics.middleware.js';
import { MetricsController } from './metrics.controller.js';

/**
 * `GET /metrics`: one prom-client `Registry` per application (not prom-client's global one, so
 * that several servers in one process, as in the tests, never mix), holding the process metrics,
 * the HTTP metrics and the library's `qingtui_*` metrics (handed to `QingtuiModule` as
 * `metrics.registry`).
 */
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: Registry,
      useFactory: () => {
        const registry = new Registry();
        collectDefaultMetrics({ register: registry });
        return registry;
      },
    },
    { provide: HttpMetrics, inject: [Registry], useFactory: (r: Registry) => new HttpMetrics(r) },
  ],
  exports: [Registry, HttpMetrics],
})
export class MetricsModule {}
