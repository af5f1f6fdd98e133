import { performance } from 'node:perf_hooks';

/** How often the loop's punctuality is sampled. */
const TICK_MS = 100;
/** Lateness below this is a timer's ordinary imprecision, not a stall. */
const TOLERANCE_MS = 2;

/**
 * How long this process's own event loop has been unable to run callbacks (a long synchronous
 * task, a burst of work, a GC pause, the machine's CPU taken by others): the lateness of a timer
 * that should tick every 100 ms, added up. Command deadlines subtract it, so that a reply that
 * sat unread in a socket while the process was busy does not count as a dead Redis.
 *
 * One clock per process, ticking (unref'd) while at least one user holds it.
 */
export class LoopStallClock {
  private stalledMs = 0;
  private last = performance.now();
  private timer?: NodeJS.Timeout;
  private users = 0;

  /** Starts the clock for one more user. */
  acquire(): void {
    this.users += 1;
    if (this.timer !== undefined) return;
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  /** One user less; the clock stops with the last one. */
  release(): void {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0 || this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Milliseconds the loop has been stalled since the clock started, including the stall going on
   * right now (the lateness of the pending tick). Only differences of two readings mean anything.
   */
  stalled(): number {
    return this.stalledMs + this.lateness(performance.now());
  }

  private tick(): void {
    const now = performance.now();
    this.stalledMs += this.lateness(now);
    this.last = now;
  }

  private lateness(now: number): number {
    if (this.timer === undefined) return 0;
    return Math.max(0, now - this.last - TICK_MS - TOLERANCE_MS);
  }
}

/** The process's clock, shared by every Redis connection. */
export const loopStall = new LoopStallClock();

/**
 * Resolves or rejects as `command` does, or rejects with `no answer within <timeoutMs> ms` once
 * `timeoutMs` of time the process could have read an answer in has passed: the time the event
 * loop was stalled (see `LoopStallClock`) does not count. When the deadline's timer fires, the
 * decision waits for the I/O already received to be read (`setImmediate` runs after the poll
 * phase): after a stall, timers run before sockets are read, so an answer that arrived meanwhile
 * would otherwise lose the race it won.
 */
export function withDeadline<T>(
  command: Promise<T>,
  timeoutMs: number,
  clock: LoopStallClock = loopStall,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const startedAt = performance.now();
    const stalledAtStart = clock.stalled();
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const check = () => {
      setImmediate(() => {
        if (settled) return;
        const waited = performance.now() - startedAt - (clock.stalled() - stalledAtStart);
        if (waited >= timeoutMs) {
          settled = true;
          reject(new Error(`no answer within ${timeoutMs} ms`));
        } else {
          timer = setTimeout(check, Math.max(1, timeoutMs - waited));
        }
      });
    };
    timer = setTimeout(check, timeoutMs);
    command.then(
      (value) => {
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        settled = true;
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
