import type { SchedulerRegistry } from '@nestjs/schedule';
import { randomUUID } from 'node:crypto';

/** Longest delay `setTimeout` takes. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * At most this many renewals are started in one turn of the event loop: the rest follow on the
 * next turn (ten thousand apps due at once never hold the loop for one long stretch).
 */
const FIRE_BATCH = 500;

/** Where an entry's renewal is due, written only by its `RenewalTimers`. */
export interface TimerEntry {
  /** Epoch ms of its next renewal (kept after it fired: status pages show it). */
  nextRenewalAt?: number;
  /** Its place in the queue; -1 when nothing is scheduled. */
  timerIndex: number;
}

/**
 * The renewal schedule of one credential kind: every entry's next renewal in a priority queue
 * (a binary min-heap indexed through `timerIndex`, so that rescheduling an app moves its entry
 * in O(log n) and costs no allocation), and one timer for the earliest of them, registered with
 * `@nestjs/schedule`'s `SchedulerRegistry` (so that an application sees it, and it dies with the
 * module) and unref'd (it never keeps a process alive).
 *
 * One timer rather than one per app: a Node.js timer, its list and its callback cost about
 * 0.4 KB of heap each, which ten thousand apps pay for nothing (they are due at different
 * instants anyway). Neither `@nestjs/schedule` nor Node.js offers a timer wheel; this is one.
 */
export class RenewalTimers<T extends TimerEntry> {
  /** The name of the timer in the `SchedulerRegistry`. */
  readonly name: string;
  private readonly heap: T[] = [];
  private handle?: NodeJS.Timeout;
  /** When the armed timer fires (epoch ms). */
  private armedAt = Infinity;
  private stopped = false;

  constructor(
    private readonly scheduler: SchedulerRegistry,
    kind: string,
    private readonly due: (entry: T) => void,
    private readonly now: () => number = Date.now,
  ) {
    const id = randomUUID().slice(0, 8);
    this.name = kind === 'token' ? `qingtui:${id}:renew` : `qingtui:${id}:renew:${kind}`;
  }

  /** Number of entries scheduled. */
  get size(): number {
    return this.heap.length;
  }

  /** Schedules `entry` at `at` (epoch ms), replacing its previous time. Returns when. */
  set(entry: T, at: number): number {
    const now = this.now();
    const when = now + Math.min(Math.max(0, at - now), MAX_DELAY_MS);
    if (this.stopped) return when;
    const previous = entry.nextRenewalAt;
    entry.nextRenewalAt = when;
    if (entry.timerIndex < 0) {
      entry.timerIndex = this.heap.length;
      this.heap.push(entry);
      this.up(entry.timerIndex);
    } else if (previous === undefined || when < previous) {
      this.up(entry.timerIndex);
    } else {
      this.down(entry.timerIndex);
    }
    this.arm();
    return when;
  }

  /** Unschedules `entry` (nothing when it was not scheduled). */
  delete(entry: T): void {
    const i = entry.timerIndex;
    if (i < 0) return;
    const last = this.heap.pop() as T;
    entry.timerIndex = -1;
    if (last !== entry) {
      this.heap[i] = last;
      last.timerIndex = i;
      this.up(i);
      this.down(last.timerIndex);
    }
    // The armed timer may now fire early: it finds nothing due and re-arms.
    if (this.heap.length === 0) this.disarm();
  }

  /** Stops the timer and forgets every entry; nothing is scheduled from now on. */
  clear(): void {
    this.stopped = true;
    this.disarm();
    for (const entry of this.heap) entry.timerIndex = -1;
    this.heap.length = 0;
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    this.armedAt = Infinity;
    this.unregister();
    try {
      const now = this.now();
      for (let n = 0; n < FIRE_BATCH && !this.stopped; n++) {
        const first = this.heap[0];
        if (first === undefined || (first.nextRenewalAt as number) > now) break;
        this.delete(first);
        this.due(first);
      }
    } finally {
      this.arm();
    }
  };

  /** Makes the timer fire no later than the earliest entry is due. */
  private arm(): void {
    const first = this.heap[0];
    if (first === undefined || this.stopped) return;
    const at = first.nextRenewalAt as number;
    if (this.handle !== undefined && this.armedAt <= at) return;
    this.disarm();
    const delay = Math.min(Math.max(0, at - this.now()), MAX_DELAY_MS);
    this.handle = setTimeout(this.fire, delay);
    this.handle.unref();
    this.armedAt = this.now() + delay;
    this.scheduler.addTimeout(this.name, this.handle);
  }

  private disarm(): void {
    if (this.handle === undefined) return;
    clearTimeout(this.handle);
    this.handle = undefined;
    this.armedAt = Infinity;
    this.unregister();
  }

  private unregister(): void {
    if (this.scheduler.doesExist('timeout', this.name)) this.scheduler.deleteTimeout(this.name);
  }

  private at(i: number): number {
    return this.heap[i].nextRenewalAt as number;
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    this.heap[i] = b;
    this.heap[j] = a;
    a.timerIndex = j;
    b.timerIndex = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at(parent) <= this.at(i)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && this.at(right) < this.at(left) ? right : left;
      if (this.at(i) <= this.at(child)) return;
      this.swap(i, child);
      i = child;
    }
  }
}
