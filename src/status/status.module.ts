import { Module } from '@nestjs/common';
import { RelayModule } from '../relay/relay.module.js';
import { StatusAccessGuard } from './status-access.guard.js';
import { StatusController } from './status.controller.js';
import { StatusReport } from './status-report.service.js';

/** The status page for people, served by the server itself. */
@Module({
  imports: [RelayModule],
  controllers: [StatusController],
  providers: [StatusReport, StatusAccessGuard],
})
export class StatusModule {}
