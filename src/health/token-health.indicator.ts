import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { TokenService } from 'nestjs-qingtui';

/**
 * Health of the token supply, from `TokenService` (never a token):
 * - `tokens`: down while an app has no valid token; the state of each app otherwise.
 * - `store`: degraded (not down) while the shared store is unreachable, since tokens are
 *   still served from memory.
 */
@Injectable()
export class TokenHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly tokens: TokenService,
  ) {}

  checkTokens(key = 'tokens'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const apps = Object.fromEntries(
      this.tokens.status().map((s) => [
        s.name,
        {
          appId: s.appId,
          state: s.state,
          expiresAt: s.expiresAt,
          nextRenewalAt: s.nextRenewalAt,
          renewing: s.renewing,
          consecutiveFailures: s.consecutiveFailures,
          lastError: s.lastError,
          platformCallsToday: s.platformCallsToday,
        },
      ]),
    );
    const invalid = Object.entries(apps)
      .filter(([, s]) => s.state !== 'valid')
      .map(([name]) => name);
    return invalid.length > 0
      ? indicator.down({ message: `No valid token for: ${invalid.join(', ')}`, apps })
      : indicator.up({ apps });
  }

  checkStore(key = 'store'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const { kind, state, instanceId } = this.tokens.storeInfo();
    return state === 'ok'
      ? indicator.up({ kind, state, instanceId })
      : indicator.degraded({
          kind,
          state,
          instanceId,
          message: 'Shared token store unreachable: tokens are served from memory',
        });
  }
}
