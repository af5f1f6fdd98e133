import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';

/** Why a request was refused by the client-key guard. */
export type AuthFailureReason = 'missing key' | 'invalid key' | 'app not in key scope';

/** Counts of failed authentications, as shown in detailed health. */
export interface AuthFailureSnapshot {
  /** Failures since start-up. */
  total: number;
  /** Failures by reason since start-up. */
  byReason: Record<AuthFailureReason, number>;
  /** When the last one happened (ISO 8601). */
  lastAt?: string;
}

const REASONS: readonly AuthFailureReason[] = [
  'missing key',
  'invalid key',
  'app not in key scope',
];
/** Distinct client addresses remembered per interval (beyond that they are only counted). */
const MAX_ADDRESSES = 1000;

/**
 * Counts refused client keys and logs them without letting an attacker write the log: the first
 * failure after a quiet interval is logged at once, the following ones are summed up in one line
 * per interval. Presented keys are never logged (one could be a real key of another service).
 */
@Injectable()
export class AuthFailureMonitor implements OnModuleDestroy {
  private readonly logger = new Logger('ClientAuth');
  private readonly totals = Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<
    AuthFailureReason,
    number
  >;
  private total = 0;
  private lastAt?: number;
  /** The current interval: counts since its start, and the addresses seen. */
  private window?: {
    counts: Map<AuthFailureReason, number>;
    addresses: Set<string>;
    timer: NodeJS.Timeout;
  };

  constructor(private readonly intervalMs: number) {}

  /** Records one refused request. */
  record(reason: AuthFailureReason, address: string | undefined, route: string): void {
    this.total++;
    this.totals[reason]++;
    this.lastAt = Date.now();
    if (this.window === undefined) {
      this.logger.warn(
        `Refused a request (${reason}) from ${address ?? 'an unknown address'} to ${route}; ` +
          `further refusals are summed up every ${Math.round(this.intervalMs / 1000)} s`,
      );
      const timer = setInterval(() => this.flush(), this.intervalMs);
      timer.unref();
      this.window = { counts: new Map(), addresses: new Set(), timer };
      return;
    }
    this.window.counts.set(reason, (this.window.counts.get(reason) ?? 0) + 1);
    if (address !== undefined && this.window.addresses.size < MAX_ADDRESSES) {
      this.window.addresses.add(address);
    }
  }

  snapshot(): AuthFailureSnapshot {
    return {
      total: this.total,
      byReason: { ...this.totals },
      ...(this.lastAt === undefined ? {} : { lastAt: new Date(this.lastAt).toISOString() }),
    };
  }

  onModuleDestroy(): void {
    if (this.window) this.flush();
    if (this.window) clearInterval(this.window.timer);
  }

  /** Logs the interval's summary; a quiet interval ends the window (the next refusal logs at once). */
  private flush(): void {
    const window = this.window!;
    const count = [...window.counts.values()].reduce((a, b) => a + b, 0);
    if (count === 0) {
      clearInterval(window.timer);
      this.window = undefined;
      return;
    }
    const reasons = [...window.counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
    const addresses =
      window.addresses.size >= MAX_ADDRESSES ? `${MAX_ADDRESSES}+` : String(window.addresses.size);
    this.logger.warn(
      `Refused ${count} more request(s) in the last ${Math.round(this.intervalMs / 1000)} s ` +
        `(${reasons}) from ${addresses} address(es); ${this.total} since start-up`,
    );
    window.counts.clear();
    window.addresses.clear();
  }
}
