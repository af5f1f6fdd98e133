import { Counter, type Registry } from 'prom-client';

/** How a relayed call ended. */
export type RelayOutcome =
  'ok' | 'platform-error' | 'token-renewed-retried' | 'transport-error' | 'refused';

export const RELAY_OUTCOMES: readonly RelayOutcome[] = [
  'ok',
  'platform-error',
  'token-renewed-retried',
  'transport-error',
  'refused',
];

/** Relayed calls of one app since this process started, by outcome. */
export type RelayCounts = Record<RelayOutcome, number> & { total: number };

/** The `app` label of calls naming no configured app: the label set stays bounded. */
export const UNKNOWN_APP_LABEL = '(unknown)';

/**
 * `qingtui_relay_requests_total{app,platform,outcome}`, and the same counts per app since start
 * for the status page.
 */
export class RelayMetrics {
  private readonly requests: Counter<'app' | 'platform' | 'outcome'>;
  private readonly counts = new Map<string, RelayCounts>();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'qingtui_relay_requests_total',
      help:
        'Business calls relayed to the platforms (or refused by the relay), by app, platform and ' +
        'outcome: ok, platform-error, token-renewed-retried, transport-error, refused',
      labelNames: ['app', 'platform', 'outcome'],
      registers: [registry],
    });
  }

  /** Counts one relayed call. `app` must be a configured app or `UNKNOWN_APP_LABEL`. */
  record(app: string, platform: string, outcome: RelayOutcome): void {
    this.requests.inc({ app, platform, outcome });
    let counts = this.counts.get(app);
    if (counts === undefined) {
      counts = {
        total: 0,
        ...Object.fromEntries(RELAY_OUTCOMES.map((o) => [o, 0])),
      } as RelayCounts;
      this.counts.set(app, counts);
    }
    counts.total++;
    counts[outcome]++;
  }

  /** The counts of `app` since start (zeros when none). */
  countsOf(app: string): RelayCounts {
    const counts = this.counts.get(app);
    return counts
      ? { ...counts }
      : ({ total: 0, ...Object.fromEntries(RELAY_OUTCOMES.map((o) => [o, 0])) } as RelayCounts);
  }
}
