import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { QingtuiModule, type QingtuiModuleOptions } from 'nestjs-qingtui';
import { CallbackIpService } from './callback-ip.service.js';

/** The small app of one "ours" worker process: the library plus one business service. */
@Module({})
export class OursBenchModule {
  static forRoot(options: QingtuiModuleOptions): DynamicModule {
    return {
      module: OursBenchModule,
      // The app's scheduler, which the library's renewal sweep runs on.
      imports: [ScheduleModule.forRoot(), QingtuiModule.forRoot(options)],
      providers: [CallbackIpService],
    };
  }
}
