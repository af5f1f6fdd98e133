/** Kinds of platform call counted against the daily quota. */
export type PlatformCallKind = 'token' | 'refresh' | 'api';

export interface PlatformUsageSnapshot {
  /** Day the counts belong to, in China Standard Time (the platform's day), `YYYY-MM-DD`. */
  day: string;
  token: number;
  refresh: number;
  api: number;
  total: number;
}

const CST_OFFSET_MS = 8 * 3600 * 1000;

function dayOf(now: number): string {
  return new Date(now + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * Counts the calls this process made to the platform, per app and per day, so that the daily
 * quota of free editions (300 or 2000 calls) can be watched.
 */
export class PlatformUsage {
  private readonly counts = new Map<string, PlatformUsageSnapshot>();

  constructor(private readonly now: () => number = Date.now) {}

  record(app: string, kind: PlatformCallKind): void {
    const snapshot = this.current(app);
    snapshot[kind] += 1;
    snapshot.total += 1;
  }

  /** Today's counts for an app (zeros if it made no call today). */
  get(app: string): PlatformUsageSnapshot {
    return { ...this.current(app) };
  }

  private current(app: string): PlatformUsageSnapshot {
    const day = dayOf(this.now());
    let snapshot = this.counts.get(app);
    if (snapshot === undefined || snapshot.day !== day) {
      snapshot = { day, token: 0, refresh: 0, api: 0, total: 0 };
      this.counts.set(app, snapshot);
    }
    return snapshot;
  }
}
