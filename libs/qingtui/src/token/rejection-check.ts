import type { ProbeVerdict } from './token-source.interface.js';

/**
 * First spacing of two probes of a token the platform keeps accepting; it doubles with each
 * further verdict, up to the longest spacing (`staleReportProbeTtlMs`).
 */
export const FIRST_PROBE_SPACING_MS = 10_000;

/** What the last probes of one app said of its current token. */
interface ProbeMemory {
  readonly token: string;
  /** When it was last probed (epoch ms). */
  probedAt: number;
  /** Probes in a row that did not find it rejected (accepted, or no answer). */
  streak: number;
}

/**
 * Decides when a reported rejection of an app's current token is checked with a platform probe.
 *
 * The memory is keyed by the token, never by who reports it: any number of reporters (keys,
 * instances, interceptors) share one schedule, so that no report pattern can spend more than a
 * bounded number of probes. After a probe that did not find the token rejected, the next one
 * waits `FIRST_PROBE_SPACING_MS` (10 s), then twice as long after each further such verdict, up
 * to `maxSpacingMs`; a token left unreported for twice that long starts the schedule again.
 * A looping client therefore costs at most 3 probes in its first minute and one per
 * `maxSpacingMs` after that (1 a minute by default), for as long as it loops. An honest client
 * whose token is really revoked is healed at its first report, unless a report of the same token
 * was found accepted less than the current spacing ago (then within that spacing: 10 s after one
 * false report). The library's own interceptor sees rejections first-hand and renews without a
 * probe (see `TokenService.renewRejected`).
 *
 * Pure: the clock is passed in.
 */
export class RejectionCheck {
  private memory?: ProbeMemory;

  /** @param maxSpacingMs longest spacing of two probes of one token (0: probe every report) */
  constructor(private readonly maxSpacingMs: number) {}

  /** How long, from `now`, before `token` may be probed again (0: now). */
  waitBeforeProbe(token: string, now: number): number {
    const memory = this.current(token, now);
    if (memory === undefined) return 0;
    return Math.max(0, memory.probedAt + this.spacing(memory.streak) - now);
  }

  /**
   * The spacing that the probe about to be made will impose on the next one if it does not find
   * the token rejected: the slot to reserve for every instance sharing the store.
   */
  nextSpacing(token: string, now: number): number {
    return this.spacing((this.current(token, now)?.streak ?? 0) + 1);
  }

  /** Records a probe's verdict on `token` made at `now`. */
  record(token: string, verdict: ProbeVerdict | 'skipped', now: number): void {
    if (verdict === 'rejected') {
      // The token is being replaced: nothing is left to remember of it.
      if (this.memory?.token === token) this.memory = undefined;
      return;
    }
    const memory = this.current(token, now);
    // 'skipped': another instance sharing the store probed it a moment ago.
    this.memory = { token, probedAt: now, streak: (memory?.streak ?? 0) + 1 };
  }

  /** Forgets `token`: it was found rejected elsewhere, or replaced. */
  forget(token?: string): void {
    if (token === undefined || this.memory?.token === token) this.memory = undefined;
  }

  private current(token: string, now: number): ProbeMemory | undefined {
    const memory = this.memory;
    if (memory === undefined || memory.token !== token) return undefined;
    // Unreported for a long time: the schedule starts again (still never a loop).
    if (now - memory.probedAt > 2 * Math.max(this.maxSpacingMs, FIRST_PROBE_SPACING_MS))
      return undefined;
    return memory;
  }

  private spacing(streak: number): number {
    if (streak <= 0 || this.maxSpacingMs <= 0) return 0;
    const first = Math.min(FIRST_PROBE_SPACING_MS, this.maxSpacingMs);
    return Math.min(this.maxSpacingMs, first * 2 ** Math.min(20, streak - 1));
  }
}
