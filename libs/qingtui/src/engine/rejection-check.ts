import type { ProbeVerdict } from '../core/credential-source.js';

/**
 * First spacing of two probes of a token the platform keeps accepting, on a report by a reporter
 * already told so; it doubles with each further such verdict, up to `staleReportProbeTtlMs`.
 */
export const FIRST_PROBE_SPACING_MS = 12_000;
/** The same for reports by reporters not yet told (another client key, say). */
export const FIRST_NEW_REPORTER_SPACING_MS = 1_000;
/** Reporters remembered per token; beyond, every reporter counts as already told. */
const MAX_REPORTERS = 1_000;

/** Which of a token's two probe schedules a report falls under. */
export type ProbeSchedule = 'known' | 'new';

interface ScheduleState {
  /** When this schedule last probed (epoch ms). */
  probedAt: number;
  /** Its probes in a row that did not find the token rejected. */
  streak: number;
}

/** What the last probes of one app said of its current token. */
interface ProbeMemory {
  readonly token: string;
  readonly schedules: Partial<Record<ProbeSchedule, ScheduleState>>;
  /** Who was told that the token is still accepted. */
  readonly reporters: Set<string>;
}

/**
 * Decides when a reported rejection of an app's current token is checked with a platform probe.
 *
 * The memory is kept per token, and its schedules count every report, whoever sends it, so that
 * no number of reporters (keys, instances) can spend more than a bounded number of probes:
 *
 * - a report by a reporter already told that the platform accepts this token is checked again
 *   12 s after the last such check, then 24 s, 48 s, ... up to `maxSpacingMs` (60 s by default);
 * - a report by a reporter not yet told (another client key, say) is checked after 1 s, 2 s,
 *   4 s, ... up to `maxSpacingMs`, so that one looping key never delays another key's healing
 *   by more than a second, while a crowd of new keys is paced like a single one.
 *
 * A schedule left unused for twice `maxSpacingMs` starts again. So any report pattern costs at
 * most 9 probes in its first minute and 2 a minute (one per schedule) after about two minutes,
 * for as long as it goes on. An honest single-key deployment whose token is really revoked
 * heals at its next report unless that same key was told "accepted" for that token less than
 * the current spacing ago: then within it (12 s after one false report). The library's own
 * interceptor sees rejections first-hand and renews without a probe (`TokenService`), and a
 * rejection found by any report replaces the token for every reporter.
 *
 * Pure: the clock is passed in.
 */
export class RejectionCheck {
  private memory?: ProbeMemory;

  /** @param maxSpacingMs longest spacing of two probes of one token (0: probe every report) */
  constructor(private readonly maxSpacingMs: number) {}

  /** The schedule a report of `token` by `reporter` falls under. */
  scheduleOf(token: string, reporter: string): ProbeSchedule {
    const memory = this.memory?.token === token ? this.memory : undefined;
    if (memory === undefined) return 'new';
    return memory.reporters.has(reporter) || memory.reporters.size >= MAX_REPORTERS
      ? 'known'
      : 'new';
  }

  /** How long, from `now`, before a report of `token` by `reporter` may be probed (0: now). */
  waitBeforeProbe(token: string, reporter: string, now: number): number {
    const schedule = this.scheduleOf(token, reporter);
    const state = this.state(token, schedule, now);
    if (state === undefined) return 0;
    return Math.max(0, state.probedAt + this.spacing(schedule, state.streak) - now);
  }

  /**
   * The spacing that the probe about to be made imposes on the next one of its schedule if it
   * does not find the token rejected: the slot every instance sharing the store respects.
   */
  nextSpacing(token: string, reporter: string, now: number): number {
    const schedule = this.scheduleOf(token, reporter);
    return this.spacing(schedule, (this.state(token, schedule, now)?.streak ?? 0) + 1);
  }

  /**
   * Records the verdict of a probe of `token` reported by `reporter`, made at `now` (`skipped`:
   * another instance sharing the store had just probed it).
   */
  record(token: string, reporter: string, verdict: ProbeVerdict | 'skipped', now: number): void {
    if (verdict === 'rejected') {
      // The token is being replaced: nothing is left to remember of it.
      this.forget(token);
      return;
    }
    const schedule = this.scheduleOf(token, reporter);
    const streak = (this.state(token, schedule, now)?.streak ?? 0) + 1;
    if (this.memory?.token !== token) this.memory = { token, schedules: {}, reporters: new Set() };
    this.memory.schedules[schedule] = { probedAt: now, streak };
    // The reporter just told is on the other schedule from now on: it starts here too.
    this.memory.schedules.known ??= { probedAt: now, streak: 1 };
    if (this.memory.reporters.size < MAX_REPORTERS) this.memory.reporters.add(reporter);
  }

  /** Forgets `token` (all tokens without one): it was found rejected, or replaced. */
  forget(token?: string): void {
    if (token === undefined || this.memory?.token === token) this.memory = undefined;
  }

  private state(token: string, schedule: ProbeSchedule, now: number): ScheduleState | undefined {
    const memory = this.memory;
    if (memory === undefined || memory.token !== token) return undefined;
    const state = memory.schedules[schedule];
    // Unused for a long time: the schedule starts again (still never a loop).
    if (
      state === undefined ||
      now - state.probedAt > 2 * Math.max(this.maxSpacingMs, FIRST_PROBE_SPACING_MS)
    ) {
      return undefined;
    }
    return state;
  }

  private spacing(schedule: ProbeSchedule, streak: number): number {
    if (streak <= 0 || this.maxSpacingMs <= 0) return 0;
    const first = schedule === 'known' ? FIRST_PROBE_SPACING_MS : FIRST_NEW_REPORTER_SPACING_MS;
    return Math.min(
      this.maxSpacingMs,
      Math.min(first, this.maxSpacingMs) * 2 ** Math.min(20, streak - 1),
    );
  }
}
