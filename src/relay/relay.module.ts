import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { MetricsModule } from '../metrics/metrics.module.js';
import { RelayAuth } from './relay-auth.js';
import { RelayController } from './relay.controller.js';
import { RelayMetrics } from './relay.metrics.js';
import { RelayService } from './relay.service.js';

/** The relay of business calls (`/apps/:app/cgi-bin/…`, `/v1/…`, `/v2/…`, `/team/…`). */
@Module({
  imports: [MetricsModule],
  controllers: [RelayController],
  providers: [
    RelayAuth,
    RelayService,
    { provide: RelayMetrics, inject: [Registry], useFactory: (r: Registry) => new RelayMetrics(r) },
  ],
  exports: [RelayMetrics, RelayAuth],
})
export class RelayModule {}
