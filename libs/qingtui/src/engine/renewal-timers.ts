import type { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';
import { flatString } from '../core/flat-string.js';

/** Longest delay `setTimeout` takes. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * One renewal timer per name, registered with `@nestjs/schedule`'s `SchedulerRegistry` (so that
 * an application sees them, and they die with the module), unref'd so that they never keep a
 * process alive.
 */
export class RenewalTimers {
  private readonly prefix = `qingtui:${randomUUID().slice(0, 8)}`;

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `run` at `at` (epoch ms), replacing the timer of the same name. Returns when. */
  set(name: string, at: number, run: () => void): number {
    const full = flatString(this.prefix, ':', name);
    this.delete(full);
    const delay = Math.min(Math.max(0, at - this.now()), MAX_DELAY_MS);
    const handle = setTimeout(() => {
      this.delete(full);
      run();
    }, delay);
    handle.unref();
    this.scheduler.addTimeout(full, handle);
    return this.now() + delay;
  }

  /** Stops every timer set here. */
  clear(): void {
    for (const name of this.scheduler.getTimeouts()) {
      if (name.startsWith(this.prefix)) this.scheduler.deleteTimeout(name);
    }
  }

  private delete(full: string): void {
    if (this.scheduler.doesExist('timeout', full)) this.scheduler.deleteTimeout(full);
  }
}
