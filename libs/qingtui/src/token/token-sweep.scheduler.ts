import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import type { ResolvedQingtuiOptions } from '../core/resolved-options.js';
import { QINGTUI_RESOLVED_OPTIONS } from '../qingtui.constants.js';
import { TicketService } from '../tickets/ticket.service.js';
import { TokenService } from './token.service.js';

/** A sweep is due this much before its period has fully elapsed: ticks are not exactly 1 s apart. */
const TICK_TOLERANCE_MS = 500;

/**
 * The safety-net sweep of `TokenService` and `TicketService` (renews any app whose precise renewal timer was missed,
 * re-reads shared records), declared as a `@Cron` job of `@nestjs/schedule` and therefore run by
 * the application's own `ScheduleModule.forRoot()`: the library starts no scheduler of its own.
 *
 * The job ticks every second: it re-reads a few records of a shared store in turn (the backstop
 * of its notifications, `refresh.reconcilePerSecond` a second whatever the number of apps), and
 * sweeps once per `refresh.sweepIntervalMs` (5 s by default), which a cron expression, fixed
 * when the class is declared, could not follow.
 */
@Injectable()
export class TokenSweepScheduler implements OnModuleDestroy {
  private lastSweepAt = 0;
  private stopped = false;

  constructor(
    private readonly tokens: TokenService,
    @Inject(QINGTUI_RESOLVED_OPTIONS) private readonly options: ResolvedQingtuiOptions,
    @Optional() private readonly tickets?: TicketService,
  ) {}

  /** One tick of the job: sweeps when the configured period has elapsed. */
  @Cron(CronExpression.EVERY_SECOND, { unrefTimeout: true, waitForCompletion: true })
  tick(now: number = Date.now()): void {
    if (this.stopped) return;
    this.tokens.reconcileNext();
    this.tickets?.sweep(true);
    if (now - this.lastSweepAt < this.options.refresh.sweepIntervalMs - TICK_TOLERANCE_MS) return;
    this.lastSweepAt = now;
    this.tokens.sweep();
    this.tickets?.sweep(false);
  }

  onModuleDestroy(): void {
    // The application's scheduler stops its jobs only after the modules are destroyed.
    this.stopped = true;
  }
}
