import { Module } from '@nestjs/common';
import { RelayModule } from '../relay/relay.module.js';
import { PlatformPathsController } from './platform-paths.controller.js';
import { PlatformPathsService } from './platform-paths.service.js';

/** The platforms' own token and ticket paths under `/apps/:app/` (for unmodified SDKs). */
@Module({
  imports: [RelayModule],
  controllers: [PlatformPathsController],
  providers: [PlatformPathsService],
})
export class PlatformPathsModule {}
