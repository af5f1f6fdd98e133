import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheckService,
  type HealthCheckResult,
  type HealthCheckStatus,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import { REPORT_DEFAULT_LIMIT, type ReportPage } from '../common/report-page.js';
import { ClientAuthHealthIndicator } from './client-auth-health.indicator.js';
import { TokenHealthIndicator } from './token-health.indicator.js';

/**
 * Runs the health checks and logs the server's health when it changes, and only then: a
 * monitor polling `/health` every second while an app has no token writes one line, not one
 * block per poll. (Terminus' own error log is off: see `HealthModule`.)
 */
@Injectable()
export class HealthReport {
  private readonly logger = new Logger('Health');
  /** What was last logged: status and the reasons, or undefined before the first check. */
  private lastState?: string;

  constructor(
    private readonly health: HealthCheckService,
    private readonly tokens: TokenHealthIndicator,
    private readonly clients: ClientAuthHealthIndicator,
  ) {}

  /**
   * Readiness of this instance: whether it can serve (`ok`, or `degraded` while the shared store
   * is unreachable and tokens are served from memory). One app without a token (a WeCom app
   * refused with 60020, say) is that app's trouble, shown in `/health/details`, the metrics and
   * the status page: it never takes the instance out of a load balancer's rotation while the
   * other apps serve. The state of every app is still logged when it changes.
   */
  async status(): Promise<HealthCheckStatus> {
    const result = await this.run([
      () => this.tokens.checkTokens('all'),
      () => this.tokens.checkStore(),
    ]);
    this.noteState(result);
    return result.details.store?.status === 'up' ? 'ok' : 'degraded';
  }

  /** The details visible to a client key of `scope`: its apps, the store, refused keys. */
  async details(
    scope: ApiKeyEntry['scope'],
    page: ReportPage = { offset: 0, limit: REPORT_DEFAULT_LIMIT },
  ): Promise<HealthCheckResult> {
    await this.status();
    return this.run([
      () => this.tokens.checkTokens(scope, 'tokens', page),
      () => this.tokens.checkStore(),
      () => this.clients.check(),
    ]);
  }

  private async run(checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      // Terminus reports a failed check by throwing a 503 that carries the full result.
      if (error instanceof ServiceUnavailableException) {
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }

  private noteState(result: HealthCheckResult): void {
    const reasons = Object.entries(result.details)
      .filter(([, indicator]) => indicator.status !== 'up')
      .map(([name, indicator]) => `${name}: ${String(indicator.message ?? indicator.status)}`);
    const state = [result.status, ...reasons].join('; ');
    const previous = this.lastState;
    if (state === previous) return;
    this.lastState = state;
    // The first check is worth a line only when something is wrong.
    if (previous === undefined && result.status === 'ok') return;
    const line = `Health is ${state}${previous === undefined ? '' : ` (was ${previous})`}`;
    if (result.status === 'ok') this.logger.log(line);
    else this.logger.warn(line);
  }
}
