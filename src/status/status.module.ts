import { Module } from '@nestjs/common';
import { StatusAccessGuard } from './status-access.guard.js';
import { StatusController } from './status.controller.js';
import { StatusReport } from './status-report.service.js';

/** The status page for people, served by the server itself. */
@Module({
  controllers: [StatusController],
  providers: [StatusReport, StatusAccessGuard],
})
export class StatusModule {}
