import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { TicketService, TokenService } from 'nestjs-qingtui';
import type { ApiKeyEntry } from '../auth/api-key-entry.interface.js';
import { SecretRedactor } from '../logging/secret-redactor.js';

/**
 * Health of the token supply, from `TokenService` (never a token):
 * - `tokens`: down while an app in scope has no valid token; the state of each app otherwise
 *   (everything `TokenService.status()` reports: renewals, failures, last error, platform calls
 *   and quota);
 * - `store`: degraded (not down) while the shared store is unreachable, since tokens are
 *   still served from memory.
 */
@Injectable()
export class TokenHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly tokens: TokenService,
    private readonly redactor: SecretRedactor,
    private readonly tickets: TicketService,
  ) {}

  /** Apps in `scope` only: a client key scoped to some apps learns nothing of the others. */
  checkTokens(scope: ApiKeyEntry['scope'] = 'all', key = 'tokens'): HealthIndicatorResult {
    const indicator = this.indicators.check(key);
    const statuses = this.tokens.status().filter((s) => scope === 'all' || scope.includes(s.name));
    // The platform's errmsg may echo what it was sent: redacted as in the logs.
    const redacted = <T extends { lastError?: { errmsg: string } }>(s: T): T =>
      s.lastError
        ? { ...s, lastError: { ...s.lastError, errmsg: this.redactor.scrub(s.lastError.errmsg) } }
        : s;
    // Tickets are fetched on first use: a missing one is no sign of ill health, only shown.
    const tickets = this.tickets.status();
    const apps = Object.fromEntries(
      statuses.map(({ name, ...state }) => [
        name,
        {
          ...redacted(state),
          tickets: Object.fromEntries(
            tickets
              .filter((t) => t.name === name)
              .map(
                ({ kind, state: ticketState, expiresAt, nextRenewalAt, heldBack, lastError }) => [
                  kind,
                  redacted({ state: ticketState, expiresAt, nextRenewalAt, heldBack, lastError }),
                ],
              ),
          ),
        },
      ]),
    );
    const invalid = statuses.filter((s) => s.state !== 'valid').map((s) => s.name);
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
